"""What the citizen is told, by SMS and e-mail, when their dossier reaches certain statuses:
a supplement or a payment is asked for, the dossier is refused, the result is ready, the
withdrawal is confirmed. Every notice points to the national portal (003 §IV: citizens follow
their dossiers in "Dịch vụ công của tôi")."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from app.domain.status import DossierStatus


@dataclass(frozen=True)
class Notice:
    subject: str
    body: str
    sms: str


_TEMPLATES: dict[DossierStatus, tuple[str, str]] = {
    DossierStatus.SUPPLEMENT_REQUESTED: (
        "Yêu cầu bổ sung hồ sơ {code}",
        "Cơ quan giải quyết đề nghị bổ sung, hoàn thiện hồ sơ {code} ({procedure}). "
        "Thời hạn giải quyết tạm dừng cho đến khi Ông/Bà bổ sung.",
    ),
    DossierStatus.PAYMENT_REQUESTED: (
        "Nộp phí, lệ phí cho hồ sơ {code}",
        "Hồ sơ {code} ({procedure}) đã được tiếp nhận. Đề nghị Ông/Bà nộp phí, lệ phí "
        "{amount} đồng để hồ sơ được giải quyết.",
    ),
    DossierStatus.NOT_RECEIVED: (
        "Hồ sơ {code} không được giải quyết",
        "Hồ sơ {code} ({procedure}) không được tiếp nhận, giải quyết. Lý do được nêu trong "
        "văn bản trả lời của cơ quan.",
    ),
    DossierStatus.PROCESSED: (
        "Đã có kết quả hồ sơ {code}",
        "Hồ sơ {code} ({procedure}) đã có kết quả. Kết quả điện tử đã được lưu vào Kho dữ "
        "liệu của Ông/Bà trên Cổng Dịch vụ công quốc gia.",
    ),
    DossierStatus.WITHDRAWN: (
        "Đã rút hồ sơ {code}",
        "Hồ sơ {code} ({procedure}) đã được rút theo đề nghị của Ông/Bà.",
    ),
}
NOTIFIED = frozenset(_TEMPLATES)


def _plain(text: str) -> str:
    """SMS text without diacritics (one 160-character segment goes further)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def notice_for(
    status: DossierStatus, code: str, procedure: str, portal_url: str, amount: int = 0
) -> Notice | None:
    if status not in _TEMPLATES:
        return None
    subject, text = _TEMPLATES[status]
    values = {"code": code, "procedure": procedure, "amount": f"{amount:,}".replace(",", ".")}
    body = text.format(**values)
    link = f"{portal_url.rstrip('/')}"
    return Notice(
        subject=subject.format(**values),
        body=f"{body}\n\nTheo dõi và thực hiện tại Cổng Dịch vụ công quốc gia: {link}\n",
        sms=_plain(f"{subject.format(**values)}. Xem tai {link}"),
    )

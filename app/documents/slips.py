"""The slips of Circular 03/2025/TT-VPCP, Appendix I, as PDF (Liberation Serif, Vietnamese).

01 receipt and appointment (with the dossier code as QR), 02 request to supplement,
03 refusal, 04 apology and new appointment, 05 notice of stopping, 06 process control slip.
Each renders from a `SlipData` of plain values; `app.services.slips` gathers them.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.domain.status import VN_TZ
from app.i18n import _l

FONT_DIR = "/usr/share/fonts/truetype/liberation2"
TITLES = {
    "01": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "02": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "03": "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ",
    "04": "VĂN BẢN XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
    "05": "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
    "06": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
}
OUTCOMES = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn", None: "Đang xử lý"}


@dataclass(frozen=True)
class ComponentLine:
    name: str
    originals: int = 0
    certified: int = 0
    photocopies: int = 0


@dataclass(frozen=True)
class ControlRow:
    step: str
    agency: str
    handed_at: datetime
    giver: str
    receiver: str
    due_at: datetime | None
    completed_at: datetime | None
    outcome: str | None
    note: str = ""


@dataclass(frozen=True)
class SlipData:
    agency_name: str
    parent_agency_name: str
    dossier_code: str
    procedure_code: str
    procedure_name: str
    owner_name: str
    owner_id: str
    phone: str
    email: str
    received_at: datetime
    due_at: datetime | None
    officer_name: str
    issued_at: datetime
    duration_text: str = ""
    result_place: str = ""
    components: list[ComponentLine] = field(default_factory=list)
    reason: str = ""
    items: str = ""  # what to supplement (02)
    new_due_at: datetime | None = None  # the new appointment (04)
    signer_title: str = ""
    control_rows: list[ControlRow] = field(default_factory=list)


@lru_cache(maxsize=1)
def _fonts() -> None:
    for name, file in (
        ("Serif", "LiberationSerif-Regular.ttf"),
        ("Serif-Bold", "LiberationSerif-Bold.ttf"),
        ("Serif-Italic", "LiberationSerif-Italic.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, f"{FONT_DIR}/{file}"))
    pdfmetrics.registerFontFamily(
        "Serif", normal="Serif", bold="Serif-Bold", italic="Serif-Italic", boldItalic="Serif-Bold"
    )


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName="Serif", fontSize=12, leading=16)
    return {
        "body": ParagraphStyle("body", base, alignment=TA_JUSTIFY, spaceAfter=4),
        "center": ParagraphStyle("center", base, alignment=TA_CENTER),
        "bold_center": ParagraphStyle("bc", base, fontName="Serif-Bold", alignment=TA_CENTER),
        "title": ParagraphStyle(
            "title", base, fontName="Serif-Bold", fontSize=14, leading=18, alignment=TA_CENTER
        ),
        "small": ParagraphStyle("small", base, fontSize=10, leading=13),
        "small_center": ParagraphStyle("sc", base, fontSize=10, leading=13, alignment=TA_CENTER),
        "italic_center": ParagraphStyle("ic", base, fontName="Serif-Italic", alignment=TA_CENTER),
    }


def _t(value: str | None) -> str:
    """A plain value as text in reportlab's Paragraph markup (&, < and > escaped)."""
    return html.escape(value or "", quote=False)


def _moment(value: datetime | None) -> str:
    if value is None:
        return "—"
    local = value.astimezone(VN_TZ)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def _short(value: datetime | None) -> str:
    return f"{value.astimezone(VN_TZ):%H:%M %d/%m/%Y}" if value else "—"


def _header(data: SlipData, s: dict[str, ParagraphStyle], number: str, title: str) -> list:
    local = data.issued_at.astimezone(VN_TZ)
    left = [
        Paragraph(_t(data.parent_agency_name.upper()), s["small_center"]),
        Paragraph(f"<b>{_t(data.agency_name.upper())}</b>", s["small_center"]),
        Paragraph("———————", s["small_center"]),
        Paragraph(f"Mẫu số {number}" if number in TITLES else "", s["small_center"]),
    ]
    right = [
        Paragraph("<b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b>", s["small_center"]),
        Paragraph("<b>Độc lập - Tự do - Hạnh phúc</b>", s["small_center"]),
        Paragraph("———————", s["small_center"]),
        Paragraph(f"<i>ngày {local:%d} tháng {local:%m} năm {local:%Y}</i>", s["small_center"]),
    ]
    table = Table([[left, right]], colWidths=[75 * mm, 100 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [table, Spacer(1, 8 * mm), Paragraph(_t(title), s["title"]), Spacer(1, 2 * mm)]


def _qr(code: str) -> Drawing:
    widget = QrCodeWidget(code)
    x1, y1, x2, y2 = widget.getBounds()
    size = 28 * mm
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    return drawing


def _signatures(s: dict[str, ParagraphStyle], left: tuple[str, str], right: tuple[str, str]):
    def cell(title: str, name: str) -> list:
        return [
            Paragraph(f"<b>{_t(title)}</b>", s["center"]),
            Paragraph("<i>(Ký và ghi rõ họ tên)</i>", s["small_center"]),
            Spacer(1, 18 * mm),
            Paragraph(f"<b>{_t(name)}</b>", s["center"]),
        ]

    table = Table([[cell(*left), cell(*right)]], colWidths=[85 * mm, 85 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [Spacer(1, 8 * mm), table]


def _owner(data: SlipData, s: dict[str, ParagraphStyle]) -> list:
    return [
        Paragraph(f"Mã hồ sơ: <b>{_t(data.dossier_code)}</b>", s["body"]),
        Paragraph(
            f"Ông/Bà: <b>{_t(data.owner_name)}</b> — số định danh: {_t(data.owner_id)}", s["body"]
        ),
        Paragraph(
            f"Số điện thoại: {_t(data.phone) or '—'}; thư điện tử: {_t(data.email) or '—'}",
            s["body"],
        ),
        Paragraph(
            f"Nội dung yêu cầu giải quyết: {_t(data.procedure_name)} ({_t(data.procedure_code)})",
            s["body"],
        ),
    ]


def _receipt(data: SlipData, s: dict[str, ParagraphStyle]) -> list:
    intro = Table(
        [
            [
                [
                    Paragraph(f"{_t(data.agency_name)} tiếp nhận hồ sơ của:", s["body"]),
                    *_owner(data, s),
                ],
                _qr(data.dossier_code),
            ]
        ],
        colWidths=[140 * mm, 32 * mm],
    )
    intro.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    head = ParagraphStyle("head", s["small_center"], fontName="Serif-Bold")
    rows: list[list] = [
        [
            Paragraph(label, head)
            for label in ("STT", "Tên giấy tờ", "Bản chính", "Bản sao chứng thực", "Bản photo")
        ]
    ]
    for n, line in enumerate(data.components, 1):
        rows.append(
            [
                str(n),
                Paragraph(_t(line.name), s["small"]),
                str(line.originals),
                str(line.certified),
                str(line.photocopies),
            ]
        )
    if len(rows) == 1:
        rows.append(["", Paragraph("(chưa có thành phần nào được số hoá)", s["small"]), "", "", ""])
    table = Table(rows, colWidths=[12 * mm, 88 * mm, 22 * mm, 28 * mm, 22 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Serif", 10),
                ("FONT", (0, 0), (-1, 0), "Serif-Bold", 10),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("ALIGN", (2, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return [
        intro,
        Paragraph("1. Thành phần hồ sơ nộp gồm:", s["body"]),
        table,
        Spacer(1, 3 * mm),
        Paragraph("2. Số lượng hồ sơ: 01 bộ.", s["body"]),
        Paragraph(
            f"3. Thời gian giải quyết hồ sơ theo quy định là: {_t(data.duration_text)}.", s["body"]
        ),
        Paragraph(f"4. Thời gian nhận hồ sơ: {_moment(data.received_at)}.", s["body"]),
        Paragraph(f"5. Thời gian trả kết quả giải quyết hồ sơ: {_moment(data.due_at)}.", s["body"]),
        Paragraph(f"6. Đăng ký nhận kết quả tại: {_t(data.result_place)}.", s["body"]),
        *_signatures(
            s, ("NGƯỜI NỘP HỒ SƠ", data.owner_name), ("NGƯỜI TIẾP NHẬN", data.officer_name)
        ),
    ]


def _supplement(data: SlipData, s: dict[str, ParagraphStyle]) -> list:
    return [
        Paragraph(
            f"Ngày {data.received_at.astimezone(VN_TZ):%d/%m/%Y}, {_t(data.agency_name)} "
            "tiếp nhận hồ sơ của:",
            s["body"],
        ),
        *_owner(data, s),
        Paragraph("Sau khi xem xét, hồ sơ cần bổ sung, hoàn thiện các nội dung sau:", s["body"]),
        Paragraph(_t(data.items).replace("\n", "<br/>"), s["body"]),
        Paragraph(f"Lý do: {_t(data.reason) or '—'}", s["body"]),
        Paragraph(
            "Trong quá trình bổ sung, hoàn thiện hồ sơ nếu có vướng mắc, Ông/Bà liên hệ "
            f"{_t(data.agency_name)} để được hướng dẫn. Thời hạn giải quyết tạm dừng trong thời "
            "gian chờ bổ sung.",
            s["body"],
        ),
        *_signatures(
            s, ("NGƯỜI NỘP HỒ SƠ", data.owner_name), ("NGƯỜI HƯỚNG DẪN", data.officer_name)
        ),
    ]


def _refusal(data: SlipData, s: dict[str, ParagraphStyle]) -> list:
    return [
        Paragraph(
            f"{_t(data.agency_name)} tiếp nhận hồ sơ ngày "
            f"{data.received_at.astimezone(VN_TZ):%d/%m/%Y} của:",
            s["body"],
        ),
        *_owner(data, s),
        Paragraph(
            f"Qua xem xét, {_t(data.agency_name)} thông báo không tiếp nhận, giải quyết hồ sơ "
            "này với lý do cụ thể như sau:",
            s["body"],
        ),
        Paragraph(_t(data.reason).replace("\n", "<br/>"), s["body"]),
        Paragraph("Xin thông báo để Ông/Bà được biết và thực hiện.", s["body"]),
        *_signatures(s, ("", ""), (data.signer_title or "NGƯỜI KÝ", data.officer_name)),
    ]


def _apology(data: SlipData, s: dict[str, ParagraphStyle]) -> list:
    return [
        Paragraph(f"Kính gửi: Ông/Bà <b>{_t(data.owner_name)}</b>", s["body"]),
        Paragraph(
            f"Ngày {data.received_at.astimezone(VN_TZ):%d/%m/%Y}, {_t(data.agency_name)} tiếp "
            f"nhận giải quyết hồ sơ mã số <b>{_t(data.dossier_code)}</b> về "
            f"{_t(data.procedure_name)}. Thời hạn trả kết quả ghi trên Giấy tiếp nhận hồ sơ và "
            f"hẹn trả kết quả là {_moment(data.due_at)}.",
            s["body"],
        ),
        Paragraph(
            f"Tuy nhiên, đến nay {_t(data.agency_name)} chưa trả kết quả giải quyết hồ sơ cho "
            f"Ông/Bà đúng thời hạn quy định. Lý do: {_t(data.reason)}",
            s["body"],
        ),
        Paragraph(
            f"Sự chậm trễ này đã gây phiền hà, tốn kém cho Ông/Bà. {_t(data.agency_name)} xin "
            "lỗi Ông/Bà và hẹn trả kết quả giải quyết hồ sơ vào: "
            f"<b>{_moment(data.new_due_at)}</b>.",
            s["body"],
        ),
        Paragraph("Xin trân trọng cảm ơn sự hợp tác của Ông/Bà.", s["body"]),
        *_signatures(s, ("", ""), (data.signer_title or "THỦ TRƯỞNG CƠ QUAN", data.officer_name)),
    ]


def _stop(data: SlipData, s: dict[str, ParagraphStyle]) -> list:
    return [
        Paragraph(f"Kính gửi: Ông/Bà <b>{_t(data.owner_name)}</b>", s["body"]),
        *_owner(data, s),
        Paragraph(
            f"{_t(data.agency_name)} thông báo dừng giải quyết hồ sơ nêu trên. "
            f"Lý do: {_t(data.reason)}",
            s["body"],
        ),
        Paragraph("Xin thông báo để Ông/Bà được biết.", s["body"]),
        *_signatures(s, ("", ""), (data.signer_title or "THỦ TRƯỞNG CƠ QUAN", data.officer_name)),
    ]


def _control(data: SlipData, s: dict[str, ParagraphStyle]) -> list:
    small = s["small"]
    rows: list[list] = [
        [
            Paragraph("<b>Bước / cơ quan</b>", small),
            Paragraph("<b>Thời gian giao, nhận hồ sơ</b>", small),
            Paragraph("<b>Người giao / người nhận</b>", small),
            Paragraph("<b>Kết quả giải quyết</b>", small),
            Paragraph("<b>Ghi chú</b>", small),
        ]
    ]
    for row in data.control_rows:
        rows.append(
            [
                Paragraph(f"{_t(row.step)}<br/>{_t(row.agency)}", small),
                Paragraph(
                    f"Nhận: {_short(row.handed_at)}<br/>Hạn: {_short(row.due_at)}"
                    f"<br/>Xong: {_short(row.completed_at)}",
                    small,
                ),
                Paragraph(f"Giao: {_t(row.giver)}<br/>Nhận: {_t(row.receiver)}", small),
                Paragraph(OUTCOMES.get(row.outcome, row.outcome or ""), small),
                Paragraph(_t(row.note), small),
            ]
        )
    table = Table(rows, colWidths=[42 * mm, 40 * mm, 42 * mm, 22 * mm, 28 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return [
        *_owner(data, s),
        Paragraph(
            f"Ngày nhận hồ sơ: {_moment(data.received_at)}; hẹn trả: {_moment(data.due_at)}.",
            s["body"],
        ),
        Spacer(1, 2 * mm),
        table,
    ]


def _result(data: SlipData, s: dict[str, ParagraphStyle]) -> list:
    return [
        Paragraph(
            f"Cấp cho Ông/Bà: <b>{_t(data.owner_name)}</b> — số định danh: {_t(data.owner_id)}",
            s["body"],
        ),
        Paragraph(
            f"Kết quả giải quyết thủ tục hành chính: {_t(data.procedure_name)} "
            f"({_t(data.procedure_code)}), hồ sơ mã số <b>{_t(data.dossier_code)}</b>, "
            f"tiếp nhận {_moment(data.received_at)}.",
            s["body"],
        ),
        Paragraph(_t(data.reason) or "Hồ sơ đủ điều kiện, được chấp thuận.", s["body"]),
        Paragraph(
            "Văn bản điện tử có chữ ký số của người có thẩm quyền và của cơ quan; "
            "có giá trị sử dụng như văn bản giấy.",
            s["small"],
        ),
        *_signatures(s, ("", ""), (data.signer_title or "NGƯỜI KÝ", data.officer_name)),
    ]


BODIES = {
    "01": _receipt,
    "02": _supplement,
    "03": _refusal,
    "04": _apology,
    "05": _stop,
    "06": _control,
}


def render_result(title: str, data: SlipData) -> bytes:
    """The e-result of a procedure (issued, then signed by the leader and the agency)."""
    _fonts()
    return _build(title.upper(), "KQ", data, _result(data, _styles()))


def render(number: str, data: SlipData) -> bytes:
    """The slip as a PDF (A4)."""
    if number not in BODIES:
        raise ValueError(_l("Không có mẫu phiếu số %(number)s", number=number))
    return _build(TITLES[number], number, data, None)


def _build(title: str, number: str, data: SlipData, body: list | None) -> bytes:
    _fonts()
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{title} — {data.dossier_code}",
        author=data.agency_name,
        lang="vi",
    )
    header = _header(data, styles, number, title)
    doc.build(header + (body if body is not None else BODIES[number](data, styles)))
    return buffer.getvalue()

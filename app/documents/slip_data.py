"""What a slip (phiếu) of Circular 03/2025/TT-VPCP, Appendix I, says: plain values.

`app.services.documents.slips` gathers them; `app.documents.slips` renders them as PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.domain.messages import N_

TITLES = {
    "01": N_("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
    "02": N_("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
    "03": N_("PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ"),
    "04": N_("VĂN BẢN XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"),
    "05": N_("THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"),
    "06": N_("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
}
OUTCOMES = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn", None: "Đang xử lý"}


@dataclass(frozen=True)
class ComponentLine:
    name: str
    originals: int = 0
    certified: int = 0
    photocopies: int = 0


@dataclass(frozen=True)
class FeeSlipLine:
    """One fee of the dossier on slip 01 (letter 4725 §II.1.b): code of Decision 4663/QĐ-KBNN,
    amount, and how it stands (paid with its receipt, exempt with its reason, to pay online)."""

    code: str
    name: str
    amount: int
    state: str  # due, online, paid, exempt
    receipt_no: str = ""
    exemption_reason: str = ""


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
    fees: list[FeeSlipLine] = field(default_factory=list)
    # the result is returned electronically only (001 §II.2.c Bước 4): no paper to collect
    e_only: bool = False

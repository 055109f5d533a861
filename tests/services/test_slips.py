"""Each slip renders from a real dossier and its text (read back with pypdf) carries its data."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from pypdf import PdfReader

from app.domain.status import VN_TZ
from app.services.core.errors import Conflict, NotFound
from app.services.deadlines import apologies
from app.services.documents import drafts, slips
from tests.documents.scans import numbered_pdf
from tests.services.helpers import complete, deliver, receive
from tests.services.test_documents import metadata, scan
from tests.services.test_performer_assignment import colleague

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}


def vn(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN_TZ)


def text_of(code: str, number: str, actor) -> str:
    pdf, name = slips.slip_pdf(code, number, actor)
    assert pdf.startswith(b"%PDF-") and name == f"mau-{number}-{code}.pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_receipt_lists_the_components_appointment_and_qr(actors, clock):
    clock.set(vn(24, 11, 9, 30))
    officer = actors["tiepnhan"]
    code = receive(officer)
    drafts.confirm(scan(code, officer, numbered_pdf(1)), metadata(), officer)
    drafts.confirm(
        scan(code, officer, numbered_pdf(2), pages=2, paper_form="photocopy", paper_count=2),
        metadata(),
        officer,
    )
    text = flat(text_of(code, "01", officer))
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert code in text and "Nguyễn Văn An" in text and "001090012345" in text
    assert "Thẻ căn cước công dân 1 0 2" in text  # originals, certified copies, photocopies
    assert "09 giờ 30 phút, ngày 24/11/2026" in text
    assert "Thời gian giải quyết hồ sơ theo quy định là: 10 ngày làm việc" in text
    pdf, _ = slips.slip_pdf(code, "01", officer)
    assert read_qr(pdf) == code


def read_qr(pdf: bytes) -> str:
    """Render page 1 (poppler's pdftoppm) and decode its QR code with OpenCV."""
    import subprocess

    import cv2
    import numpy as np

    png = subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", "150", "-png", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    return cv2.QRCodeDetector().detectAndDecode(image)[0]


def test_supplement_refusal_and_control_slips_follow_the_history(actors, clock):
    clock.set(vn(24, 11, 9))
    officer, expert = actors["tiepnhan"], actors["chuyenvien"]
    code = receive(officer)
    with pytest.raises(Conflict, match="chưa có yêu cầu bổ sung"):
        slips.slip_pdf(code, "02", officer)
    deliver("portal.check_account", {"exists": True})
    clock.set(vn(24, 11, 10))
    complete(code, "reception", officer, RECEPTION)
    clock.set(vn(25, 11, 14))
    complete(
        code,
        "appraisal",
        expert,
        {
            "decision": "supplement",
            "appraisal_note": "Thiếu giấy tờ chứng minh nơi cư trú",
            "supplement_request": "Nộp bản sao giấy xác nhận cư trú",
        },
    )
    text = flat(text_of(code, "02", officer))
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Nộp bản sao giấy xác nhận cư trú" in text
    assert "Thiếu giấy tờ chứng minh nơi cư trú" in text and expert.name in text
    clock.set(vn(26, 11, 10))
    complete(code, "receive_supplement", officer, {"supplement_received": True})
    clock.set(vn(3, 12, 11))
    complete(
        code,
        "appraisal",
        expert,
        {"decision": "refuse", "appraisal_note": "Không đủ điều kiện cấp"},
    )
    # the officer only proposes the refusal: nothing is issued until the leader approves it
    with pytest.raises(Conflict, match="không bị từ chối"):
        slips.slip_pdf(code, "03", officer)
    leader = actors["lanhdao"]
    clock.set(vn(3, 12, 15))
    complete(code, "refusal_approval", leader, {"refusal_decision": "approve"})
    text = flat(text_of(code, "03", officer))
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ" in text
    assert "Không đủ điều kiện cấp" in text
    assert leader.name in text and expert.name not in text  # signed by the leader
    control = flat(text_of(code, "06", officer))
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in control
    for step in ("Tiếp nhận hồ sơ", "Thẩm định hồ sơ", "Phê duyệt từ chối giải quyết"):
        assert step in control
    assert "Trước hạn" in control or "Đúng hạn" in control
    assert "Quá hạn" in control  # the second appraisal ran past its 5-day step deadline
    assert officer.name in control and expert.name in control and leader.name in control


def test_a_refusal_the_leader_returned_then_approved_is_signed_by_the_approving_leader(
    actors, clock
):
    clock.set(vn(24, 11, 9))
    officer, expert = actors["tiepnhan"], actors["chuyenvien"]
    code = receive(officer)
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", officer, RECEPTION)
    refuse = {"decision": "refuse", "appraisal_note": "Không thuộc thẩm quyền"}
    complete(code, "appraisal", expert, refuse)
    complete(
        code,
        "refusal_approval",
        actors["lanhdao"],
        {"refusal_decision": "return", "refusal_note": "Ghi rõ căn cứ pháp lý"},
    )
    with pytest.raises(Conflict):
        slips.slip_pdf(code, "03", officer)
    complete(
        code,
        "appraisal",
        expert,
        {**refuse, "appraisal_note": "Không thuộc thẩm quyền theo Điều 5 Luật LLTP"},
    )
    deputy = colleague("lanhdao", "leader", "phogiamdoc", "Đoàn Thị Phương")
    complete(code, "refusal_approval", deputy, {"refusal_decision": "approve"})
    text = flat(text_of(code, "03", officer))
    assert "Điều 5 Luật LLTP" in text  # the reason of the refusal that was approved
    assert deputy.name in text
    assert actors["lanhdao"].name not in text and expert.name not in text


def test_apology_slip_shows_the_old_and_new_appointments(actors, clock):
    clock.set(vn(24, 11, 9))
    officer = actors["tiepnhan"]
    code = receive(officer)
    with pytest.raises(Conflict):
        slips.slip_pdf(code, "04", officer)
    apologies.record_apology(
        code, date(2026, 12, 15), "Phải xác minh thêm tại cơ quan khác", actors["lanhdao"]
    )
    text = flat(text_of(code, "04", officer))
    assert "VĂN BẢN XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "Phải xác minh thêm tại cơ quan khác" in text
    assert "ngày 08/12/2026" in text and "ngày 15/12/2026" in text


def test_slips_that_do_not_apply_say_why(actors):
    officer = actors["tiepnhan"]
    code = receive(officer)
    available = {c.number: c.available for c in slips.choices(code, officer)}
    assert available == {"01": True, "02": False, "03": False, "04": False, "05": False, "06": True}
    with pytest.raises(Conflict, match="không bị dừng"):
        slips.slip_pdf(code, "05", officer)
    with pytest.raises(NotFound):
        slips.slip_pdf(code, "07", officer)


NEW_ACCOUNT = {
    "account_action": "create",
    "gender": "Nữ",
    "birth_date": "1995-03-04",
    "permanent_address": "Phường Phố Hiến, tỉnh Hưng Yên",
    "phone": "0901234567",
    "email": "binh.tran@example.vn",
}


def through_account_creation(officer) -> str:
    """A dossier received with no contact details, whose citizen has no portal account: the
    counter officer enters the phone and e-mail in the account step's form."""
    code = receive(officer)
    deliver("portal.check_account", {"exists": False, "account": None})
    complete(code, "create_portal_account", officer, NEW_ACCOUNT)
    deliver("portal.create_account", {"account": {"id": "VN-000001"}})
    deliver("portal.check_account", {"exists": True})
    return code


def test_receipt_carries_the_phone_and_email_entered_at_the_account_step(actors):
    officer = actors["tiepnhan"]
    code = through_account_creation(officer)
    complete(code, "reception", officer, RECEPTION)
    text = flat(text_of(code, "01", officer))
    assert "Số điện thoại: 0901234567; thư điện tử: binh.tran@example.vn" in text


def test_receipt_carries_the_contact_details_corrected_at_reception(actors):
    officer = actors["tiepnhan"]
    code = through_account_creation(officer)
    complete(
        code,
        "reception",
        officer,
        {**RECEPTION, "applicant_phone": "0988777666", "applicant_email": "binh@hungyen.vn"},
    )
    text = flat(text_of(code, "01", officer))
    assert "Số điện thoại: 0988777666; thư điện tử: binh@hungyen.vn" in text


def test_receipt_without_any_contact_details_shows_dashes_not_blanks(actors):
    officer = actors["tiepnhan"]
    code = receive(officer)
    text = flat(text_of(code, "01", officer))
    assert "Số điện thoại: —; thư điện tử: —" in text

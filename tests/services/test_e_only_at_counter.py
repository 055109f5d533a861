"""The citizen's "electronic result only" choice at the counter (001 §II.2.c Bước 4): stored on
the dossier, printed on slip 01 and honoured when the result is returned (no paper step)."""

from __future__ import annotations

from sqlalchemy import select

from app.models import Dossier
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from app.storage.db import db
from tests.services.helpers import complete, deliver, open_task
from tests.services.test_slips import flat, text_of

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}


def _receive(actor, **extra) -> str:
    return receive_dossier(
        ReceiveDossier("1.005092", "cccd", "001090012345", "Nguyễn Văn An", extra=extra), actor
    )


def _decide(code: str, actors) -> None:
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    complete(
        code, "appraisal", actors["chuyenvienhc"], {"decision": "accept", "appraisal_note": "Đủ"}
    )
    complete(
        code,
        "approval",
        actors["truongphong"],
        {"approval_decision": "approve", "result_name": "Bản sao văn bằng"},
    )
    deliver("warehouse.store_result", {"document_id": "DOC-9", "key": "k"})


def test_001_II_2_c_step_4_a_citizen_asking_for_the_e_result_only_gets_no_paper_return(actors):
    code = _receive(actors["tiepnhan"], e_only=True)
    _decide(code, actors)
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        assert dossier.data["e_only"] is True
        assert dossier.status == 10 and dossier.finished_at is not None
    assert open_task(code, "return_result") is None


def test_without_the_choice_the_result_waits_for_the_paper_return_step(actors):
    code = _receive(actors["tiepnhan"])
    _decide(code, actors)
    assert open_task(code, "return_result") is not None


def test_slip_01_says_the_result_is_electronic_only_instead_of_a_place_to_collect(actors):
    officer = actors["tiepnhan"]
    e_only = flat(text_of(_receive(officer, e_only=True), "01", officer))
    paper = flat(text_of(_receive(officer), "01", officer))
    assert "chỉ nhận kết quả điện tử" in e_only and "Đăng ký nhận kết quả tại" not in e_only
    assert "Đăng ký nhận kết quả tại" in paper and "chỉ nhận kết quả điện tử" not in paper

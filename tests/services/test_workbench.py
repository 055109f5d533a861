"""The step's workbench: the earlier steps in words, the components with their state, the
latest supplement and its files confirmed or rejected from the step's screen."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.documents.intake import Upload
from app.models import AuditEvent, Document, HumanTask
from app.services.citizens import actions, online
from app.services.citizens.portal_sign_in import Citizen
from app.services.core import queue
from app.services.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.services.documents import drafts, supplement_review
from app.services.dossiers import dossier_queries, tasks
from app.storage.db import db
from tests.documents.scans import numbered_pdf
from tests.services.helpers import complete, deliver, open_task, receive

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}
SUPPLEMENT = {
    "decision": "supplement",
    "appraisal_note": "Thiếu văn bản uỷ quyền",
    "supplement_request": "Nộp văn bản uỷ quyền",
}
ACCEPT = {"decision": "accept", "appraisal_note": "Đủ hồ sơ sau bổ sung"}


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def scan(code: str, actor, type_code: str = "TK.UQ.01") -> int:
    return drafts.digitize(
        drafts.Digitize(code, type_code, "required_by_law", "original", 1),
        [Upload("uq.pdf", io.BytesIO(numbered_pdf(1)))],
        actor,
    )


def supplemented(actors) -> tuple[str, int]:
    """Received, sent back for a supplement, the paper brought to the counter and scanned:
    the appraisal is open again with the scan waiting confirmation."""
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    complete(code, "appraisal", actors["chuyenvien"], SUPPLEMENT)
    document_id = scan(code, actors["tiepnhan"])
    complete(
        code,
        "receive_supplement",
        actors["tiepnhan"],
        {"supplement_received": True, "supplement_note": "Công dân nộp bản uỷ quyền"},
    )
    return code, document_id


def test_history_is_in_words_with_only_each_steps_latest_answer(actors):
    code, _ = supplemented(actors)
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    detail = dossier_queries.task_detail(open_task(code, "approval").id, actors["lanhdao"])
    titles = [step.title for step in detail.previous]
    assert titles.count("Thẩm định hồ sơ") == 1 and titles[-1] == "Thẩm định hồ sơ"
    reception = next(s for s in detail.previous if s.title == "Tiếp nhận hồ sơ")
    assert reception.actor and reception.at
    words = {a.label: a.value for a in reception.answers}
    assert words["Đã kiểm tra đủ thành phần hồ sơ theo quy định"] is True
    assert words["Số bản chính"] == "1"
    appraisal = {a.label: a.value for a in detail.previous[-1].answers}
    assert appraisal == {
        "Kết quả thẩm định": "Đủ điều kiện, trình lãnh đạo phê duyệt",
        "Ý kiến thẩm định": "Đủ hồ sơ sau bổ sung",
    }
    labels = {a.label for s in detail.previous for a in s.answers}
    assert not labels & {"decision", "components_checked", "supplement_request"}


def test_data_a_step_restricts_stays_hidden_in_the_history(actors):
    code, _ = supplemented(actors)
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    complete(
        code,
        "approval",
        actors["lanhdao"],
        {"approval_decision": "return", "approval_note": "bí mật nội bộ"},
    )
    detail = dossier_queries.task_detail(open_task(code, "appraisal").id, actors["tiepnhan"])
    approval = next(s for s in detail.previous if s.title == "Phê duyệt kết quả")
    assert approval.answers is None and "leader" in approval.hidden_for_roles
    seen = dossier_queries.task_detail(open_task(code, "appraisal").id, actors["chuyenvien"])
    shown = next(s for s in seen.previous if s.title == "Phê duyệt kết quả")
    assert {a.value for a in shown.answers} >= {"bí mật nội bộ"}


def test_the_next_step_sees_the_supplement_note_request_and_waiting_file(actors):
    code, document_id = supplemented(actors)
    detail = dossier_queries.task_detail(open_task(code, "appraisal").id, actors["chuyenvien"])
    s = detail.supplement
    assert s.note == "Công dân nộp bản uỷ quyền" and s.channel == "counter"
    assert s.request == "Nộp văn bản uỷ quyền"
    assert [(f.document_id, f.state) for f in s.files] == [(document_id, "waiting")]
    assert s.waiting == 1 and detail.may_review
    states = {c.document_id: c.state for c in detail.components if c.document_id}
    assert states == {document_id: "waiting"}
    # the components the procedure expects and nobody digitized are the paper received
    paper = {c.type_code: c.state for c in detail.components if not c.document_id}
    assert paper == {"TK.LLTP.01": "received", "KQ.G01.000023": "received"}


TYPED = {
    "field_document_number": "UQ-12",
    "field_issued_on": "01/11/2026",
    "field_issuer": "UBND",
    "validity": "indefinite",  # 001 §II.2.c (5): chosen by the officer, never assumed
}


def test_before_reception_completes_no_paper_is_counted_as_received(actors):
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    detail = dossier_queries.task_detail(open_task(code, "reception").id, actors["tiepnhan"])
    assert {c.state for c in detail.components} == {"missing"}
    assert detail.supplement is None and detail.previous == []


def test_confirming_asks_for_the_types_required_fields(actors):
    code, document_id = supplemented(actors)
    task_id = open_task(code, "appraisal").id
    detail = dossier_queries.task_detail(task_id, actors["chuyenvien"])
    [file] = detail.supplement.files
    assert {(m.name, m.required) for m in file.fields} >= {("document_number", True)}
    # 001 §II.2.c: summary and scope offered pre-filled, the validity left to the officer
    assert file.six["summary"] and file.six["validity_scope"] == "national"
    assert not file.six["validity"]
    with pytest.raises(InvalidInput) as refused:
        supplement_review.confirm_file(task_id, document_id, actors["chuyenvien"])
    assert {"field_document_number", "validity"} <= set(refused.value.fields)
    with db.transaction() as session:
        assert session.get(Document, document_id).state == "draft"


def test_confirming_stores_the_file_once_and_audits_it(actors):
    code, document_id = supplemented(actors)
    task_id = open_task(code, "appraisal").id
    key = supplement_review.confirm_file(task_id, document_id, actors["chuyenvien"], TYPED)
    with db.transaction() as session:
        document = session.get(Document, document_id)
        assert (document.state, document.storage_key) == ("stored", key)
        kinds = session.scalars(
            select(AuditEvent.kind).where(
                AuditEvent.data["document_id"].as_integer() == document_id
            )
        ).all()
    assert "supplement_confirmed" in kinds
    detail = dossier_queries.task_detail(task_id, actors["chuyenvien"])
    assert [f.state for f in detail.supplement.files] == ["supplemented"]
    assert {c.state for c in detail.components if c.document_id} == {"supplemented"}
    with pytest.raises(Conflict):
        supplement_review.confirm_file(task_id, document_id, actors["chuyenvien"], TYPED)
    with pytest.raises(Conflict):
        supplement_review.reject_file(task_id, document_id, "muộn", actors["chuyenvien"])


def test_rejecting_needs_a_reason_and_keeps_it(actors):
    code, document_id = supplemented(actors)
    task_id = open_task(code, "appraisal").id
    for reason in ("", "   ", "x" * 1001):
        with pytest.raises(InvalidInput):
            supplement_review.reject_file(task_id, document_id, reason, actors["chuyenvien"])
    supplement_review.reject_file(
        task_id, document_id, "Bản mờ, không đọc được", actors["chuyenvien"]
    )
    detail = dossier_queries.task_detail(task_id, actors["chuyenvien"])
    [file] = detail.supplement.files
    assert (file.state, file.reason) == ("rejected", "Bản mờ, không đọc được")
    assert detail.supplement.waiting == 0


def test_a_file_of_another_dossier_cannot_be_reviewed_through_this_step(actors):
    code, _ = supplemented(actors)
    other_code, other_document = supplemented(actors)
    task_id = open_task(code, "appraisal").id
    with pytest.raises(NotFound):
        supplement_review.confirm_file(task_id, other_document, actors["chuyenvien"])
    with pytest.raises(NotFound):
        supplement_review.reject_file(task_id, other_document, "lý do", actors["chuyenvien"])
    with pytest.raises(NotFound):
        supplement_review.confirm_file(task_id, 10**9, actors["chuyenvien"])
    with db.transaction() as session:
        assert session.get(Document, other_document).state == "draft"
    assert other_code != code


def test_who_does_not_digitize_or_sees_another_agency_cannot_review(actors):
    code, document_id = supplemented(actors)
    task_id = open_task(code, "appraisal").id
    with pytest.raises(Forbidden):
        supplement_review.confirm_file(task_id, document_id, actors["lanhdao"])
    with pytest.raises(NotFound):
        supplement_review.confirm_file(task_id, document_id, actors["chuyenvientc"])


def test_an_online_supplement_shows_the_citizens_note(actors):
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    complete(code, "appraisal", actors["chuyenvien"], SUPPLEMENT)
    actions.supplement(code, "Tôi gửi lại bản uỷ quyền có công chứng", [])
    detail = dossier_queries.task_detail(open_task(code, "appraisal").id, actors["chuyenvien"])
    assert detail.supplement.channel == "online"
    assert detail.supplement.note == "Tôi gửi lại bản uỷ quyền có công chứng"


def online_supplement(actors) -> tuple[str, int]:
    """The citizen sends the supplement on the portal with a file: a draft from the portal."""
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    complete(code, "appraisal", actors["chuyenvien"], SUPPLEMENT)
    citizen = Citizen(1, "VN-000001", "cccd", "001090012345", "Nguyễn Văn An")
    online.send_supplement(
        citizen,
        code,
        "Gửi văn bản uỷ quyền",
        "TK.UQ.01",
        [Upload("uq.pdf", io.BytesIO(numbered_pdf(2)))],
    )
    with db.transaction() as session:
        [document_id] = session.scalars(
            select(Document.id).where(Document.source == "online", Document.state == "draft")
        ).all()
    return code, document_id


def test_a_citizens_file_waits_for_the_next_step_to_confirm_it(actors):
    code, document_id = online_supplement(actors)
    detail = dossier_queries.task_detail(open_task(code, "appraisal").id, actors["chuyenvien"])
    s = detail.supplement
    assert (s.channel, s.note, s.waiting) == ("online", "Gửi văn bản uỷ quyền", 1)
    [file] = s.files
    assert (file.document_id, file.state, file.pages) == (document_id, "waiting", 2)
    key = supplement_review.confirm_file(
        open_task(code, "appraisal").id, document_id, actors["chuyenvien"], TYPED
    )
    assert key.startswith("001090012345.TK.UQ.01")


def test_only_the_approval_previews_the_result_to_its_leader(actors):
    code, _ = supplemented(actors)
    appraisal = open_task(code, "appraisal").id
    assert not dossier_queries.task_detail(appraisal, actors["chuyenvien"]).previews_result
    with pytest.raises(NotFound):
        dossier_queries.result_preview(appraisal, actors["chuyenvien"])
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    approval = open_task(code, "approval").id
    assert dossier_queries.task_detail(approval, actors["lanhdao"]).previews_result
    pdf, shown_code = dossier_queries.result_preview(approval, actors["lanhdao"])
    assert pdf.startswith(b"%PDF") and shown_code == code
    assert b"/ByteRange" not in pdf  # not signed
    with pytest.raises(NotFound):
        dossier_queries.result_preview(approval, actors["chuyenvien"])
    with db.transaction() as session:
        results = session.scalars(select(Document).where(Document.source == "result")).all()
    assert results == []  # nothing stored by looking


def test_each_consulted_agency_keeps_its_own_answer_in_the_history(actors):
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    complete(
        code,
        "appraisal",
        actors["chuyenvien"],
        {
            "decision": "consult",
            "appraisal_note": "Cần ý kiến",
            "consult_agency_codes": "000.00.07.H31, 000.01.12.H31",
        },
    )
    for officer, opinion in (("congan", "Không có án tích"), ("chuyenvienhc", "Đồng ý")):
        actor = actors[officer]
        with db.transaction() as session:
            task_id = session.scalar(
                select(HumanTask.id).where(
                    HumanTask.element_id == "consult",
                    HumanTask.state == "open",
                    HumanTask.agency_id.in_([agency for _, agency in actor.roles]),
                )
            )
        tasks.complete_task(task_id, actor, {"consult_opinion": opinion})
    detail = dossier_queries.task_detail(open_task(code, "appraisal").id, actors["chuyenvien"])
    opinions = [
        a.value
        for s in detail.previous
        if s.title == "Cho ý kiến phối hợp"
        for a in s.answers or []
        if a.label == "Ý kiến của cơ quan phối hợp"
    ]
    assert sorted(opinions) == ["Không có án tích", "Đồng ý"]

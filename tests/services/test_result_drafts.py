"""The real result (001 §II.2.b Bước 5, 004 §2): the processing officer fills the procedure's
result template (or uploads the decision made elsewhere), the leader approves the version they
read, and that very draft is signed, stored and carries what was decided."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app import settings
from app.documents import signing
from app.documents.pki import demo_pki
from app.documents.result_document import ResultPage, render
from app.models import AuditEvent, Document, Dossier, OutboxMessage, Procedure, ResultDraft
from app.models.base import utcnow
from app.services.core.errors import Conflict, InvalidInput, NotFound
from app.services.documents import result_drafts
from app.services.dossiers import tasks
from app.storage.db import db
from app.storage.files import file_store
from tests.services.helpers import complete, deliver, open_task, receive, run_deferred

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}
ACCEPT = {"decision": "accept", "appraisal_note": "Đủ điều kiện"}
APPROVE = {"approval_decision": "approve", "result_name": "Phiếu lý lịch tư pháp số 1"}
FILLED = {
    "ho_ten": "Nguyễn Văn An",
    "so_dinh_danh": "001090012345",
    "noi_cu_tru": "Số 12 Hàng Bài, Hoàn Kiếm",
    "an_tich": "Có 01 án tích: phạt tiền 5.000.000 đồng, đã được xoá án tích",
    "cam_dam_nhiem": "Không bị cấm",
}


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def at_appraisal(actors) -> tuple[str, str]:
    """A dossier received and at its appraisal, claimed by the processing officer."""
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    task = open_task(code, "appraisal")
    tasks.claim_task(task.id, actors["chuyenvien"])
    return code, task.id


def approval_task(code: str) -> str:
    task = open_task(code, "approval")
    assert task is not None
    return task.id


def drafts_of(code: str) -> list[ResultDraft]:
    with db.transaction() as session:
        rows = session.scalars(
            select(ResultDraft)
            .join(Dossier, Dossier.id == ResultDraft.dossier_id)
            .where(Dossier.code == code)
            .order_by(ResultDraft.version)
        ).all()
        session.expunge_all()
        return list(rows)


def result_of(code: str) -> Document | None:
    with db.transaction() as session:
        row = session.scalar(
            select(Document)
            .join(Dossier, Dossier.id == Document.dossier_id)
            .where(Document.source == "result", Dossier.code == code)
        )
        if row is not None:
            session.expunge(row)
        return row


def bytes_of(sha256: str) -> bytes:
    return file_store().path(sha256).read_bytes()


def set_template(code: str, template: dict | None) -> None:
    with db.transaction() as session:
        session.scalar(select(Procedure).where(Procedure.code == code)).result_template = template


def test_model_the_officer_fills_the_template_the_leader_approves_and_the_stored_result_says_it(
    actors,
):
    """001 §II.2.b Bước 5 end to end through the engine: filled → approved → signed → stored."""
    code, appraisal = at_appraisal(actors)
    version = result_drafts.save_filled(appraisal, actors["chuyenvien"], FILLED)
    assert version == 1
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    approval = approval_task(code)
    tasks.complete_task(approval, actors["lanhdao"], APPROVE, seen_result_version=1)
    run_deferred()  # the worker issues the approved result

    [draft] = drafts_of(code)
    result = result_of(code)
    signed = bytes_of(result.file_sha256)
    # the draft the leader read is what was signed: signing only appends to its bytes
    assert signed.startswith(bytes_of(draft.file_sha256))
    assert draft.document_id == result.id and draft.approved_at is not None
    text = text_of(signed)
    for value in FILLED.values():
        assert value in text
    assert "PHIẾU LÝ LỊCH TƯ PHÁP SỐ 1" in text and code in text
    assert result.name == "Phiếu lý lịch tư pháp số 1"
    verdicts = signing.verify(file_store().path(result.file_sha256), [demo_pki().ca_cert_path])
    assert [(v.state, v.signer) for v in verdicts][0] == ("valid", actors["lanhdao"].name)
    assert len(verdicts) == 2 and all(v.ok for v in verdicts)
    # what was decided travels with it to the warehouse (004 §2)
    with db.transaction() as session:
        call = session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.operator == "warehouse.store_result",
                OutboxMessage.dossier_id == result.dossier_id,
            )
        )
        assert call.params["document_id"] == result.id
    assert result.fields["an_tich"] == FILLED["an_tich"]


def test_a_proposal_without_a_filled_result_drafts_the_template_defaults(actors):
    code, _appraisal = at_appraisal(actors)
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)

    [draft] = drafts_of(code)
    assert draft.values["ho_ten"] == "Nguyễn Văn An"
    assert draft.values["an_tich"] == "Không có án tích"
    with db.transaction() as session:
        event = session.scalar(
            select(AuditEvent).where(
                AuditEvent.kind == "result_drafted", AuditEvent.dossier_id == draft.dossier_id
            )
        )
        assert event.data["automatic"] is True


def test_a_required_field_without_a_default_must_be_filled_before_proposing(actors):
    template = {
        "title": "Quyết định",
        "fields": [{"name": "noi_dung", "label": "Nội dung quyết định", "required": True}],
        "body": "Quyết định: {noi_dung}",
    }
    set_template("2.000488", template)
    code, appraisal = at_appraisal(actors)
    with pytest.raises(InvalidInput, match="Nội dung quyết định"):
        complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    assert drafts_of(code) == []
    result_drafts.save_filled(appraisal, actors["chuyenvien"], {"noi_dung": "Cấp phiếu"})
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    assert open_task(code, "approval") is not None


def test_approving_an_outdated_version_is_refused_409_and_nothing_is_signed(actors):
    code, appraisal = at_appraisal(actors)
    result_drafts.save_filled(appraisal, actors["chuyenvien"], FILLED)
    result_drafts.save_filled(
        appraisal, actors["chuyenvien"], {**FILLED, "an_tich": "Không có án tích (đã sửa)"}
    )
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    approval = approval_task(code)

    with pytest.raises(Conflict, match="phiên bản 2"):
        tasks.complete_task(approval, actors["lanhdao"], APPROVE, seen_result_version=1)
    assert result_of(code) is None and open_task(code, "approval") is not None

    tasks.complete_task(approval, actors["lanhdao"], APPROVE, seen_result_version=2)
    run_deferred()  # the worker issues the approved result
    assert "Không có án tích (đã sửa)" in text_of(bytes_of(result_of(code).file_sha256))


def test_a_draft_saved_after_the_approval_opened_is_not_signed_unseen(actors):
    code, _appraisal = at_appraisal(actors)
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    approval = approval_task(code)
    [first] = drafts_of(code)
    with db.transaction() as session:  # a version appearing while the leader reads
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        template = result_drafts.template_of(dossier.procedure)
        session.add(
            ResultDraft(
                dossier_id=dossier.id,
                version=2,
                kind="filled",
                title=template.title,
                values={},
                file_sha256=first.file_sha256,
                size=1,
                created_at=utcnow(),
            )
        )
    with pytest.raises(Conflict):
        tasks.complete_task(approval, actors["lanhdao"], APPROVE)
    assert result_of(code) is None


def test_approving_without_any_draft_is_refused(actors):
    set_template("2.000488", None)
    code, _appraisal = at_appraisal(actors)
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)  # no template: nothing drafted
    from app.services.process_models.demo_results import RESULT_TEMPLATES

    set_template("2.000488", RESULT_TEMPLATES["2.000488"])
    with pytest.raises(InvalidInput, match="Chưa có dự thảo"):
        tasks.complete_task(approval_task(code), actors["lanhdao"], APPROVE)
    assert result_of(code) is None


def test_a_procedure_without_a_template_keeps_the_generic_result(actors):
    set_template("2.000488", None)
    code, _appraisal = at_appraisal(actors)
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    tasks.complete_task(approval_task(code), actors["lanhdao"], APPROVE)
    run_deferred()  # the worker issues the approved result
    assert drafts_of(code) == [] and result_of(code) is not None


def test_markup_in_values_is_printed_as_typed_never_interpreted(actors):
    code, appraisal = at_appraisal(actors)
    hostile = '<script>alert(1)</script><b>x</b> & <font size="40">y</font>'
    result_drafts.save_filled(appraisal, actors["chuyenvien"], {**FILLED, "an_tich": hostile})
    [draft] = drafts_of(code)
    assert hostile in text_of(bytes_of(draft.file_sha256))


def test_huge_values_unknown_fields_and_bad_dates_are_refused_by_field(actors):
    code, appraisal = at_appraisal(actors)
    with pytest.raises(InvalidInput) as refused:
        result_drafts.save_filled(
            appraisal,
            actors["chuyenvien"],
            {**FILLED, "an_tich": "x" * 5001, "ho_ten": "", "smuggled": "1"},
        )
    assert set(refused.value.fields) == {"an_tich", "ho_ten", "smuggled"}
    assert drafts_of(code) == []


def test_only_the_officer_holding_the_fill_step_saves_a_draft(actors):
    code, appraisal = at_appraisal(actors)
    with pytest.raises(Conflict):
        result_drafts.save_filled(appraisal, actors["tiepnhan"], FILLED)
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    with pytest.raises(NotFound):  # the approval previews the result, it does not fill it
        result_drafts.save_filled(approval_task(code), actors["lanhdao"], FILLED)


def test_an_uploaded_non_pdf_is_refused(actors):
    code, appraisal = at_appraisal(actors)
    with pytest.raises(InvalidInput, match="PDF"):
        result_drafts.save_uploaded(
            appraisal, actors["chuyenvien"], io.BytesIO(b"<html>not a pdf</html>"), ""
        )
    with pytest.raises(InvalidInput, match="PDF"):
        result_drafts.save_uploaded(appraisal, actors["chuyenvien"], io.BytesIO(b""), "")
    pdf = io.BytesIO(_decision_pdf("Quyết định"))
    with pytest.raises(InvalidInput, match="HTML"):  # the name Kho DL would refuse
        result_drafts.save_uploaded(appraisal, actors["chuyenvien"], pdf, "<b>Quyết định</b>")
    assert drafts_of(code) == []


def test_an_uploaded_pdf_over_the_limit_is_refused(actors, monkeypatch):
    code, appraisal = at_appraisal(actors)
    monkeypatch.setattr(settings.current, "RESULT_UPLOAD_MAX_BYTES", 2048)
    pdf = _decision_pdf("Quyết định số 12/QĐ-UBND") + b"%" * 4096
    with pytest.raises(InvalidInput, match="quá lớn"):
        result_drafts.save_uploaded(appraisal, actors["chuyenvien"], io.BytesIO(pdf), "")
    assert drafts_of(code) == []


def test_an_uploaded_signed_decision_is_verified_and_signed_again_on_approval(actors, tmp_path):
    code, appraisal = at_appraisal(actors)
    source = tmp_path / "decision.pdf"
    source.write_bytes(_decision_pdf("Quyết định số 12/QĐ-UBND cấp phiếu cho Nguyễn Văn An"))
    pki = demo_pki()
    chairman = pki.identity("officer", "chutich", "Chủ tịch UBND", "UBND tỉnh")
    signed = tmp_path / "signed.pdf"
    with open(signed, "wb") as out:
        signing.sign(source, out, chairman, field_name="ChuTich")
    version = result_drafts.save_uploaded(
        appraisal, actors["chuyenvien"], io.BytesIO(signed.read_bytes()), "Quyết định cấp phiếu"
    )
    [draft] = drafts_of(code)
    assert version == 1 and draft.kind == "uploaded" and draft.title == "Quyết định cấp phiếu"
    assert [v["state"] for v in draft.signatures] == ["valid"]

    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    tasks.complete_task(approval_task(code), actors["lanhdao"], APPROVE, seen_result_version=1)
    run_deferred()  # the worker issues the approved result
    result = result_of(code)
    stored = bytes_of(result.file_sha256)
    assert stored.startswith(signed.read_bytes())
    assert "Quyết định số 12/QĐ-UBND" in text_of(stored)
    verdicts = signing.verify(file_store().path(result.file_sha256), [pki.ca_cert_path])
    assert len(verdicts) == 3 and all(v.ok for v in verdicts)


def test_an_uploaded_unsigned_pdf_is_taken_but_flagged(actors):
    code, appraisal = at_appraisal(actors)
    result_drafts.save_uploaded(
        appraisal, actors["chuyenvien"], io.BytesIO(_decision_pdf("Quyết định")), ""
    )
    [draft] = drafts_of(code)
    assert draft.signatures == []


def _decision_pdf(text: str) -> bytes:
    return render(
        ResultPage("UBND TỈNH", "UBND tỉnh Hưng Yên", "12/QĐ", "", utcnow(), text, text, "CT", "-")
    )

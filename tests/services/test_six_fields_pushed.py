"""Every document stored or pushed to Kho DL carries the six mandatory fields (001 §II.2.c
"Một số yêu cầu"): a digitized component, its certified copy, a document reused from Kho DL
and the procedure's result, each pushed over real HTTP and read back from the simulator."""

from __future__ import annotations

from datetime import date

import pytest
import requests
from sqlalchemy import select

from app.domain.document_metadata import OWNER_DETAILS, missing, wire
from app.integrations.warehouse import WarehouseClient
from app.models import AuditEvent, Document, Dossier, Incident, OutboxMessage, Procedure
from app.services.core.errors import Conflict, Forbidden, InvalidInput
from app.services.core.outbox import retry_incident
from app.services.documents import certified_copies, completion, drafts, results, views
from app.services.documents.reused_documents import store_reused
from app.services.documents.storage import push, six_fields_of
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from app.storage.db import db
from app.storage.files import file_store
from tests.documents.scans import numbered_pdf
from tests.services.helpers import complete, deliver
from tests.services.test_documents import metadata, row, scan
from tests.support.warehouse_records import six_fields

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}
ACCEPT = {"decision": "accept", "appraisal_note": "Đủ"}
APPROVE = {"approval_decision": "approve", "result_name": "Phiếu lý lịch tư pháp số 1"}
SIX = (
    "type_code",
    "owner_id_type",
    "owner_id",
    "owner_name",
    "name",
    "summary",
    "validity",
    "valid_from",
    "valid_until",
    "validity_scope",
)


def receive_for(actor, owner_id_type="cccd", owner_id="001090012345", name="Nguyễn Văn An"):
    return receive_dossier(ReceiveDossier("2.000488", owner_id_type, owner_id, name), actor)


def reuse_from_kho_dl(code: str, warehouse_url: str, actor) -> int:
    """What reuse by content does: fetch the citizen's birth certificate from Kho DL and store
    it in the dossier with the metadata it came with."""
    client = WarehouseClient(warehouse_url)
    kept = six_fields("001090012345", "KQ.G15.000031", "Giấy khai sinh", validity_scope="province")
    found = client.store_document(kept, numbered_pdf(1), "birth-certificate")
    record, content = client.fetch_document(found["id"])
    stored = file_store().put_bytes(content)
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        return store_reused(session, dossier, record, (stored.sha256, len(content), 1), actor).id


def pushed(warehouse_url: str, document_id: int) -> dict:
    warehouse_id = row(document_id).warehouse_id
    assert warehouse_id, f"document {document_id} was not pushed"
    return requests.get(f"{warehouse_url}/api/documents/{warehouse_id}", timeout=5).json()


@pytest.mark.simulators
def test_001_II_2_c_each_kind_of_document_reaches_kho_dl_with_its_six_fields(
    actors, drain, warehouse_url
):
    requests.post(f"{warehouse_url}/_sim/reset", timeout=5)
    officer = actors["tiepnhan"]
    code = receive_for(officer)
    drain()
    digitized = scan(code, officer, numbered_pdf(1))
    drafts.confirm(digitized, metadata(), officer)
    copy = certified_copies.certify(digitized, officer)
    reused = reuse_from_kho_dl(code, warehouse_url, officer)
    complete(code, "reception", officer, RECEPTION)
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    complete(code, "approval", actors["lanhdao"], APPROVE)
    drain()
    with db.transaction() as session:
        result = session.scalar(select(Document.id).where(Document.source == "result"))

    kinds = {"scan": digitized, "certified_copy": copy, "reused": reused, "result": result}
    for source, document_id in kinds.items():
        stored = row(document_id)
        assert stored.source == source
        assert missing(six_fields_of(stored)) == [], source
        record = pushed(warehouse_url, document_id)
        expected = wire(six_fields_of(stored))
        assert {k: record[k] for k in SIX} == {k: expected[k] for k in SIX}, source
        assert record["sha256"] == stored.file_sha256 and record["key"] == stored.storage_key
    assert row(reused).validity_scope == "province"  # as the source stated it


@pytest.mark.simulators
def test_the_result_pushed_carries_summary_validity_scope_and_the_owner(
    actors, drain, warehouse_url
):
    """The result's summary comes from the procedure and the approval, its validity and scope
    from the procedure's configuration (001 §II.2.c (4)–(6))."""
    with db.transaction() as session:
        procedure = session.scalar(select(Procedure).where(Procedure.code == "2.000488"))
        procedure.result_validity_months, procedure.result_validity_scope = 6, "province"
    officer, leader = actors["tiepnhan"], actors["lanhdao"]
    code = receive_for(officer)
    drain()
    complete(code, "reception", officer, RECEPTION)
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    complete(code, "approval", leader, APPROVE)
    drain()
    with db.transaction() as session:
        result = session.scalar(select(Document).where(Document.source == "result"))
        session.expunge(result)
    record = pushed(warehouse_url, result.id)
    assert record["owner_name"] == "Nguyễn Văn An" and record["owner_id_type"] == "cccd"
    assert "2.000488" in record["summary"] and code in record["summary"]
    assert f"lãnh đạo {leader.name} phê duyệt" in record["summary"]
    assert record["validity"] == "until" and record["validity_scope"] == "province"
    start = date.fromisoformat(record["valid_from"])
    end = date.fromisoformat(record["valid_until"])
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == 6


def test_a_results_store_call_carries_the_six_fields_whatever_the_model_passes(actors):
    code = receive_for(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    complete(code, "approval", actors["lanhdao"], APPROVE)
    with db.transaction() as session:
        call = session.scalar(
            select(OutboxMessage).where(OutboxMessage.operator == "warehouse.store_result")
        )
        session.expunge(call)
    assert "summary" not in call.params  # the model names only some of them
    sent = results.params_to_deliver(call.id, call.operator, call.params)
    assert missing(sent) == []
    assert sent["validity"] == "indefinite" and sent["validity_scope"] == "national"


def test_001_II_2_c_2_a_result_for_an_owner_without_a_cccd_carries_their_identity_paper(actors):
    officer = actors["tiepnhan"]
    code = receive_for(officer, "passport", "C1234567", "John Smith")
    deliver("portal.check_account", {"exists": True})
    passport = scan(code, officer, numbered_pdf(1))
    drafts.confirm(
        passport,
        metadata(
            owner_id_type="passport",
            owner_id="C1234567",
            owner_name="John Smith",
            owner_birth_year="1985",
            owner_id_issued_on="10/02/2020",
            owner_id_issuer="Cục Quản lý xuất nhập cảnh",
            field_document_number="123456789012",
        ),
        officer,
    )
    complete(code, "reception", officer, RECEPTION)
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    complete(code, "approval", actors["lanhdao"], APPROVE)
    with db.transaction() as session:
        result = session.scalar(select(Document).where(Document.source == "result"))
        details = [getattr(result, key) for key in OWNER_DETAILS]
        assert missing(six_fields_of(result)) == []
    assert details == [1985, date(2020, 2, 10), "Cục Quản lý xuất nhập cảnh"]


def test_a_digitized_owner_without_a_cccd_must_give_birth_year_issue_date_and_issuer(actors):
    officer = actors["tiepnhan"]
    code = receive_for(officer)
    document_id = scan(code, officer, numbered_pdf(1))
    with pytest.raises(InvalidInput) as exc:
        drafts.confirm(document_id, metadata(owner_id_type="cmnd", owner_id="012345678"), officer)
    assert set(exc.value.fields) >= set(OWNER_DETAILS)
    assert row(document_id).state == "draft"


def test_a_document_missing_a_field_is_held_from_kho_dl_and_listed_as_lacking_it(actors):
    """Rows stored before the rule: the list shows what each lacks; nothing incomplete is
    pushed, and a certified copy of one is refused until it is completed."""
    officer = actors["tiepnhan"]
    code = receive_for(officer)
    document_id = scan(code, officer, numbered_pdf(1))
    drafts.confirm(document_id, metadata(), officer)
    with db.transaction() as session:
        old = session.get(Document, document_id)
        old.summary, old.validity, old.validity_scope = "", None, "Toàn quốc"
    listed = {d["id"]: d for d in views.documents_of(code, officer)}
    assert listed[document_id]["missing"] == ["summary", "validity", "validity_scope"]
    assert views.document_view(document_id, officer).missing == listed[document_id]["missing"]
    with pytest.raises(InvalidInput, match="Trích yếu nội dung, Thời hạn hiệu lực"):
        certified_copies.certify(document_id, officer)
    with db.transaction() as session:
        old = session.get(Document, document_id)
        assert push(session, old) is False
    with db.transaction() as session:
        held = session.scalar(select(AuditEvent).where(AuditEvent.kind == "document_push_held"))
        assert held.data["missing"] == ["summary", "validity", "validity_scope"]


@pytest.mark.simulators
def test_an_officer_completes_what_an_old_document_lacks_and_it_is_then_pushed(
    actors, drain, warehouse_url
):
    officer = actors["tiepnhan"]
    code = receive_for(officer)
    document_id = scan(code, officer, numbered_pdf(1))
    drafts.confirm(document_id, metadata(), officer)
    with db.transaction() as session:  # as stored before the rule, never pushed
        old = session.get(Document, document_id)
        old.summary, old.validity, old.validity_scope = "Thẻ CCCD", None, ""
        session.query(OutboxMessage).delete()
    assert completion.inputs_for(["validity", "validity_scope"]) == [
        "validity",
        "valid_from",
        "valid_until",
        "validity_scope",
    ]
    with pytest.raises(Forbidden):
        completion.complete_metadata(document_id, {}, actors["lanhdao"])
    with pytest.raises(InvalidInput) as refused:
        completion.complete_metadata(
            document_id,
            {"validity": "until", "valid_from": "01/06/2026", "valid_until": "01/01/2026"},
            officer,
        )
    assert {"valid_until", "validity_scope"} <= set(refused.value.fields)
    filled = completion.complete_metadata(
        document_id,
        # only what is missing is taken: the summary stays as signed
        {"validity": "indefinite", "validity_scope": "national", "summary": "<b>x</b>"},
        officer,
    )
    assert filled == ["validity", "validity_scope"]
    stored = row(document_id)
    assert (stored.summary, stored.validity, stored.validity_scope) == (
        "Thẻ CCCD",
        "indefinite",
        "national",
    )
    with pytest.raises(Conflict):
        completion.complete_metadata(document_id, {}, officer)
    drain()
    assert pushed(warehouse_url, document_id)["validity"] == "indefinite"


DETAILS = {
    "owner_birth_year": "1985",
    "owner_id_issued_on": "10/02/2020",
    "owner_id_issuer": "Cục Quản lý xuất nhập cảnh",
}


def test_001_II_2_c_2_the_counter_records_the_identity_paper_the_result_then_carries(actors):
    officer = actors["tiepnhan"]
    code = receive_dossier(
        ReceiveDossier("2.000488", "passport", "C7654321", "Jane Doe", extra=DETAILS), officer
    )
    with db.transaction() as session:
        data = session.scalar(select(Dossier.data).where(Dossier.code == code))
    assert (data["owner_birth_year"], data["owner_id_issued_on"]) == (1985, "2020-02-10")
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", officer, RECEPTION)
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    complete(code, "approval", actors["lanhdao"], APPROVE)
    with db.transaction() as session:
        result = session.scalar(select(Document).where(Document.source == "result"))
        assert missing(six_fields_of(result)) == []
        assert result.owner_id_issuer == "Cục Quản lý xuất nhập cảnh"


@pytest.mark.parametrize(
    ("owner", "extra", "refused"),
    [
        (("passport", "C7654321"), {"owner_birth_year": "1985"}, "owner_id_issuer"),
        (("passport", "C7654321"), {**DETAILS, "owner_id_issuer": "<b>CA</b>"}, "owner_id_issuer"),
        (("passport", "C7654321"), {**DETAILS, "owner_birth_year": "9" * 5000}, "owner_birth_year"),
        (("cccd", "079095000123"), DETAILS, "owner_birth_year"),  # a CCCD owner has none
    ],
)
def test_the_counter_refuses_an_identity_paper_half_given_or_spoiled(actors, owner, extra, refused):
    with pytest.raises(InvalidInput) as exc:
        receive_dossier(
            ReceiveDossier("2.000488", *owner, "Jane Doe", extra=extra), actors["tiepnhan"]
        )
    assert refused in exc.value.fields


@pytest.mark.simulators
def test_a_result_kho_dl_refused_for_a_missing_field_goes_through_once_completed(
    actors, drain, warehouse_url
):
    """A passport owner whose identity paper is nowhere on record: Kho DL refuses the result
    naming the field (an incident, not a silent loss); an officer completes it on the
    document's page and the supervisor's retry sends the completed row."""
    officer = actors["tiepnhan"]
    code = receive_for(officer, "passport", "C2345678", "Jane Roe")
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", officer, RECEPTION)
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    complete(code, "approval", actors["lanhdao"], APPROVE)
    drain()
    with db.transaction() as session:
        result = session.scalar(select(Document).where(Document.source == "result"))
        result_id, lacking = result.id, missing(six_fields_of(result))
        incident = session.scalar(
            select(Incident).where(Incident.operator == "warehouse.store_result")
        )
        assert incident is not None
        incident_id, message = incident.id, incident.message
    # the birth year came from the citizen's portal account; the paper is nowhere on record
    paper = ["owner_id_issued_on", "owner_id_issuer"]
    assert lacking == paper
    assert "422" in message and "metadata.owner_id_issued_on is required" in message
    assert completion.complete_metadata(result_id, DETAILS, officer) == paper
    retry_incident(incident_id, actors["giamsat"])
    drain()
    record = pushed(warehouse_url, result_id)
    assert (record["owner_birth_year"], record["owner_id_issued_on"]) == (1990, "2020-02-10")

"""Results registered in a sector database (001 §II.1 Bước 5; 001 §II.2.b Bước 6): a procedure
naming one (2.001610 names the business registration database, ĐKKD) has each issued result
sent there through the outbox, with retries, incidents and one registration per result, and
the simulator of that database, over real HTTP, holds what was sent."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import func, select, update

from app import settings
from app.models import (
    AuditEvent,
    Document,
    Dossier,
    Incident,
    OutboxMessage,
    Procedure,
    SectorRegistration,
)
from app.models.base import utcnow
from app.services.core import outbox
from app.services.documents import sector_registry
from app.services.dossiers import queries
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from app.services.process_models.deploy import deploy, read_bundle
from app.storage.db import db
from app.web.history import describe
from config import ROOT
from tests.services.helpers import complete, deliver, receive
from worker.jobs import deliver_outbox

pytestmark = pytest.mark.simulators

ENTERPRISE = "2.001610"
RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}
ACCEPT = {"decision": "accept", "appraisal_note": "Đủ"}
APPROVE = {"approval_decision": "approve", "result_name": "Giấy chứng nhận đăng ký doanh nghiệp"}


def issue_enterprise_result(actors) -> str:
    """A 2.001610 dossier received, appraised and approved at the Sở Tài chính: its result is
    issued; returns the dossier code."""
    code = receive_dossier(
        ReceiveDossier(ENTERPRISE, "cccd", "001090012345", "Nguyễn Văn An"), actors["tiepnhantc"]
    )
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhantc"], RECEPTION)
    complete(code, "appraisal", actors["chuyenvientc"], ACCEPT)
    complete(code, "approval", actors["lanhdaotc"], APPROVE)
    return code


def sector_calls(code: str) -> list[OutboxMessage]:
    with db.transaction() as session:
        rows = session.scalars(
            select(OutboxMessage)
            .join(Dossier, Dossier.id == OutboxMessage.dossier_id)
            .where(OutboxMessage.operator == sector_registry.REGISTER, Dossier.code == code)
            .order_by(OutboxMessage.id)
        ).all()
        session.expunge_all()
        return list(rows)


def result_of(code: str) -> Document:
    with db.transaction() as session:
        document = session.scalar(
            select(Document)
            .join(Dossier, Dossier.id == Document.dossier_id)
            .where(Document.source == "result", Dossier.code == code)
        )
        session.expunge(document)
        return document


def registered_in_simulator(url: str, code: str) -> list[dict]:
    answer = requests.get(f"{url}/api/registrations", params={"dossier_code": code}, timeout=5)
    answer.raise_for_status()
    return answer.json()["registrations"]


def registrations(code: str) -> list[SectorRegistration]:
    with db.transaction() as session:
        rows = session.scalars(
            select(SectorRegistration)
            .join(Dossier, Dossier.id == SectorRegistration.dossier_id)
            .where(Dossier.code == code)
        ).all()
        session.expunge_all()
        return list(rows)


def posts(url: str) -> int:
    return requests.get(f"{url}/_sim/posts", timeout=5).json()["posts"]


def faults(url: str, **knobs: int) -> None:
    requests.post(f"{url}/_sim/faults", json=knobs, timeout=5).raise_for_status()


def back_to_pending(row_id: int) -> None:
    """The row as the sweeper leaves it for a worker that died after the database answered
    and before the answer was recorded: pending again, to be sent again."""
    with db.transaction() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(state="pending", enqueued_at=None)
        )


def test_an_issued_result_of_a_procedure_naming_dkkd_is_registered_there_with_the_six_fields(
    app, actors, business_registry_url
):
    code = issue_enterprise_result(actors)
    [call] = sector_calls(code)
    assert call.task_id is None  # the process does not wait on the sector database

    assert deliver_outbox(call.id) == "done"

    result = result_of(code)
    [record] = registered_in_simulator(business_registry_url, code)
    assert record["database"] == "DKKD"
    assert record["procedure_code"] == ENTERPRISE
    assert record["owner"] == {
        "type": 1,
        "id_type": "cccd",
        "id": "001090012345",
        "name": "Nguyễn Văn An",
    }
    # the result is found by its code (storage key: owner identifier + type code) and hash
    assert record["result"]["number"] == result.storage_key
    assert record["result"]["type_code"] == "KQ.G10.000001"
    assert record["result"]["sha256"] == result.file_sha256
    assert record["result"]["issued_at"].startswith(result.stored_at.date().isoformat())
    metadata = record["metadata"]  # 001 §II.2.c: the six mandatory fields
    assert {
        k: metadata[k]
        for k in ("type_code", "owner_id_type", "owner_id", "owner_name", "name", "summary")
    } == {
        "type_code": result.type_code,
        "owner_id_type": "cccd",
        "owner_id": "001090012345",
        "owner_name": "Nguyễn Văn An",
        "name": result.name,
        "summary": result.summary,
    }
    assert "valid_until" in metadata and "validity_scope" in metadata

    [kept] = registrations(code)
    assert (kept.database, kept.document_id, kept.record_id) == ("DKKD", result.id, record["id"])
    assert kept.url == f"{business_registry_url}/api/registrations/{record['id']}"
    [state] = sector_registry.states_of(code, actors["chuyenvientc"])
    assert (state.state, state.short_name, state.record_id) == ("registered", "ĐKKD", record["id"])
    with db.transaction() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.kind == "sector_registered"))
        shown = describe({"kind": event.kind, "data": event.data})
    assert shown == f"Đã ghi kết quả vào CSDL chuyên ngành ĐKKD, số bản ghi {record['id']}"


def test_a_procedure_naming_no_sector_database_sends_nothing_there(actors):
    with db.transaction() as session:
        session.execute(
            update(Procedure).where(Procedure.code == ENTERPRISE).values(sector_database=None)
        )
    code = issue_enterprise_result(actors)
    assert sector_calls(code) == []
    assert sector_registry.states_of(code, actors["chuyenvientc"]) == []


def test_a_dossier_whose_result_is_not_issued_yet_shows_where_it_will_be_registered(actors):
    code = receive_dossier(
        ReceiveDossier(ENTERPRISE, "cccd", "001090012345", "Nguyễn Văn An"), actors["tiepnhantc"]
    )
    [state] = sector_registry.states_of(code, actors["tiepnhantc"])
    assert (state.database, state.state) == ("DKKD", "planned")
    # ended without a result (refused, withdrawn): nothing will be registered
    with db.transaction() as session:
        session.execute(update(Dossier).where(Dossier.code == code).values(finished_at=utcnow()))
    assert sector_registry.states_of(code, actors["tiepnhantc"]) == []


def test_a_send_replayed_after_the_database_answered_never_registers_twice(
    app, actors, business_registry_url
):
    code = issue_enterprise_result(actors)
    [call] = sector_calls(code)
    assert deliver_outbox(call.id) == "done"
    back_to_pending(call.id)

    assert deliver_outbox(call.id) == "done"

    assert posts(business_registry_url) == 2  # sent twice…
    assert len(registered_in_simulator(business_registry_url, code)) == 1  # …registered once
    assert len(registrations(code)) == 1
    with db.transaction() as session:
        assert session.get(OutboxMessage, call.id).result["replayed"] is True


def test_a_models_own_step_for_the_same_result_is_answered_with_the_first_registration(
    app, actors, business_registry_url
):
    code = issue_enterprise_result(actors)
    [automatic] = sector_calls(code)
    deliver_outbox(automatic.id)
    result = result_of(code)
    # what a model's `sector.register_result` service task queues: the database and the result
    with db.transaction() as session:
        outbox.add(
            session,
            sector_registry.REGISTER,
            {"database": "DKKD", "document_id": result.id},
            dossier_id=result.dossier_id,
        )
    [_, from_model] = sector_calls(code)

    assert deliver_outbox(from_model.id) == "done"

    with db.transaction() as session:
        row = session.get(OutboxMessage, from_model.id)
        assert row.params["record"]["result"]["number"] == result.storage_key
        assert row.result["replayed"] is True
    assert len(registered_in_simulator(business_registry_url, code)) == 1
    assert len(registrations(code)) == 1


def test_a_models_step_naming_another_dossiers_result_is_an_incident_and_sends_nothing(
    app, actors, business_registry_url
):
    first = issue_enterprise_result(actors)
    second = issue_enterprise_result(actors)
    others = result_of(first)
    with db.transaction() as session:
        dossier_id = session.scalar(select(Dossier.id).where(Dossier.code == second))
        outbox.add(
            session,
            sector_registry.REGISTER,
            {"database": "DKKD", "document_id": others.id},
            dossier_id=dossier_id,
        )
    [_, forged] = sector_calls(second)

    assert deliver_outbox(forged.id) == "incident"

    assert posts(business_registry_url) == 0
    with db.transaction() as session:
        assert "no result record" in session.get(OutboxMessage, forged.id).last_error


def test_the_database_down_is_retried_with_backoff_then_an_incident_supervisors_retry(
    app, actors, business_registry_url, clock, monkeypatch
):
    # a procedure of the Sở Tư pháp, whose supervisor sees its incidents, naming ĐKKD
    with db.transaction() as session:
        session.execute(
            update(Procedure).where(Procedure.code == "2.000488").values(sector_database="DKKD")
        )
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    complete(code, "approval", actors["lanhdao"], APPROVE)
    [call] = sector_calls(code)
    monkeypatch.setattr(settings.current, "SECTOR_DB_DKKD_URL", "http://127.0.0.1:9")

    states = []
    for _ in range(settings.current.OUTBOX_MAX_ATTEMPTS):
        states.append(deliver_outbox(call.id))
        clock.advance(settings.current.OUTBOX_BACKOFF_MAX + 1)
    assert states == ["pending"] * (settings.current.OUTBOX_MAX_ATTEMPTS - 1) + ["incident"]

    [state] = sector_registry.states_of(code, actors["chuyenvien"])
    assert state.state == "failed" and "cannot connect" in state.error
    [incident] = queries.open_incidents(actors["giamsat"])
    assert (incident["dossier_code"], incident["operator"]) == (code, sector_registry.REGISTER)

    monkeypatch.undo()
    outbox.retry_incident(incident["id"], actors["giamsat"])
    assert deliver_outbox(call.id) == "done"
    [state] = sector_registry.states_of(code, actors["chuyenvien"])
    assert state.state == "registered"
    assert len(registered_in_simulator(business_registry_url, code)) == 1


def test_a_refusal_is_an_incident_at_once_with_the_databases_message_and_no_retry(
    app, actors, business_registry_url
):
    code = issue_enterprise_result(actors)
    [call] = sector_calls(code)
    faults(business_registry_url, fail_next=1, status=422)

    assert deliver_outbox(call.id) == "incident"

    with db.transaction() as session:
        row = session.get(OutboxMessage, call.id)
        assert row.attempts == 1
        assert session.scalar(select(func.count()).select_from(Incident)) == 1
        assert "HTTP 422 simulated failure 422" in row.last_error
    [state] = sector_registry.states_of(code, actors["chuyenvientc"])
    assert state.state == "failed" and "422" in state.error


def use_model_registering_itself() -> None:
    """2.001610 runs a counter model whose step after issuing is the model's own
    `sector.register_result` (in place of the store to Kho DL), and names no database itself."""
    files = read_bundle(ROOT / "bpmn")
    xml = files["counter_dossier.bpmn"]
    start = xml.index('<spiffworkflow:serviceTaskOperator id="warehouse.store_result"')
    end = xml.index("</spiffworkflow:serviceTaskOperator>", start)
    own_step = (
        '<spiffworkflow:serviceTaskOperator id="sector.register_result" '
        'resultVariable="stored_result"><spiffworkflow:parameters>'
        '<spiffworkflow:parameter id="database" type="str" value="&quot;DKKD&quot;" />'
        '<spiffworkflow:parameter id="document_id" type="int" '
        'value="issued_result[&quot;document_id&quot;]" />'
        "</spiffworkflow:parameters>"
    )
    files["counter_dossier.bpmn"] = xml[:start] + own_step + xml[end:]
    with db.transaction() as session:
        version = deploy(
            session,
            files,
            process_id="counter_dossier",
            name="counter, registering in ĐKKD",
            deployed_by="test",
            override_reason="the shipped model tests expect the store to Kho DL",
        )
        session.execute(
            update(Procedure)
            .where(Procedure.code == ENTERPRISE)
            .values(model_version_id=version.id, sector_database=None)
        )


def test_a_models_service_task_registers_the_result_and_its_process_waits_for_the_answer(
    app, actors, business_registry_url
):
    use_model_registering_itself()
    code = issue_enterprise_result(actors)
    [call] = sector_calls(code)  # the model's step, and no automatic one
    assert call.task_id is not None and "record" not in call.params

    assert deliver_outbox(call.id) == "resumed"

    [record] = registered_in_simulator(business_registry_url, code)
    assert record["result"]["number"] == result_of(code).storage_key
    assert [r.record_id for r in registrations(code)] == [record["id"]]
    with db.transaction() as session:
        status = session.scalar(select(Dossier.status).where(Dossier.code == code))
    assert status in (9, 10)  # past the step: processed (result ready) or returned

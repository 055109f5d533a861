"""The e-result is issued by a step of the model ("Phát hành kết quả điện tử"), by the worker
right after the approval commits (its rendering and signatures are kept off the leader's
request; what would refuse it refuses the approval itself); model versions deployed before
that step still issue it."""

from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import select

from app.documents import signing
from app.documents.pki import demo_pki
from app.engine import bundle_hash
from app.models import (
    Agency,
    AuditEvent,
    Document,
    Dossier,
    ModelVersion,
    OutboxMessage,
    Procedure,
    ProcessInstance,
)
from app.services.core import runtime
from app.services.core.errors import InvalidInput
from app.services.documents import results
from app.services.dossiers import dossier_queries
from app.services.process_models.deploy import read_bundle
from app.storage.db import db
from app.storage.files import file_store
from tests.conftest import BPMN_DIR
from tests.services.helpers import complete, deliver, open_task, receive, results_of

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}
ACCEPT = {"decision": "accept", "appraisal_note": "Đủ"}
APPROVE = {"approval_decision": "approve", "result_name": "Phiếu lý lịch tư pháp số 1"}


def approve(actors, code: str) -> None:
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    complete(code, "approval", actors["lanhdao"], APPROVE)


def store_calls(code: str) -> list[OutboxMessage]:
    with db.transaction() as session:
        rows = session.scalars(
            select(OutboxMessage)
            .join(Dossier, Dossier.id == OutboxMessage.dossier_id)
            .where(OutboxMessage.operator == "warehouse.store_result", Dossier.code == code)
        ).all()
        session.expunge_all()
        return list(rows)


def signers(document: Document) -> list[tuple[str, str]]:
    path = file_store().path(document.file_sha256)
    return [(v.state, v.signer) for v in signing.verify(path, [demo_pki().ca_cert_path])]


def agency_name(agency_id: int) -> str:
    with db.transaction() as session:
        return session.get(Agency, agency_id).name


def test_the_issuing_step_issues_the_signed_result_and_the_store_call_carries_it(actors):
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    approve(actors, code)

    [result] = results_of(code)
    assert signers(result) == [
        ("valid", actors["lanhdao"].name),
        ("valid", agency_name(result.agency_id)),
    ]
    [call] = store_calls(code)
    assert call.state == "pending"
    assert call.params["document_id"] == result.id
    assert call.params["file_sha256"] == result.file_sha256 == call.params["sha256"]
    assert call.params["storage_key"] == result.storage_key == "001090012345.KQ.G15.000007"
    # the step is on the dossier's path, between the approval and the store call
    with db.transaction() as session:
        instance_id = session.scalar(
            select(ProcessInstance.id)
            .join(Dossier, Dossier.id == ProcessInstance.dossier_id)
            .where(Dossier.code == code)
        )
        done, waiting = runtime.load_instance(session, instance_id).run.trace()
    assert done.index("approval") < done.index("certify_components") < done.index("issue_result")
    assert "store_result" not in done and "store_result" in waiting


def test_the_issued_result_is_in_the_history_with_the_approving_leader(actors):
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    approve(actors, code)

    [result] = results_of(code)
    events = dossier_queries.dossier_detail(code, actors["lanhdao"]).events
    kinds = [e["kind"] for e in events]
    issued = next(e for e in events if e["kind"] == "result_issued")
    assert issued["actor"] == actors["lanhdao"].name
    assert issued["data"]["key"] == result.storage_key
    requested = next(
        i
        for i, e in enumerate(events)
        if e["kind"] == "service_call_requested"
        and e["data"]["operator"] == "warehouse.store_result"
    )
    assert kinds.index("result_issued") < requested


def test_a_failure_while_issuing_leaves_the_decision_taken_and_nothing_issued(actors, monkeypatch):
    """The worker issues in one transaction of its own: signing that fails half-way leaves
    no document, no store call and no return step, and the call still to make."""
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)

    def broken(*_args, **_kwargs):
        raise OSError("signing key missing")

    monkeypatch.setattr(results, "_sign", broken)
    with pytest.raises(OSError, match="signing key missing"):
        complete(code, "approval", actors["lanhdao"], APPROVE)
    assert open_task(code, "approval") is None  # the leader's decision stands
    assert open_task(code, "return_result") is None
    assert results_of(code) == [] and store_calls(code) == []
    with db.transaction() as session:
        [state] = session.scalars(
            select(OutboxMessage.state)
            .join(Dossier, Dossier.id == OutboxMessage.dossier_id)
            .where(OutboxMessage.operator == "documents.issue_result", Dossier.code == code)
        ).all()
    assert state == "running"  # held by the worker that failed: handed out again later


def test_without_a_catalogued_result_type_issuing_refuses_and_nothing_is_issued(actors):
    """001 §IV.1: the result's code comes from the national procedure database; there is no
    local "other" code (the former KQ.KHAC) to fall back on."""
    with db.transaction() as session:
        session.scalar(
            select(Procedure).where(Procedure.code == "2.000488")
        ).result_type_code = None
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    with pytest.raises(InvalidInput, match="2.000488 chưa có loại kết quả từ danh mục quốc gia"):
        complete(code, "approval", actors["lanhdao"], APPROVE)
    assert open_task(code, "approval") is not None
    assert results_of(code) == [] and store_calls(code) == []


def legacy_bundle() -> dict[str, str]:
    """The shipped bundle as it was before the issuing step: the store call right after the
    certified copies, with no issued document in its parameters."""
    files = {k: v for k, v in read_bundle(BPMN_DIR).items() if not k.startswith("tests/")}
    xml = files["counter_dossier.bpmn"]
    xml = xml.replace('targetRef="issue_result"', 'targetRef="store_result"')
    xml = xml.replace(
        "<bpmn:incoming>Flow_issue_result_store_result</bpmn:incoming>",
        "<bpmn:incoming>Flow_certify_store_result</bpmn:incoming>",
    )
    xml = xml.replace("<bpmn:flowNodeRef>issue_result</bpmn:flowNodeRef>", "")
    xml = re.sub(
        r'<spiffworkflow:parameter id="(document_id|file_sha256|storage_key|sha256)"[^>]*/>',
        "",
        xml,
    )
    xml = xml.replace('value="issued_result[&quot;type_code&quot;]"', 'value="result_type_code"')
    xml = "\n".join(line for line in xml.split("\n") if "issue_result" not in line)
    assert "issue_result" not in xml and "issued_result" not in xml
    return {**files, "counter_dossier.bpmn": xml}


def use_legacy_version() -> None:
    """Deployed as it was then (today's validation would refuse it: that is the point)."""
    files = legacy_bundle()
    with db.transaction() as session:
        procedure = session.scalar(select(Procedure).where(Procedure.code == "2.000488"))
        current = session.get(ModelVersion, procedure.model_version_id)
        legacy = ModelVersion(
            model_id=current.model_id,
            content_hash=bundle_hash(files),
            process_id=current.process_id,
            files=files,
            deployed_by="before-the-issuing-step",
            comment="",
        )
        session.add(legacy)
        session.flush()
        procedure.model_version_id = legacy.id


@pytest.mark.simulators
def test_a_version_without_the_issuing_step_still_issues_the_signed_result(
    actors, drain, warehouse_url
):
    use_legacy_version()
    code = receive(actors["tiepnhan"])
    drain()
    approve(actors, code)
    # precondition: the old shape queued the store call with nothing issued
    [queued] = store_calls(code)
    assert "document_id" not in queued.params and results_of(code) == []

    drain()
    [result] = results_of(code)
    assert signers(result) == [
        ("valid", actors["lanhdao"].name),
        ("valid", agency_name(result.agency_id)),
    ]
    [delivered] = store_calls(code)
    assert delivered.state == "done" and delivered.params["document_id"] == result.id
    with db.transaction() as session:
        stored = session.get(Document, result.id)
        issued_by = session.scalar(
            select(AuditEvent.actor_name).where(
                AuditEvent.kind == "result_issued", AuditEvent.dossier_id == result.dossier_id
            )
        )
    assert issued_by == actors["lanhdao"].name
    pushed = requests.get(f"{warehouse_url}/api/documents/{stored.warehouse_id}", timeout=5)
    assert pushed.json()["sha256"] == result.file_sha256


def test_a_store_call_that_carries_its_document_is_delivered_as_queued_with_its_six_fields(
    actors,
):
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    approve(actors, code)
    [call] = store_calls(code)

    params = results.params_to_deliver(call.id, call.operator, call.params)
    assert call.params.items() <= params.items()  # as queued, with the six fields (001 §II.2.c)
    assert {"summary", "validity", "validity_scope", "owner_name", "owner_id_type"} <= set(params)
    assert len(results_of(code)) == 1  # nothing issued a second time

"""The approval commits the leader's decision without signing; the worker issues the e-result
(render, both signatures, store) in one transaction with the process's next move, before the
store call and the return step: a crash half-way leaves nothing and the call is made again,
once. Real Redis, RQ worker and simulators, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from app import settings
from app.documents import signing
from app.documents.pki import demo_pki
from app.models import AuditEvent, Document, Dossier, OutboxMessage
from app.services.core import outbox
from app.services.documents import results
from app.services.dossiers import progress, service_calls, tasks
from app.storage.db import db
from app.storage.files import file_store
from tests.services.helpers import complete, open_task, receive, results_of, settle
from tests.support.databases import database_url  # noqa: F401 - a fixture: both databases
from worker import jobs

pytestmark = [pytest.mark.fault, pytest.mark.simulators]
RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}
ACCEPT = {"decision": "accept", "appraisal_note": "Đủ"}
APPROVE = {"approval_decision": "approve", "result_name": "Phiếu lý lịch tư pháp số 1"}
ISSUE = "documents.issue_result"


def to_approval(actors, drain, clock) -> str:
    code = receive(actors["tiepnhan"])
    settle(drain, clock, lambda: open_task(code, "reception"))
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    drain()
    return code


def approve(actors, code: str) -> None:
    """The leader's request alone: no worker runs in it."""
    task = open_task(code, "approval")
    tasks.complete_task(task.id, actors["lanhdao"], APPROVE)


def calls(code: str, operator: str) -> list[OutboxMessage]:
    with db.transaction() as session:
        rows = session.scalars(
            select(OutboxMessage)
            .join(Dossier, Dossier.id == OutboxMessage.dossier_id)
            .where(OutboxMessage.operator == operator, Dossier.code == code)
            .order_by(OutboxMessage.id)
        ).all()
        session.expunge_all()
        return list(rows)


def events(code: str, kind: str) -> list[AuditEvent]:
    with db.transaction() as session:
        rows = session.scalars(
            select(AuditEvent)
            .join(Dossier, Dossier.id == AuditEvent.dossier_id)
            .where(AuditEvent.kind == kind, Dossier.code == code)
        ).all()
        session.expunge_all()
        return list(rows)


def status_of(code: str) -> int:
    with db.transaction() as session:
        return session.scalar(select(Dossier.status).where(Dossier.code == code))


def issued_once_and_stored(actors, code: str, warehouse_url: str) -> Document:
    """One result, signed by the leader then the agency; one store call carrying that very
    document, delivered; one `result_issued` in the history, by the leader."""
    [result] = results_of(code)
    path = file_store().path(result.file_sha256)
    found = [(v.state, v.signer) for v in signing.verify(path, [demo_pki().ca_cert_path])]
    assert [state for state, _ in found] == ["valid", "valid"]
    assert found[0][1] == actors["lanhdao"].name
    [store] = calls(code, results.STORE_RESULT)
    assert store.state == "done" and store.params["document_id"] == result.id
    assert store.params["sha256"] == result.file_sha256
    [issued] = events(code, "result_issued")
    assert issued.actor_name == actors["lanhdao"].name
    assert issued.data["sha256"] == result.file_sha256
    with db.transaction() as session:
        warehouse_id = session.get(Document, result.id).warehouse_id
    pushed = requests.get(f"{warehouse_url}/api/documents/{warehouse_id}", timeout=5).json()
    assert pushed["sha256"] == result.file_sha256
    return result


def test_the_approval_commits_unsigned_and_the_return_step_opens_once_the_result_is_signed(
    actors, drain, clock, portal_received, warehouse_url
):
    code = to_approval(actors, drain, clock)
    approve(actors, code)

    # the leader's request did not sign: the dossier waits for the worker, "being signed"
    assert results_of(code) == [] and calls(code, results.STORE_RESULT) == []
    [issuing] = calls(code, ISSUE)
    assert issuing.state == "pending" and issuing.task_id is not None
    assert open_task(code, "return_result") is None and status_of(code) == 4
    standing = progress.dossier_steps(code, actors["lanhdao"]).standing
    assert standing.signing and standing.waiting_service
    assert "đang được ký số" in progress.describe(standing, str)

    settle(drain, clock, lambda: open_task(code, "return_result"))
    issued_once_and_stored(actors, code, warehouse_url)
    assert calls(code, ISSUE)[0].state == "done"
    assert status_of(code) == 9
    assert not progress.dossier_steps(code, actors["lanhdao"]).standing.signing
    assert [m["body"]["status"] for m in portal_received()] == [1, 2, 4, 9]


def test_a_worker_that_dies_while_signing_leaves_nothing_and_another_issues_it_once(
    actors, drain, clock, warehouse_url
):
    code = to_approval(actors, drain, clock)
    approve(actors, code)
    [issuing] = calls(code, ISSUE)
    assert outbox.claim(issuing.id) is not None  # a worker took it, then died before commit
    drain()
    assert results_of(code) == [] and calls(code, ISSUE)[0].state == "running"

    clock.advance(settings.current.OUTBOX_CLAIM_TIMEOUT + 1)
    settle(drain, clock, lambda: open_task(code, "return_result"))
    issued_once_and_stored(actors, code, warehouse_url)


def test_signing_that_fails_is_retried_and_the_result_is_issued_once(
    actors, drain, clock, warehouse_url, monkeypatch
):
    code = to_approval(actors, drain, clock)
    approve(actors, code)
    sign = results._sign
    failures = []

    def fails_once(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if not failures:
            failures.append(1)
            raise OSError("the signing key is not readable")
        return sign(*args, **kwargs)

    monkeypatch.setattr(results, "_sign", fails_once)
    drain()
    [issuing] = calls(code, ISSUE)
    assert issuing.state == "pending" and "signing key" in issuing.last_error
    assert results_of(code) == [] and calls(code, results.STORE_RESULT) == []
    assert open_task(code, "return_result") is None

    settle(drain, clock, lambda: open_task(code, "return_result"))
    issued_once_and_stored(actors, code, warehouse_url)
    assert calls(code, ISSUE)[0].attempts == 2


def test_an_issuing_call_delivered_twice_issues_one_result(actors, drain, clock, warehouse_url):
    code = to_approval(actors, drain, clock)
    approve(actors, code)
    [issuing] = calls(code, ISSUE)

    assert jobs.deliver_outbox(issuing.id) == "resumed"
    assert jobs.deliver_outbox(issuing.id) == "skipped"  # a duplicate job of the same row
    assert service_calls.run_deferred_call(issuing.id) == "skipped"  # not held by anyone
    settle(drain, clock, lambda: open_task(code, "return_result"))
    issued_once_and_stored(actors, code, warehouse_url)


def test_the_issuing_call_acts_for_the_leader_who_approved_not_the_system(actors, drain, clock):
    code = to_approval(actors, drain, clock)
    approve(actors, code)
    settle(drain, clock, lambda: open_task(code, "return_result"))
    [result] = results_of(code)
    assert result.created_by_id == actors["lanhdao"].id
    [requested] = [e for e in events(code, "service_call_requested") if e.data["operator"] == ISSUE]
    assert requested.actor_id == actors["lanhdao"].id

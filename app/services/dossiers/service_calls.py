"""Results of external calls coming back from the worker (kết quả gọi dịch vụ)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.engine import WorkflowFailed
from app.i18n import _l
from app.models import AuditEvent, OutboxMessage, User
from app.services.core import audit, outbox, runtime
from app.services.core.actors import SYSTEM, Actor
from app.services.core.errors import InvalidInput
from app.services.documents import e_authentication, reused_files, sector_registry, storage
from app.services.dossiers import local_operators
from app.storage.db import db, hold


def complete_service_call(outbox_id: int, result: dict[str, Any]) -> str:
    """Mark the call done and, if a service task waits for it, resume the process.

    Returns "done", "resumed", or "discarded" (the task was cancelled meanwhile, e.g. by a
    boundary timer: the late result is recorded and dropped).
    """
    with db.transaction() as session:
        row = outbox.mark_done(session, outbox_id, result)
        if row.operator == "warehouse.store_document" or (
            row.operator == "warehouse.store_result" and "document_id" in (row.params or {})
        ):
            storage.record_push(session, row.params, result)
        elif row.operator == reused_files.FETCH:
            reused_files.record_fetch(session, row.params, result)
        elif row.operator == sector_registry.REGISTER:
            sector_registry.record_registration(session, row, result)
        elif row.operator == e_authentication.SEND:
            e_authentication.record_sent(session, row.params, result)
        elif row.operator == e_authentication.ANSWER:
            e_authentication.record_answer(session, row.params, result)
        if row.task_id is None or row.instance_id is None:
            return "done"
        return _resume(session, row, runtime.load_instance(session, row.instance_id), result)


def is_deferred(operator: str) -> bool:
    """Whether the worker runs this operator itself (a deferred local operator, no HTTP)."""
    return operator in local_operators.DEFERRED


def run_deferred_call(outbox_id: int) -> str:
    """Run a claimed call of a deferred local operator (the e-result's issuing) and resume its
    process, all in one transaction: a crash half-way leaves nothing of it, and the row is
    delivered again. It acts for whoever completed the step that queued it. Returns as
    `complete_service_call`; "skipped" when the row is not running (not this worker's)."""
    with db.transaction() as session:
        row = session.get(OutboxMessage, outbox_id, with_for_update=True)
        if row is None or row.state != "running" or not is_deferred(row.operator):
            return "skipped"
        loaded = runtime.load_instance(session, row.instance_id)
        if not loaded.run.waits_for_call(row.task_id):
            # cancelled meanwhile (a boundary event): nothing is issued for it
            outbox.mark_done(session, outbox_id, {})
            _discarded(session, row)
            return "discarded"
        result = local_operators.run_deferred(
            session, loaded.dossier, _requester(session, row), row.operator, dict(row.params)
        )
        outbox.mark_done(session, outbox_id, result)
        return _resume(session, row, loaded, result)


# Who completed the step that queued a call: its latest `service_call_requested` event.
_REQUESTED_BY = (
    select(AuditEvent.actor_id)
    .where(
        AuditEvent.dossier_id == bindparam("dossier_id"),
        AuditEvent.task_id == bindparam("task_id"),
        AuditEvent.kind == "service_call_requested",
    )
    .order_by(AuditEvent.id.desc())
    .limit(1)
)


def _requester(session: Session, row: OutboxMessage) -> Actor:
    """Who completed the step that queued the call; the system when no one did. Their row
    stays in the session: issuing asks for it again, as the signer."""
    params = {"dossier_id": row.dossier_id, "task_id": row.task_id}
    user_id = session.connection().execute(_REQUESTED_BY, params).scalar()
    user = session.get(User, user_id) if user_id else None
    if user is None:
        return SYSTEM
    hold(session, user)
    return Actor.of(user)


def _resume(session: Session, row: OutboxMessage, loaded: runtime.Loaded, result: dict) -> str:
    try:
        changes = loaded.run.complete_service_call(row.task_id, result)
    except WorkflowFailed as exc:
        raise InvalidInput(
            _l(
                "Quy trình báo lỗi khi nhận kết quả %(operator)s: %(exc)s",
                operator=row.operator,
                exc=exc,
            )
        ) from exc
    if changes is None:
        _discarded(session, row)
        return "discarded"
    audit.record(
        session,
        "service_call_completed",
        SYSTEM,
        dossier_id=row.dossier_id,
        instance_id=row.instance_id,
        task_id=row.task_id,
        operator=row.operator,
    )
    runtime.commit_run(session, loaded, changes, SYSTEM, completed_by=SYSTEM)
    return "resumed"


def _discarded(session: Session, row: OutboxMessage) -> None:
    audit.record(
        session,
        "late_result_discarded",
        SYSTEM,
        dossier_id=row.dossier_id,
        instance_id=row.instance_id,
        task_id=row.task_id,
        operator=row.operator,
    )


def route_failure(session: Session, row: OutboxMessage, code: str | None) -> bool:
    """Send a call given up on into its process as a BPMN error of `code` (the model-test
    runner does the same): True when the model took an error path for it (the step is saved
    in `session`), False when it has none and the caller raises the incident."""
    if row.task_id is None or row.instance_id is None:
        return False
    loaded = runtime.load_instance(session, row.instance_id)
    try:
        changes = loaded.run.fail_service_call(row.task_id, row.last_error or "", code)
    except WorkflowFailed:
        return False  # the error path itself failed: a person must look
    if changes is None or changes.unhandled_failures:
        return False
    audit.record(
        session,
        "service_call_failed",
        SYSTEM,
        dossier_id=row.dossier_id,
        instance_id=row.instance_id,
        task_id=row.task_id,
        operator=row.operator,
        error=row.last_error,
        code=code,
    )
    runtime.commit_run(session, loaded, changes, SYSTEM, completed_by=SYSTEM)
    return True

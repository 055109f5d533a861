"""The outbox: calls that leave the process, written with the state, delivered after commit.

A row is `pending` until a worker claims it (`running`), then `done` or, when retries are
exhausted or the failure is permanent, `incident`. Rows sharing an ordering key are claimed
strictly one after another in id order.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app import settings
from app.i18n import _l
from app.models import Incident, OutboxMessage, ProcessInstance
from app.models.base import utcnow
from app.services.core import audit, queue
from app.services.core.actors import SYSTEM, Actor
from app.services.core.errors import Conflict, NotFound
from app.services.core.outbox_claims import (
    Claimed,
    Done,
    Follow,
    claim,
    claim_for_dossier,
    claim_next,
    claim_with_dossier_of,
    next_ready,
    waited_call,
)
from app.services.core.outbox_sweep import sweep
from app.storage.db import after_commit, before_commit, db

__all__ = [
    "Claimed",
    "Done",
    "Follow",
    "claim",
    "claim_for_dossier",
    "claim_next",
    "claim_with_dossier_of",
    "next_ready",
    "sweep",
    "waited_call",
]


def add(
    session: Session,
    operator: str,
    params: dict[str, Any],
    *,
    dossier_id: int | None,
    instance_id: int | None = None,
    task_id: str | None = None,
    ordering_key: str | None = None,
) -> None:
    """Queue a call in the caller's transaction; it is enqueued only once that commits."""
    rows = session.info.get("outbox_rows")
    if rows is None:
        rows = session.info["outbox_rows"] = []
        before_commit(session, _write)
    now = utcnow()
    rows.append(
        {
            "operator": operator,
            "params": params,
            "dossier_id": dossier_id,
            "instance_id": instance_id,
            "task_id": task_id,
            "ordering_key": ordering_key,
            "state": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
    )


def add_tracked(
    session: Session,
    operator: str,
    params: dict[str, Any],
    *,
    dossier_id: int | None,
    not_before: datetime | None = None,
) -> int:
    """Queue a call whose row the caller keeps (to show its attempts and last error): written
    at once, enqueued after commit, made no earlier than `not_before` (the sweeper takes it up
    when it falls due). Returns the row's id."""
    now = utcnow()
    row = OutboxMessage(
        operator=operator,
        params=params,
        dossier_id=dossier_id,
        state="pending",
        attempts=0,
        next_attempt_at=max(now, not_before) if not_before else now,
        created_at=now,
    )
    session.add(row)
    session.flush()
    row_id = row.id
    if not_before is None or not_before <= now:
        after_commit(session, lambda: queue.dispatch([row_id]))
    return row_id


def _write(session: Session) -> None:
    # One batched INSERT in the order the rows were added, then one hand-off after commit.
    rows = session.info.pop("outbox_rows", [])
    if not rows:
        return
    table = OutboxMessage.__table__
    ids = list(
        session.connection().scalars(
            table.insert().returning(table.c.id, sort_by_parameter_order=True), rows
        )
    )
    # One hand-off per dossier: its job delivers the dossier's ready rows one after another
    # (see worker.jobs); a row behind another of the same ordering key waits for that one. The
    # rows of the dossier a worker is delivering now are left to that worker. A dossier with a
    # call its process waits for is handed off with that call, to the queue taken first (the
    # job delivers it first, then the dossier's syncs).
    delivering = delivering_dossier.get()
    seen: set[object] = set()
    first, waited = [], []
    for row_id, row in sorted(zip(ids, rows, strict=True), key=_not_waited):  # stable
        dossier, key = row["dossier_id"], row["ordering_key"]
        group = ("dossier", dossier) if dossier is not None else key
        if dossier is not None and dossier == delivering:
            continue
        if group is None or group not in seen:
            first.append(row_id)
            if waited_call(row["task_id"], row["ordering_key"]):
                waited.append(row_id)
        if group is not None:
            seen.add(group)
    after_commit(session, lambda: queue.dispatch(first, waited))


def _not_waited(pair: tuple[int, dict[str, Any]]) -> bool:
    return not waited_call(pair[1]["task_id"], pair[1]["ordering_key"])


_TABLE = OutboxMessage.__table__
# what a done-mark writes besides the result and its time (also set on the session's copy)
_DONE = {"state": "done", "last_error": None}
_MARK_DONE = (
    update(OutboxMessage)
    .where(OutboxMessage.id == bindparam("row"), OutboxMessage.state == "running")
    .values(
        **_DONE,
        result=bindparam("done_result", type_=_TABLE.c.result.type),
        done_at=bindparam("done_now", type_=_TABLE.c.done_at.type),
    )
    .returning(*(getattr(OutboxMessage, f.name) for f in fields(Done)))
)


def mark_done(session: Session, outbox_id: int, result: dict[str, Any]) -> Done:
    """Record that an outbox call succeeded with `result`; for the worker delivering its
    dossier (`following` set), the same transaction then claims the dossier's next ready row
    or looks its id up (see `Follow`)."""
    # one UPDATE … RETURNING (the row locked and checked running as it is written), not a
    # SELECT … FOR UPDATE then an UPDATE: a round trip less per delivered row. On the session's
    # connection, as the claims (the ORM's UPDATE path cost more CPU than the round trip): the
    # session's changes are flushed first, and its copy of the row, if any, is given the values
    # written (as a RETURNING into the entity did, without reading the row again).
    session.flush()
    now = utcnow()
    params = {"row": outbox_id, "done_result": result, "done_now": now}
    found = session.connection().execute(_MARK_DONE, params).first()
    if found is None:
        state = session.scalar(select(OutboxMessage.state).where(OutboxMessage.id == outbox_id))
        if state is None:
            raise NotFound(f"outbox {outbox_id} not found")
        raise Conflict(f"outbox {outbox_id} is {state}, not running")
    loaded = session.identity_map.get(session.identity_key(OutboxMessage, outbox_id))
    if loaded is not None:
        for name, value in {**_DONE, "result": result, "done_at": now}.items():
            set_committed_value(loaded, name, value)
    row = Done(*found)
    if row.ordering_key and not inline_successors.get():
        key = row.ordering_key
        after_commit(session, lambda: dispatch_next(key))
    follow = following.get()
    if follow is not None and follow.dossier_id == row.dossier_id:
        # the worker's next claim rides on this transaction, after the rows it adds (written
        # here first; `_write` then finds none left)
        def write_then_follow(session: Session) -> None:
            _write(session)
            follow.follow_up(session)

        before_commit(session, write_then_follow)
    return row


# Set by the worker while it delivers a key's following rows itself (no queue round trip).
inline_successors: ContextVar[bool] = ContextVar("inline_successors", default=False)
# The dossier whose ready rows the worker delivers in this job: the rows its deliveries add
# for that dossier are not handed off to the queue (the same job takes them).
delivering_dossier: ContextVar[int | None] = ContextVar("delivering_dossier", default=None)
# Set by the worker for the row it delivers: what the transaction marking it done claims next.
following: ContextVar[Follow | None] = ContextVar("following", default=None)


def next_pending_id(ordering_key: str) -> int | None:
    """The oldest pending row of an ordering key (the next change of a dossier)."""
    with db.transaction() as session:
        return session.scalar(
            select(OutboxMessage.id)
            .where(OutboxMessage.ordering_key == ordering_key, OutboxMessage.state == "pending")
            .order_by(OutboxMessage.id)
            .limit(1)
        )


# Given a call given up on (in the same transaction): whether its process took the model's
# error path for it (see service_calls.route_failure).
GiveUp = Callable[[Session, OutboxMessage], bool]


def record_failure(
    outbox_id: int, error: str, *, retryable: bool, on_give_up: GiveUp | None = None
) -> str:
    """Schedule a retry with exponential backoff; once given up on, let `on_give_up` send the
    failure into the process ("resumed" when the model has an error path for it), or raise an
    incident. Returns the new state."""
    cfg = settings.current
    with db.transaction() as session:
        row = session.get(OutboxMessage, outbox_id, with_for_update=True)
        if row is None or row.state != "running":
            return row.state if row else "missing"
        row.last_error = str(error)[:4000]
        if retryable and row.attempts < cfg.OUTBOX_MAX_ATTEMPTS:
            delay = min(cfg.OUTBOX_BACKOFF_BASE * 2 ** (row.attempts - 1), cfg.OUTBOX_BACKOFF_MAX)
            row.state, row.enqueued_at = "pending", None
            row.next_attempt_at = utcnow() + timedelta(seconds=delay)
            return "pending"
        if on_give_up is not None and on_give_up(session, row):
            row.state, row.done_at = "done", utcnow()  # nothing left to deliver
            if row.ordering_key and not inline_successors.get():
                key = row.ordering_key
                after_commit(session, lambda: dispatch_next(key))
            return "resumed"
        row.state = "incident"
        _raise_incident(session, row)
        return "incident"


def _raise_incident(session: Session, row: OutboxMessage) -> None:
    """The incident supervisors see for a row given up on (state "incident"), audited."""
    session.add(
        Incident(
            outbox_id=row.id,
            dossier_id=row.dossier_id,
            operator=row.operator,
            message=row.last_error,
        )
    )
    audit.record(
        session,
        "incident_raised",
        SYSTEM,
        dossier_id=row.dossier_id,
        instance_id=row.instance_id,
        task_id=row.task_id,
        operator=row.operator,
        error=row.last_error,
        attempts=row.attempts,
    )


# The operator of the outbox row that carries an incident raised by a timer's path (no call
# leaves the process: a retry puts the timer back for the scheduler).
TIMER_FAILED = "engine.timer"


def timer_incident(
    session: Session, dossier_id: int, instance_id: int, due: datetime, error: str
) -> None:
    """The instance's due timers failed in the model: raise an incident and stop the timer
    (next_timer_at cleared) until a supervisor retries it."""
    row = OutboxMessage(
        operator=TIMER_FAILED,
        params={"due": due.isoformat()},
        dossier_id=dossier_id,
        instance_id=instance_id,
        state="incident",
        attempts=1,
        next_attempt_at=utcnow(),
        last_error=str(error)[:4000],
    )
    session.add(row)
    session.flush()
    _raise_incident(session, row)
    session.execute(
        update(ProcessInstance)
        .where(ProcessInstance.id == instance_id)
        .values(next_timer_at=None)
        .execution_options(synchronize_session=False)
    )


def retry_incident(incident_id: int, actor: Actor) -> None:
    """A supervisor's Retry: the call goes back to the queue with a fresh set of attempts."""
    with db.transaction() as session:
        incident = session.get(Incident, incident_id, with_for_update=True)
        if incident is None:
            raise NotFound(_l("Không tìm thấy sự cố"))
        if incident.resolved_at is not None:
            raise Conflict(_l("Sự cố đã được xử lý"))
        row = session.get(OutboxMessage, incident.outbox_id, with_for_update=True)
        assert row is not None  # nosec B101 # type narrowing: incidents.outbox_id is a foreign key
        incident.resolved_at, incident.resolved_by_id = utcnow(), actor.id
        row.state, row.attempts, row.next_attempt_at, row.enqueued_at = "pending", 0, utcnow(), None
        if row.operator == TIMER_FAILED:
            # the scheduler fires the instance's timers again on its next pass
            row.state = "done"
            session.execute(
                update(ProcessInstance)
                .where(ProcessInstance.id == row.instance_id)
                .values(next_timer_at=datetime.fromisoformat(row.params["due"]))
                .execution_options(synchronize_session=False)
            )
        audit.record(
            session,
            "incident_retried",
            actor,
            dossier_id=row.dossier_id,
            instance_id=row.instance_id,
            task_id=row.task_id,
            operator=row.operator,
        )
        row_id = row.id
        waited = [row_id] if waited_call(row.task_id, row.ordering_key) else []
        if row.operator != TIMER_FAILED:
            after_commit(session, lambda: queue.dispatch([row_id], waited))


def dispatch_next(ordering_key: str) -> None:
    """Hand the next pending call of an ordering key to the queue."""
    next_id = next_pending_id(ordering_key)
    if next_id is not None:
        queue.dispatch([next_id])

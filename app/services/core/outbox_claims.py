"""Claiming outbox rows for delivery (see `outbox`): each claim is one statement (UPDATE …
RETURNING), so a row is taken by one worker only and a claim costs one round trip. Rows sharing
an ordering key are claimed strictly one after another in id order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from app.models import OutboxMessage
from app.models.base import utcnow
from app.storage.db import after_commit, db


@dataclass(frozen=True)
class Claimed:
    id: int
    operator: str
    params: dict[str, Any]
    task_id: str | None
    ordering_key: str | None
    attempts: int
    dossier_id: int | None = None


@dataclass(frozen=True)
class Done:
    """An outbox row as its delivery was marked done (`outbox.mark_done`): what the caller
    reads of it."""

    id: int
    operator: str
    params: dict[str, Any]
    task_id: str | None
    instance_id: int | None
    dossier_id: int | None
    ordering_key: str | None


# The claim statements are built once (bound parameters for the ids and `now`): a claim reuses
# SQLAlchemy's compiled statement instead of building new Select and aliased objects each time,
# which cost a worker more CPU than the round trip.
_EARLIER = aliased(OutboxMessage)
_NO_EARLIER_UNDONE = ~exists().where(
    _EARLIER.ordering_key == OutboxMessage.ordering_key,
    _EARLIER.id < OutboxMessage.id,
    _EARLIER.state != "done",
)
_NOW = bindparam("now", type_=OutboxMessage.__table__.c.next_attempt_at.type)


def no_earlier_undone():  # noqa: ANN201 - an SQL condition
    """The condition "no earlier row of this row's ordering key is still undone"."""
    return _NO_EARLIER_UNDONE


_CLAIMED_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.operator,
    OutboxMessage.params,
    OutboxMessage.task_id,
    OutboxMessage.ordering_key,
    OutboxMessage.attempts,
    OutboxMessage.dossier_id,
)


def _claiming(which):  # noqa: ANN001, ANN202 - a row-id condition, an UPDATE statement
    # One statement (UPDATE … RETURNING): a row is taken by one worker only; on PostgreSQL a
    # worker racing for the same row waits for the other's commit, then finds it running.
    return (
        update(OutboxMessage)
        .where(which, OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= _NOW)
        .values(state="running", claimed_at=_NOW, attempts=OutboxMessage.attempts + 1)
        .returning(*_CLAIMED_COLUMNS)
        .execution_options(synchronize_session=False)
    )


def waited_call(task_id: str | None, ordering_key: str | None) -> bool:
    """Whether a row is a call its process waits for (a BPMN service task's: it has a task and
    no ordering key, so it never waits behind another row). A dossier's job delivers these
    first, and they are handed to the queue the workers take first (`queue.names`)."""
    return task_id is not None and ordering_key is None


# `not waited_call(row.task_id, row.ordering_key)` in SQL: false sorts first
_NOT_WAITED = OutboxMessage.task_id.is_(None) | OutboxMessage.ordering_key.is_not(None)


def _ready_of_dossier(dossier_id):  # noqa: ANN001, ANN202 - an SQL value, a subquery
    """The id of the dossier's row that may be claimed at `now` (a subquery): a call its
    process waits for first (`waited_call`), then the oldest."""
    return (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.dossier_id == dossier_id,
            OutboxMessage.state == "pending",
            OutboxMessage.next_attempt_at <= _NOW,
            or_(OutboxMessage.ordering_key.is_(None), _NO_EARLIER_UNDONE),
        )
        .order_by(_NOT_WAITED, OutboxMessage.id)
        .limit(1)
        .scalar_subquery()
    )


_OWNER = (
    select(OutboxMessage.dossier_id).where(OutboxMessage.id == bindparam("row")).scalar_subquery()
)
_CLAIM = _claiming(
    and_(
        OutboxMessage.id == bindparam("row"),
        or_(OutboxMessage.ordering_key.is_(None), _NO_EARLIER_UNDONE),
    )
)
_CLAIM_NEXT = _claiming(
    OutboxMessage.id
    == select(OutboxMessage.id)
    .where(OutboxMessage.ordering_key == bindparam("key"), OutboxMessage.state != "done")
    .order_by(OutboxMessage.id)
    .limit(1)
    .scalar_subquery()
)
_CLAIM_FOR_DOSSIER = _claiming(OutboxMessage.id == _ready_of_dossier(bindparam("dossier")))
_CLAIM_WITH_DOSSIER_OF = _claiming(OutboxMessage.id == _ready_of_dossier(_OWNER))
_NEXT_READY = select(OutboxMessage.id, OutboxMessage.task_id, OutboxMessage.ordering_key).where(
    OutboxMessage.id == _ready_of_dossier(bindparam("dossier"))
)


def _claimed(row) -> Claimed | None:  # noqa: ANN001 - a RETURNING row or None
    if row is None:
        return None
    return Claimed(
        row.id,
        row.operator,
        dict(row.params),
        row.task_id,
        row.ordering_key,
        row.attempts,
        row.dossier_id,
    )


def _claim_in(session: Session, statement, **params: object) -> Claimed | None:  # noqa: ANN001
    """Run a claim statement (an UPDATE … RETURNING) at `now` in the session's transaction.

    On the session's connection, not through the session: the claim returns plain columns and
    touches no loaded object, and the ORM's UPDATE path (its bulk-update set-up, a new cache key
    for the statement on every run) cost a worker more CPU than the claim's round trip. Rows the
    session holds unflushed are not seen: `Follow.follow_up` flushes first."""
    row = session.connection().execute(statement, {**params, "now": utcnow()}).first()
    return _claimed(row)


def _take(statement, **params: object) -> Claimed | None:  # noqa: ANN001 - an UPDATE
    with db.transaction() as session:
        return _claim_in(session, statement, **params)


def claim(outbox_id: int) -> Claimed | None:
    """Take the row for delivery, or None if it is not due, taken, done, or waits its turn."""
    return _take(_CLAIM, row=outbox_id)


def claim_next(ordering_key: str) -> Claimed | None:
    """Take the ordering key's next row (its oldest not done) when it is pending and due; None
    when that row is taken, waits for a retry, is an incident, or there is none."""
    return _take(_CLAIM_NEXT, key=ordering_key)


def claim_for_dossier(dossier_id: int) -> Claimed | None:
    """Take the dossier's oldest row that is pending, due and not waiting behind an earlier
    one of its ordering key; None when there is none."""
    return _take(_CLAIM_FOR_DOSSIER, dossier=dossier_id)


def claim_with_dossier_of(outbox_id: int) -> Claimed | None:
    """As `claim_for_dossier`, for the dossier of row `outbox_id` (a job whose own row was
    delivered by another job goes on with what its dossier has ready)."""
    return _take(_CLAIM_WITH_DOSSIER_OF, row=outbox_id)


def next_ready(dossier_id: int) -> tuple[int, bool] | None:
    """The dossier's row that may be claimed now, if any: its id, and whether its process
    waits for it (`waited_call`)."""
    with db.transaction() as session:
        found = session.connection().execute(_NEXT_READY, {"dossier": dossier_id, "now": utcnow()})
        row = found.first()
        return None if row is None else (row.id, waited_call(row.task_id, row.ordering_key))


@dataclass
class Follow:
    """What a worker asks of the transaction that marks its row done (see `outbox.mark_done`):
    claim the dossier's next ready row; set once that transaction committed (`ran`)."""

    dossier_id: int
    ran: bool = False
    claimed: Claimed | None = None

    def follow_up(self, session: Session) -> None:
        """In the caller's transaction, its outbox rows written: claim the dossier's next
        ready row; the claim counts only once that transaction commits."""
        session.flush()
        claimed = _claim_in(session, _CLAIM_FOR_DOSSIER, dossier=self.dossier_id)

        def committed() -> None:
            self.ran, self.claimed = True, claimed

        after_commit(session, committed)

"""Claiming outbox rows for delivery (see `outbox`): each claim is one statement (UPDATE …
RETURNING), so a row is taken by one worker only and a claim costs one round trip. Rows sharing
an ordering key are claimed strictly one after another in id order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import aliased

from app.models import OutboxMessage
from app.models.base import utcnow
from app.storage.db import db


@dataclass(frozen=True)
class Claimed:
    id: int
    operator: str
    params: dict[str, Any]
    task_id: str | None
    ordering_key: str | None
    attempts: int
    dossier_id: int | None = None


def no_earlier_undone():  # noqa: ANN201 - an SQL condition
    """The condition "no earlier row of this row's ordering key is still undone"."""
    earlier = aliased(OutboxMessage)
    return ~exists().where(
        earlier.ordering_key == OutboxMessage.ordering_key,
        earlier.id < OutboxMessage.id,
        earlier.state != "done",
    )


_CLAIMED_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.operator,
    OutboxMessage.params,
    OutboxMessage.task_id,
    OutboxMessage.ordering_key,
    OutboxMessage.attempts,
    OutboxMessage.dossier_id,
)


def _take(which, now: datetime) -> Claimed | None:  # noqa: ANN001 - a row-id condition
    # One statement (UPDATE … RETURNING): a row is taken by one worker only; on PostgreSQL a
    # worker racing for the same row waits for the other's commit, then finds it running.
    with db.transaction() as session:
        row = session.execute(
            update(OutboxMessage)
            .where(
                which,
                OutboxMessage.state == "pending",
                OutboxMessage.next_attempt_at <= now,
            )
            .values(state="running", claimed_at=now, attempts=OutboxMessage.attempts + 1)
            .returning(*_CLAIMED_COLUMNS)
            .execution_options(synchronize_session=False)
        ).first()
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


def claim(outbox_id: int) -> Claimed | None:
    """Take the row for delivery, or None if it is not due, taken, done, or waits its turn."""
    return _take(
        and_(
            OutboxMessage.id == outbox_id,
            or_(OutboxMessage.ordering_key.is_(None), no_earlier_undone()),
        ),
        utcnow(),
    )


def claim_next(ordering_key: str) -> Claimed | None:
    """Take the ordering key's next row (its oldest not done) when it is pending and due; None
    when that row is taken, waits for a retry, is an incident, or there is none."""
    first_undone = (
        select(OutboxMessage.id)
        .where(OutboxMessage.ordering_key == ordering_key, OutboxMessage.state != "done")
        .order_by(OutboxMessage.id)
        .limit(1)
        .scalar_subquery()
    )
    return _take(OutboxMessage.id == first_undone, utcnow())


def _ready_of_dossier(dossier_id, now: datetime):  # noqa: ANN001, ANN202 - a value or a subquery
    """The id of the dossier's oldest row that may be claimed now (a subquery)."""
    return (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.dossier_id == dossier_id,
            OutboxMessage.state == "pending",
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.ordering_key.is_(None), no_earlier_undone()),
        )
        .order_by(OutboxMessage.id)
        .limit(1)
        .scalar_subquery()
    )


def claim_for_dossier(dossier_id: int) -> Claimed | None:
    """Take the dossier's oldest row that is pending, due and not waiting behind an earlier
    one of its ordering key; None when there is none."""
    now = utcnow()
    return _take(OutboxMessage.id == _ready_of_dossier(dossier_id, now), now)


def claim_with_dossier_of(outbox_id: int) -> Claimed | None:
    """As `claim_for_dossier`, for the dossier of row `outbox_id` (a job whose own row was
    delivered by another job goes on with what its dossier has ready)."""
    now = utcnow()
    owner = select(OutboxMessage.dossier_id).where(OutboxMessage.id == outbox_id).scalar_subquery()
    return _take(OutboxMessage.id == _ready_of_dossier(owner, now), now)


def next_ready_id(dossier_id: int) -> int | None:
    """The id of the dossier's row that may be claimed now, if any."""
    with db.transaction() as session:
        return session.scalar(select(_ready_of_dossier(dossier_id, utcnow())))

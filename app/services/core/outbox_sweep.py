"""The sweeper's pass over the outbox (see `outbox`): rows left behind are handed to the queue
again, and rows a dead worker held are put back."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from app import settings
from app.models import OutboxMessage
from app.models.base import utcnow
from app.services.core import queue
from app.services.core.outbox_claims import no_earlier_undone, waited_call
from app.storage.db import db


def sweep(now: datetime | None = None, limit: int = 500) -> list[int]:
    """Re-enqueue rows left behind (crash before enqueue, due retries, dead workers); a row a
    worker holds (claimed less than OUTBOX_CLAIM_TIMEOUT ago) or whose job is still queued is
    left alone."""
    cfg = settings.current
    now = now or utcnow()
    stale = now - timedelta(seconds=cfg.OUTBOX_SWEEP_AFTER)
    with db.transaction() as session:
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.state == "running",
                OutboxMessage.claimed_at < now - timedelta(seconds=cfg.OUTBOX_CLAIM_TIMEOUT),
            )
            .values(state="pending", enqueued_at=None)
            .execution_options(synchronize_session=False)
        )
        found = list(
            session.execute(
                select(OutboxMessage.id, OutboxMessage.task_id, OutboxMessage.ordering_key)
                .where(
                    OutboxMessage.state == "pending",
                    OutboxMessage.next_attempt_at <= now,
                    or_(
                        and_(
                            OutboxMessage.enqueued_at.is_(None), OutboxMessage.created_at <= stale
                        ),
                        and_(OutboxMessage.enqueued_at.is_(None), OutboxMessage.attempts > 0),
                        OutboxMessage.enqueued_at <= stale,
                    ),
                    or_(OutboxMessage.ordering_key.is_(None), no_earlier_undone()),
                )
                .order_by(OutboxMessage.id)
                .limit(limit)
            )
        )
        ids = [row.id for row in found]
        waited = [row.id for row in found if waited_call(row.task_id, row.ordering_key)]
        # a row whose job still waits in the queue is not handed off again: in a backlog,
        # every pass would add another job per row, and the backlog would feed itself
        queued = queue.waiting(ids)
        ids = [row_id for row_id in ids if row_id not in queued]
        if ids:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(enqueued_at=now)
                .execution_options(synchronize_session=False)
            )
    queue.dispatch(ids, waited)
    return ids

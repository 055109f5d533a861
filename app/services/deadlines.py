"""The deadline sweep: open steps move on_time → due_soon → overdue as their times pass.

Two indexed UPDATEs; no instance is loaded. Idempotent: a step changes state once, so two
schedulers sweeping at the same moment mark it once between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.domain.deadlines import LABELS_VI, DeadlineState
from app.models import HumanTask
from app.models.base import utcnow
from app.services import audit
from app.services.actors import SYSTEM
from app.storage.db import db

_TASKS = HumanTask.__table__


@dataclass(frozen=True)
class SweepResult:
    due_soon: int
    overdue: int


def sweep(now: datetime | None = None) -> SweepResult:
    now = now or utcnow()
    with db.transaction() as session:
        overdue = _mark(
            session,
            DeadlineState.OVERDUE,
            _TASKS.c.due_at <= now,
            _TASKS.c.deadline_state != DeadlineState.OVERDUE,
        )
        soon = _mark(
            session,
            DeadlineState.DUE_SOON,
            _TASKS.c.due_soon_at <= now,
            _TASKS.c.deadline_state == DeadlineState.ON_TIME,
        )
    return SweepResult(soon, overdue)


def _mark(session: Session, state: DeadlineState, *conditions) -> int:  # noqa: ANN002
    rows = (
        session.connection()
        .execute(
            update(_TASKS)
            .where(_TASKS.c.state == "open", *conditions)
            .values(deadline_state=str(state))
            .returning(_TASKS.c.id, _TASKS.c.dossier_id, _TASKS.c.instance_id, _TASKS.c.title)
        )
        .all()
    )
    for row in rows:
        audit.record(
            session,
            f"task_{state}",
            SYSTEM,
            dossier_id=row.dossier_id,
            instance_id=row.instance_id,
            task_id=row.id,
            title=row.title,
            label=LABELS_VI[state],
        )
    return len(rows)

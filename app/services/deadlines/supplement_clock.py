"""The supplement clock: a dossier's time stops while the citizen completes it.

Per procedure, `pause` (the default) adds the working time spent waiting to the due time;
`restart` counts the whole statutory duration again from the supplement. Open steps that were
waiting too are shifted by the paused working time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app.domain.status import DossierStatus
from app.models import HumanTask
from app.models.base import utcnow
from app.services.core import audit, calendars
from app.services.core.actors import Actor

if TYPE_CHECKING:
    from app.services.core.runtime import DossierRef

_TASKS = HumanTask.__table__
_SHIFT_TASK = (
    update(_TASKS).where(_TASKS.c.id == bindparam("b_id")).values(due_at=bindparam("b_due"))
)


def on_status_change(
    session: Session, dossier: DossierRef, previous: int, status: DossierStatus, actor: Actor
) -> None:
    """Stop the clock on entering "supplement requested"; restart or resume it on leaving."""
    now = utcnow()
    if status == DossierStatus.SUPPLEMENT_REQUESTED:
        if dossier.clock_paused_at is None:
            dossier.clock_paused_at = now
            audit.record(session, "clock_paused", actor, dossier_id=dossier.id)
        return
    if previous != DossierStatus.SUPPLEMENT_REQUESTED or dossier.clock_paused_at is None:
        return
    paused_at, dossier.clock_paused_at = dossier.clock_paused_at, None
    if status.is_final or dossier.due_at is None:
        return
    calendar = calendars.work_calendar(session)
    waited = calendar.working_hours_between(paused_at, now)
    old_due = dossier.due_at
    if dossier.supplement_clock == "restart":
        dossier.due_at = calendar.due(now, dossier.duration, dossier.duration_unit)
    elif waited > 0:
        dossier.due_at = calendar.add_working_hours(old_due, waited)
    if waited > 0:
        _shift_open_steps(session, dossier.id, paused_at, waited, calendar)
    audit.record(
        session,
        "clock_resumed",
        actor,
        dossier_id=dossier.id,
        mode=dossier.supplement_clock,
        waited_hours=round(waited, 2),
        previous_due=old_due.isoformat(),
        due=dossier.due_at.isoformat(),
    )


def _shift_open_steps(session, dossier_id, paused_at, hours, calendar) -> None:  # noqa: ANN001
    rows = (
        session.connection()
        .execute(
            select(_TASKS.c.id, _TASKS.c.due_at).where(
                _TASKS.c.dossier_id == dossier_id,
                _TASKS.c.state == "open",
                _TASKS.c.created_at < paused_at,
                _TASKS.c.due_at.is_not(None),
            )
        )
        .all()
    )
    if rows:
        session.connection().execute(
            _SHIFT_TASK,
            [
                {"b_id": row.id, "b_due": calendar.add_working_hours(row.due_at, hours)}
                for row in rows
            ],
        )

"""The supplement clock: a dossier's time stops while the citizen completes it.

Per procedure, `pause` (the default) adds the working time spent waiting to the due time;
`restart` counts the whole statutory duration again from the supplement. Open steps that were
waiting too are shifted by the paused working time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app.domain.status import VN_TZ, DossierStatus
from app.engine.timer_events import duration_from
from app.models import Dossier, HumanTask
from app.models.base import utcnow
from app.services.core import audit, calendars
from app.services.core.actors import Actor
from app.storage.db import db

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


# What the process waits for a supplement when the dossier does not say (counter_dossier.bpmn)
DEFAULT_SUPPLEMENT_WAIT = "P30D"


@dataclass(frozen=True)
class SupplementDeadline:
    """When the citizen's supplement is due (hạn bổ sung) and the working days left."""

    due_at: datetime
    working_days_left: int


def supplement_deadline(dossier_code: str) -> SupplementDeadline | None:
    """The supplement's due time (the process's supplement timer, counted from the request)
    and the working days left after today up to its day; None unless one is awaited."""
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == dossier_code))
        if (
            dossier is None
            or dossier.status != DossierStatus.SUPPLEMENT_REQUESTED
            or dossier.clock_paused_at is None
        ):
            return None
        wait = str((dossier.data or {}).get("supplement_wait") or DEFAULT_SUPPLEMENT_WAIT)
        due_at = duration_from(dossier.clock_paused_at, wait)
        calendar = calendars.work_calendar(session)
        today = utcnow().astimezone(VN_TZ).date()
        return SupplementDeadline(due_at, _working_days(calendar, today, due_at))


def _working_days(calendar, today: date, due_at: datetime) -> int:  # noqa: ANN001
    """Working days after `today` up to and including the due day (0 once it has passed)."""
    last = due_at.astimezone(VN_TZ).date()
    count, day = 0, today + timedelta(days=1)
    while day <= last:
        count += calendar.is_working_day(day)
        day += timedelta(days=1)
    return count

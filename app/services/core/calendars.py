"""The working calendar in force: office hours from configuration, overrides from the database.

Administrators add and remove overrides per year (lịch nghỉ bù, làm bù).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from app import settings
from app.domain.holiday_names import HolidayName
from app.domain.worktime import (
    OfficeHours,
    Override,
    OverrideKind,
    WorkCalendar,
    check_override,
    public_days,
)
from app.i18n import _l
from app.models import CalendarOverride
from app.models.base import utcnow
from app.services.core.actors import Actor
from app.services.core.errors import Forbidden, InvalidInput, NotFound
from app.storage.db import db

_IN_SESSION = "work_calendar"


def work_calendar(session: Session) -> WorkCalendar:
    """The calendar with every override from last year on (older ones cannot matter); read
    once per transaction (a step asks for it for its timers and again for its tasks' due
    times), read again after this transaction changes an override."""
    found = session.info.get(_IN_SESSION)
    if found is None:
        found = session.info[_IN_SESSION] = _read_calendar(session)
    return found


# Built once: every step that sets a timer or a due time reads the overrides.
_OVERRIDES = select(CalendarOverride.day, CalendarOverride.kind, CalendarOverride.note).where(
    CalendarOverride.day >= bindparam("since")
)


def _read_calendar(session: Session) -> WorkCalendar:
    # through the session (not its connection): an override added in this transaction counts
    rows = session.execute(_OVERRIDES, {"since": date(utcnow().year - 1, 1, 1)}).all()
    return WorkCalendar.build(
        OfficeHours.parse(settings.current.OFFICE_HOURS),
        [Override(day, OverrideKind(kind), note) for day, kind, note in rows],
    )


def _require_admin(actor: Actor) -> None:
    if not actor.agencies_for("admin"):
        raise Forbidden(_l("Chỉ quản trị viên được sửa lịch làm việc"))


def add_override(year: int, day: date, kind: str, note: str, actor: Actor) -> None:
    """An administrator adds a day off or a make-up working day to the calendar."""
    _require_admin(actor)
    try:
        override = Override(day, OverrideKind(kind), note.strip()[:255])
    except ValueError as exc:
        raise InvalidInput(_l("Loại điều chỉnh không hợp lệ"), fields={"kind": str(exc)}) from exc
    with db.transaction() as session:
        problems = check_override(work_calendar(session), override, year)
        if problems:
            raise InvalidInput("; ".join(problems), fields={"day": problems[0]})
        session.add(
            CalendarOverride(
                day=day, kind=str(override.kind), note=override.note, created_by_id=actor.id
            )
        )
        session.info.pop(_IN_SESSION, None)


def remove_override(override_id: int, actor: Actor) -> None:
    """An administrator removes a calendar override."""
    _require_admin(actor)
    with db.transaction() as session:
        if (
            session.execute(
                delete(CalendarOverride).where(CalendarOverride.id == override_id)
            ).rowcount
            != 1
        ):
            raise NotFound(_l("Không tìm thấy điều chỉnh"))
        session.info.pop(_IN_SESSION, None)


@dataclass(frozen=True)
class DayEntry:
    day: date
    label: str | HolidayName  # a holiday's name (both languages) or the administrator's note
    kind: str  # holiday, working_weekend, day_off, working_day
    override_id: int | None = None


def year_view(year: int) -> list[DayEntry]:
    """Every non-ordinary day of a year: public holidays, swapped days, overrides, in order."""
    names, weekend_workdays = public_days(year)
    entries = [DayEntry(d, n, "holiday") for d, n in names.items()]
    entries += [
        DayEntry(d, _l("Làm bù (theo quy định)"), "working_weekend") for d in weekend_workdays
    ]
    with db.transaction() as session:
        rows = session.scalars(
            select(CalendarOverride).where(
                CalendarOverride.day >= date(year, 1, 1),
                CalendarOverride.day < date(year + 1, 1, 1),
            )
        ).all()
        entries += [DayEntry(r.day, r.note, r.kind, r.id) for r in rows]
    return sorted(entries, key=lambda e: e.day)

"""Timers in working time.

Timers read "now" from the domain clock (`timer_events`). `after_working_days` lets a model arm
a timer in working time: the expression `after_working_days(2)` is the moment two working days
from now by the office calendar (weekends, holidays, swapped Saturdays, overrides), and an
ISO 8601 duration such as `"PT5M"` is plain elapsed time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.domain.clock import utcnow
from app.domain.worktime import DurationUnit, OfficeHours, WorkCalendar, check_duration
from app.engine.timer_events import duration_from
from app.i18n import _

_DEFAULT_CALENDAR: WorkCalendar | None = None


def _default_calendar() -> WorkCalendar:
    global _DEFAULT_CALENDAR
    if _DEFAULT_CALENDAR is None:
        _DEFAULT_CALENDAR = WorkCalendar.build(OfficeHours.parse("07:00-11:30,13:30-17:00"), [])
    return _DEFAULT_CALENDAR


def working_time(calendar: Callable[[], WorkCalendar] | None) -> Callable[[object], str]:
    """The `after_working_days` function given to scripts and timer expressions."""

    def after_working_days(amount: object) -> str:
        if isinstance(amount, str) and amount.strip().upper().startswith("P"):
            return duration_from(utcnow(), amount.strip()).isoformat()
        days = _days(amount)
        refused = None
        try:
            check_duration(days)
        except ValueError as exc:
            refused = str(exc)
        if refused is not None:
            # raised outside the handler: a script catching it finds no chained exception
            raise ValueError(f"after_working_days: {refused}")
        work = calendar() if calendar is not None else _default_calendar()
        return work.due(utcnow(), days, DurationUnit.WORKING_DAYS).isoformat()

    return after_working_days


def _days(amount: object) -> float:
    """A number of days given as a number or a numeric string; ValueError for anything else
    (a bool is not a number of days)."""
    if isinstance(amount, (int, float)) and not isinstance(amount, bool):
        return float(amount)
    if isinstance(amount, str):
        try:
            return float(amount)
        except ValueError:
            pass
    raise ValueError(
        _(
            "after_working_days: %(value)r không phải số ngày làm việc hay khoảng thời gian "
            "ISO 8601",
            value=amount,
        )
    )


def script_helpers(calendar: Callable[[], WorkCalendar] | None) -> dict[str, Callable[..., Any]]:
    """The functions models may call besides the sandbox's own (one place: the sandbox reads
    their names for validation, the process run gives them the office calendar)."""
    return {"after_working_days": working_time(calendar)}

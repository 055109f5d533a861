"""Timers on the project's clock and in working time.

SpiffWorkflow's timer events read the wall clock through the `datetime` of their module; it is
pointed here at the domain clock, so timers and deadlines agree on "now" (and a frozen clock in
tests or simulations freezes both). `after_working_days` lets a model arm a timer in working
time: the expression `after_working_days(2)` is the moment two working days from now by the
office calendar (weekends, holidays, swapped Saturdays, overrides), and an ISO 8601 duration
such as `"PT5M"` is plain elapsed time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer

from app.domain.clock import utcnow
from app.domain.worktime import DurationUnit, OfficeHours, WorkCalendar


class _ClockDatetime(datetime):
    """`datetime` whose `now()` is the domain clock."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        moment = utcnow()
        return moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)


_spiff_timer.datetime = _ClockDatetime  # type: ignore[attr-defined]

_DEFAULT_CALENDAR: WorkCalendar | None = None


def _default_calendar() -> WorkCalendar:
    global _DEFAULT_CALENDAR
    if _DEFAULT_CALENDAR is None:
        _DEFAULT_CALENDAR = WorkCalendar.build(OfficeHours.parse("07:00-11:30,13:30-17:00"), [])
    return _DEFAULT_CALENDAR


def working_time(calendar: Callable[[], WorkCalendar] | None) -> Callable[[object], str]:
    """The `after_working_days` function given to scripts and timer expressions."""

    def after_working_days(amount: object) -> str:
        if isinstance(amount, str) and amount.upper().startswith("P"):
            duration = _spiff_timer.TimerEventDefinition.parse_iso_duration(amount)
            delta = _spiff_timer.TimerEventDefinition.get_timedelta_from_start(duration)
            return (utcnow() + delta).isoformat()
        try:
            days = float(amount)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"after_working_days: {amount!r} is neither a number of working days nor an "
                "ISO 8601 duration"
            ) from exc
        if days <= 0:
            return (utcnow() + timedelta(seconds=0)).isoformat()
        work = calendar() if calendar is not None else _default_calendar()
        return work.due(utcnow(), days, DurationUnit.WORKING_DAYS).isoformat()

    return after_working_days


def script_helpers(calendar: Callable[[], WorkCalendar] | None) -> dict[str, Callable[..., Any]]:
    """The functions models may call besides the sandbox's own (one place: the sandbox reads
    their names for validation, the process run gives them the office calendar)."""
    return {"after_working_days": working_time(calendar)}

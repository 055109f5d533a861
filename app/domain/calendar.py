"""Working-day arithmetic on the Vietnamese calendar (weekends and public holidays off)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

from app.domain.status import VN_TZ

OFFICE_CLOSE = time(17, 0)


@lru_cache(maxsize=32)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: datetime, days: float) -> datetime:
    """The end of office hours on the `days`-th working day after `start` (Vietnam time)."""
    local = start.astimezone(VN_TZ).date()
    remaining = max(1, round(days))
    current = local
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return datetime.combine(current, OFFICE_CLOSE, tzinfo=VN_TZ)

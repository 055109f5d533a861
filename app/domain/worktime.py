"""The working-time calendar (lịch làm việc): office hours, weekends, Vietnamese public holidays,
swapped working Saturdays, and the overrides an administrator adds per year.

Durations are counted in working hours (8 h = 1 working day) or in calendar days (a due date
that lands on a day off moves to the next working day). Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from numbers import Real

import holidays

from app.domain.holiday_names import HolidayName, holiday_names
from app.domain.status import VN_TZ
from app.i18n import _, _l

HOURS_PER_DAY = 8.0
_EPSILON = 1e-9
# The longest duration the calendar counts (ten years of working days): anything longer is a
# typo or a hostile value, and counting it day by day would run to the year 9999.
MAX_WORKING_DAYS = 2600


class DurationUnit(StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"


class OverrideKind(StrEnum):
    DAY_OFF = "day_off"  # an extra day off (nghỉ bù, nghỉ đột xuất)
    WORKING_DAY = "working_day"  # a swapped working Saturday (làm bù)


@dataclass(frozen=True)
class Override:
    day: date
    kind: OverrideKind
    note: str = ""


@dataclass(frozen=True)
class OfficeHours:
    """Working periods of one working day, e.g. 07:00–11:30 and 13:30–17:00."""

    periods: tuple[tuple[time, time], ...] = ((time(7, 0), time(11, 30)), (time(13, 30), time(17)))

    def __post_init__(self) -> None:
        previous_end = time.min
        for start, end in self.periods:
            if not start < end or start < previous_end:
                raise ValueError(_l("Giờ làm việc phải tăng dần và không chồng lấn"))
            previous_end = end
        if not self.periods:
            raise ValueError(_l("Cần ít nhất một khoảng giờ làm việc"))

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        """`"07:00-11:30,13:30-17:00"` → OfficeHours; ValueError with a message when malformed."""
        try:
            periods = tuple(
                tuple(time.fromisoformat(part.strip()) for part in period.split("-"))
                for period in text.split(",")
            )
        except ValueError as exc:
            raise ValueError(_l("Giờ làm việc không hợp lệ: %(text)r", text=text)) from exc
        if any(len(p) != 2 for p in periods):
            raise ValueError(_l("Giờ làm việc không hợp lệ: %(text)r", text=text))
        return cls(periods)  # type: ignore[arg-type]

    @property
    def hours_per_day(self) -> float:
        return sum(_hours(start, end) for start, end in self.periods)

    @property
    def closing(self) -> time:
        return self.periods[-1][1]


def _hours(start: time, end: time) -> float:
    return (datetime.combine(date.min, end) - datetime.combine(date.min, start)).seconds / 3600


@lru_cache(maxsize=64)
def _public(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(public holidays, swapped working weekend days) of a year, from `holidays.VN`."""
    calendar = holidays.country_holidays("VN", years=year)
    weekend_workdays = frozenset(d for d in calendar.weekend_workdays if d.year == year)
    return frozenset(calendar), weekend_workdays


def public_days(year: int) -> tuple[dict[date, HolidayName], frozenset[date]]:
    """(public holidays with their names, swapped working weekend days) of a year."""
    return holiday_names(year), _public(year)[1]


@dataclass(frozen=True)
class WorkCalendar:
    hours: OfficeHours = field(default_factory=OfficeHours)
    overrides: tuple[Override, ...] = ()

    @classmethod
    def build(
        cls, hours: OfficeHours | None = None, overrides: Iterable[Override] = ()
    ) -> WorkCalendar:
        return cls(hours or OfficeHours(), tuple(overrides))

    def _override(self, day: date) -> OverrideKind | None:
        for override in self.overrides:
            if override.day == day:
                return override.kind
        return None

    def holiday_name(self, day: date) -> HolidayName | None:
        return holiday_names(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        kind = self._override(day)
        if kind is not None:
            return kind == OverrideKind.WORKING_DAY
        public, weekend_workdays = _public(day.year)
        if day in weekend_workdays:
            return True
        return day.weekday() < 5 and day not in public

    def next_working_day(self, day: date) -> date:
        """The first working day on or after `day`."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment `hours` of office time after `start`; time outside office hours (nights,
        lunch, days off) does not count, so a receipt after hours starts the next morning."""
        check_duration(hours / HOURS_PER_DAY if _is_number(hours) else hours)
        local = _aware(start).astimezone(VN_TZ)
        remaining = hours
        day = local.date()
        while True:
            if self.is_working_day(day):
                for period_start, period_end in self.hours.periods:
                    begin = max(datetime.combine(day, period_start, VN_TZ), local)
                    end = datetime.combine(day, period_end, VN_TZ)
                    if begin >= end:
                        continue
                    available = (end - begin).total_seconds() / 3600
                    if remaining <= available + _EPSILON:
                        return begin + timedelta(hours=remaining)
                    remaining -= available
            day += timedelta(days=1)

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Office hours elapsed from `start` to `end` (0 when end is not after start)."""
        if _aware(end) <= _aware(start):
            return 0.0
        a, b = start.astimezone(VN_TZ), end.astimezone(VN_TZ)
        total = 0.0
        day = a.date()
        while day <= b.date():
            if self.is_working_day(day):
                for period_start, period_end in self.hours.periods:
                    lo = max(datetime.combine(day, period_start, VN_TZ), a)
                    hi = min(datetime.combine(day, period_end, VN_TZ), b)
                    if hi > lo:
                        total += (hi - lo).total_seconds() / 3600
            day += timedelta(days=1)
        return total

    def due(self, start: datetime, amount: float, unit: DurationUnit | str) -> datetime:
        """The due time of a duration counted from `start` in the procedure's unit."""
        unit = DurationUnit(unit)
        check_duration(
            amount / HOURS_PER_DAY
            if unit == DurationUnit.WORKING_HOURS and _is_number(amount)
            else amount
        )
        start = _aware(start)
        if unit == DurationUnit.CALENDAR_DAYS:
            day = start.astimezone(VN_TZ).date() + timedelta(days=round(amount))
            return datetime.combine(self.next_working_day(day), self.hours.closing, VN_TZ)
        hours = amount if unit == DurationUnit.WORKING_HOURS else amount * HOURS_PER_DAY
        return self.add_working_hours(start, hours)


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def check_duration(amount: object) -> None:
    """Refuses (ValueError with a message) a duration in days that is not a finite number
    greater than 0 and at most `MAX_WORKING_DAYS`."""
    if not _is_number(amount):
        raise ValueError(_l("Thời hạn phải là một số, không phải %(value)r", value=amount))
    if not math.isfinite(amount):  # type: ignore[arg-type]
        raise ValueError(_l("Thời hạn phải là một số hữu hạn, không phải %(value)r", value=amount))
    if amount <= 0:  # type: ignore[operator]
        raise ValueError(_l("Thời hạn phải lớn hơn 0"))
    if amount > MAX_WORKING_DAYS:  # type: ignore[operator]
        raise ValueError(
            _l("Thời hạn không được quá %(most)s ngày làm việc", most=MAX_WORKING_DAYS)
        )


def _aware(moment: datetime) -> datetime:
    """`moment`, refused when it has no time zone (it would be read in the server's zone)."""
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise ValueError(_l("Thời điểm phải có múi giờ: %(value)r", value=moment))
    return moment


def check_override(calendar: WorkCalendar, override: Override, year: int) -> list[str]:
    """Why `override` cannot be added to the year's calendar (empty when it can)."""
    problems = []
    if override.day.year != year:
        problems.append(
            _(
                "Ngày %(day)s không thuộc năm %(year)s",
                day=format(override.day, "%d/%m/%Y"),
                year=year,
            )
        )
    if any(o.day == override.day for o in calendar.overrides):
        problems.append(_("Ngày %(day)s đã có điều chỉnh", day=format(override.day, "%d/%m/%Y")))
    elif override.kind == OverrideKind.WORKING_DAY and calendar.is_working_day(override.day):
        problems.append(
            _(
                "Ngày %(day)s đã là ngày làm việc, không thể làm bù",
                day=format(override.day, "%d/%m/%Y"),
            )
        )
    elif override.kind == OverrideKind.DAY_OFF and not calendar.is_working_day(override.day):
        problems.append(_("Ngày %(day)s đã là ngày nghỉ", day=format(override.day, "%d/%m/%Y")))
    return problems

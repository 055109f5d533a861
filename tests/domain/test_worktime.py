"""The working-time calendar, checked against hand-counted dates of 2025 and 2026."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from app.domain.status import VN_TZ
from app.domain.worktime import (
    OfficeHours,
    Override,
    OverrideKind,
    WorkCalendar,
    check_duration,
    check_override,
)

CAL = WorkCalendar.build()


def vn(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN_TZ)


def test_default_office_hours_make_an_eight_hour_day():
    assert CAL.hours.hours_per_day == 8.0
    assert OfficeHours.parse("07:30-11:30, 13:00-17:00").hours_per_day == 8.0


@pytest.mark.parametrize("text", ["07:00", "11:30-07:00", "07:00-12:00,11:00-17:00", "x-y"])
def test_malformed_office_hours_are_refused(text):
    with pytest.raises(ValueError, match="Giờ làm việc"):
        OfficeHours.parse(text)


def test_tet_2025_days_are_off_and_the_clock_skips_them():
    for day in range(27, 32):
        assert not CAL.is_working_day(date(2025, 1, day))
    # Fri 24/1 10:00 + 1 working day: 5 h that Friday, the other 3 h on Mon 3/2.
    assert CAL.due(vn(2025, 1, 24, 10), 1, "working_days") == vn(2025, 2, 3, 10)


def test_swapped_saturday_26_april_2025_is_worked_and_2_may_is_off():
    assert CAL.is_working_day(date(2025, 4, 26)) and not CAL.is_working_day(date(2025, 5, 2))
    # Received after hours on Friday 25/4: the clock starts on the working Saturday morning.
    assert CAL.add_working_hours(vn(2025, 4, 25, 17, 30), 4) == vn(2025, 4, 26, 11)
    # Tue 29/4 16:00 + 2 h: one hour that day, then 30/4, 1/5, 2/5 and the weekend are off.
    assert CAL.add_working_hours(vn(2025, 4, 29, 16), 2) == vn(2025, 5, 5, 8)


def test_tet_2026_week_is_off():
    for day in range(16, 21):
        assert not CAL.is_working_day(date(2026, 2, day))
    assert CAL.add_working_hours(vn(2026, 2, 13, 16), 8) == vn(2026, 2, 23, 16)


def test_national_day_2026_with_its_swapped_saturday():
    assert CAL.is_working_day(date(2026, 8, 22))
    assert not any(CAL.is_working_day(date(2026, m, d)) for m, d in ((8, 31), (9, 1), (9, 2)))
    assert CAL.add_working_hours(vn(2026, 8, 28, 16), 2) == vn(2026, 9, 3, 8)


def test_lunch_break_does_not_count():
    assert CAL.add_working_hours(vn(2026, 11, 25, 11), 1) == vn(2026, 11, 25, 14)
    assert CAL.working_hours_between(vn(2026, 11, 25, 11), vn(2026, 11, 25, 14)) == 1.0


def test_receipt_after_hours_or_on_a_weekend_counts_from_the_next_working_morning():
    assert CAL.add_working_hours(vn(2026, 11, 25, 18), 1) == vn(2026, 11, 26, 8)
    assert CAL.add_working_hours(vn(2026, 11, 28, 9), 1) == vn(2026, 11, 30, 8)


def test_calendar_days_landing_on_a_day_off_move_to_the_next_working_day():
    assert CAL.due(vn(2026, 11, 23, 9), 5, "calendar_days") == datetime.combine(
        date(2026, 11, 30), time(17), VN_TZ
    )
    assert CAL.due(vn(2026, 11, 23, 9), 2, "calendar_days").date() == date(2026, 11, 25)


def test_working_hours_unit_and_zero_or_negative_durations():
    assert CAL.due(vn(2026, 11, 25, 7), 4.5, "working_hours") == vn(2026, 11, 25, 11, 30)
    for bad in (0, -1):
        with pytest.raises(ValueError, match="lớn hơn 0"):
            check_duration(bad)
        with pytest.raises(ValueError):
            CAL.due(vn(2026, 11, 25, 7), bad, "working_days")


def test_overrides_add_days_off_and_working_saturdays():
    extra = WorkCalendar.build(
        overrides=[
            Override(date(2026, 12, 2), OverrideKind.DAY_OFF, "Nghỉ đột xuất"),
            Override(date(2026, 12, 5), OverrideKind.WORKING_DAY, "Làm bù"),
        ]
    )
    assert not extra.is_working_day(date(2026, 12, 2)) and extra.is_working_day(date(2026, 12, 5))
    assert extra.add_working_hours(vn(2026, 12, 1, 16), 2) == vn(2026, 12, 3, 8)


def test_impossible_overrides_are_refused_with_a_reason():
    cal = WorkCalendar.build(overrides=[Override(date(2026, 12, 2), OverrideKind.DAY_OFF)])
    outside = check_override(cal, Override(date(2027, 1, 4), OverrideKind.DAY_OFF), 2026)
    duplicate = check_override(cal, Override(date(2026, 12, 2), OverrideKind.DAY_OFF), 2026)
    swap_onto_workday = check_override(
        cal, Override(date(2026, 12, 3), OverrideKind.WORKING_DAY), 2026
    )
    off_on_holiday = check_override(cal, Override(date(2026, 9, 2), OverrideKind.DAY_OFF), 2026)
    assert "không thuộc năm 2026" in outside[0]
    assert "đã có điều chỉnh" in duplicate[0]
    assert "đã là ngày làm việc" in swap_onto_workday[0]
    assert "đã là ngày nghỉ" in off_on_holiday[0]
    assert check_override(cal, Override(date(2026, 12, 12), OverrideKind.WORKING_DAY), 2026) == []


@pytest.mark.parametrize(
    ("amount", "said"),
    [
        (float("nan"), "hữu hạn"),
        (float("inf"), "hữu hạn"),
        (-float("inf"), "hữu hạn"),
        (1e309, "hữu hạn"),
        ("abc", "là một số"),
        ("2", "là một số"),
        (None, "là một số"),
        (True, "là một số"),
        (0, "lớn hơn 0"),
        (-1, "lớn hơn 0"),
        (1e6, "không được quá"),
    ],
)
def test_the_calendar_refuses_what_is_not_a_finite_positive_number_at_once(amount, said):
    """Never counts day by day to the year 9999, never an OverflowError."""
    for unit in ("working_days", "working_hours", "calendar_days"):
        with pytest.raises(ValueError, match=said):
            CAL.due(vn(2026, 11, 25, 7), amount, unit)
    with pytest.raises(ValueError, match=said):
        CAL.add_working_hours(vn(2026, 11, 25, 7), amount)


def test_the_calendar_refuses_a_moment_without_a_time_zone():
    with pytest.raises(ValueError, match="múi giờ"):
        CAL.due(datetime(2026, 11, 25, 7), 1, "working_days")
    with pytest.raises(ValueError, match="múi giờ"):
        CAL.add_working_hours(datetime(2026, 11, 25, 7), 1)
    with pytest.raises(ValueError, match="múi giờ"):
        CAL.working_hours_between(datetime(2026, 11, 25, 7), vn(2026, 11, 26))


def test_the_longest_duration_allowed_is_still_counted():
    due = CAL.due(vn(2026, 11, 25, 7), 2600, "working_days")
    assert due.year in (2036, 2037)

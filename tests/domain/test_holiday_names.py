"""Holiday names come from the `holidays` package in both languages; a substituted day off
names the working day it replaces, so the screen can write that date in one format."""

from __future__ import annotations

from datetime import date

from app.domain.holiday_names import HolidayName, holiday_names
from app.domain.worktime import WorkCalendar, public_days


def test_holidays_have_their_vietnamese_and_english_names():
    names = holiday_names(2026)
    assert names[date(2026, 2, 17)].vi == "Tết Nguyên Đán"
    assert names[date(2026, 2, 17)].en == "Lunar New Year"
    assert "Giỗ Tổ Hùng Vương" in names[date(2026, 4, 26)].vi
    assert names[date(2026, 4, 26)].en == "Hung Kings' Commemoration Day"
    assert names[date(2026, 9, 2)].vi == "Quốc khánh"


def test_a_substituted_day_off_names_the_day_it_replaces():
    assert holiday_names(2026)[date(2026, 8, 31)].substituted_from == date(2026, 8, 22)


def test_a_substitution_may_reach_back_into_the_previous_year():
    assert holiday_names(2015)[date(2015, 1, 2)].substituted_from == date(2014, 12, 27)


def test_ordinary_holidays_replace_no_day():
    names = holiday_names(2026)
    assert names[date(2026, 1, 1)] == HolidayName("Tết Dương lịch", "New Year's Day", None)
    assert [d for d, n in names.items() if n.substituted_from] == [date(2026, 8, 31)]


def test_the_work_calendar_names_its_holidays_with_both_names():
    calendar = WorkCalendar.build()
    assert calendar.holiday_name(date(2026, 2, 17)) == holiday_names(2026)[date(2026, 2, 17)]
    assert calendar.holiday_name(date(2026, 2, 23)) is None
    assert public_days(2026)[0] == holiday_names(2026)

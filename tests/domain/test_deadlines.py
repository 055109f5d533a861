"""Deadline states and outcomes."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.domain.deadlines import DeadlineState, Outcome, due_soon_at, outcome, state_at
from app.domain.status import VN_TZ
from app.domain.worktime import WorkCalendar

CAL = WorkCalendar.build()


def vn(d: int, hh: int, mm: int = 0, m: int = 11) -> datetime:
    return datetime(2026, m, d, hh, mm, tzinfo=VN_TZ)


def test_due_soon_when_the_last_fifth_of_working_time_remains():
    # Wed 25/11 07:00 → Thu 26/11 17:00 is 16 working hours; the last 3.2 h start Thu 13:48.
    assert due_soon_at(vn(25, 7), vn(26, 17), CAL, 0.2) == vn(26, 13, 48)


def test_due_soon_threshold_must_be_a_fraction():
    with pytest.raises(ValueError):
        due_soon_at(vn(25, 7), vn(26, 17), CAL, 1.0)


def test_state_moves_from_on_time_to_due_soon_to_overdue():
    soon, due = vn(26, 13, 48), vn(26, 17)
    assert state_at(vn(26, 13), due, soon) is DeadlineState.ON_TIME
    assert state_at(vn(26, 14), due, soon) is DeadlineState.DUE_SOON
    assert state_at(vn(26, 17), due, soon) is DeadlineState.OVERDUE


def test_outcome_early_on_an_earlier_day_on_time_on_the_due_day_late_after():
    due = vn(26, 17)
    assert outcome(vn(25, 16), due) is Outcome.EARLY
    assert outcome(vn(26, 8), due) is Outcome.ON_TIME
    assert outcome(vn(26, 17), due) is Outcome.ON_TIME
    assert outcome(vn(26, 17, 1), due) is Outcome.LATE
    assert outcome(vn(26, 8), None) is None

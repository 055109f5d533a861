"""`after_working_days`, the calendar function models call in timers and scripts: a finite
number of working days greater than 0, or an ISO 8601 duration; anything else is a clear error
at once (never a loop to the year 9999, never an OverflowError)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.engine.timekeeping import working_time

START = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # Wednesday 08:00 in Vietnam


@pytest.fixture
def after_working_days(clock):
    clock.set(START)
    return working_time(None)


def test_a_number_of_working_days_or_an_iso_duration_gives_a_moment(after_working_days):
    assert after_working_days(2) == "2026-11-27T08:00:00+07:00"
    # 12 office hours: Wednesday 08:00-17:00 gives 7, Thursday 07:00-11:30 and 13:30-14:00 the rest
    assert after_working_days("1.5") == "2026-11-26T14:00:00+07:00"
    assert after_working_days("PT5M") == "2026-11-25T01:05:00+00:00"


@pytest.mark.parametrize(
    "amount", [0, -1, -0.5, float("nan"), float("inf"), 1e309, "nan", "inf", "abc", None, True, []]
)
def test_anything_but_a_finite_positive_number_is_refused_with_a_message(
    after_working_days, amount
):
    with pytest.raises(ValueError, match="after_working_days"):
        after_working_days(amount)

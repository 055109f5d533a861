"""Names of the Vietnamese public holidays (tên ngày nghỉ lễ) in both languages the screens use.

The names come from the `holidays` package in Vietnamese and in English. A substituted day off
(nghỉ bù for a working day swapped with a Saturday) carries the day it was swapped with instead
of a finished sentence: the package writes that date in each language's own order (08/22/2026
in English), so the web layer builds the sentence from its catalog with one date format.
Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import holidays

VI, EN = "vi", "en_US"


@dataclass(frozen=True)
class HolidayName:
    """One holiday's name: `vi` and `en` as published, or the day a substituted day replaces."""

    vi: str
    en: str
    substituted_from: date | None = None


def _substitutions(year: int) -> dict[date, date]:
    """{day off: the working day it replaces} for the substituted days of `year`."""
    special = getattr(holidays.country_holidays("VN"), "special_public_holidays", {})
    entries = special.get(year, ())
    # one entry is a tuple of numbers; several are a tuple of tuples
    if entries and not isinstance(entries[0], tuple):
        entries = (entries,)
    found: dict[date, date] = {}
    for entry in entries:
        if len(entry) in (4, 5):  # (to_month, to_day, from_month, from_day[, from_year])
            to_month, to_day, from_month, from_day, *from_year = entry
            found[date(year, to_month, to_day)] = date(
                from_year[0] if from_year else year, from_month, from_day
            )
    return found


@lru_cache(maxsize=64)
def holiday_names(year: int) -> dict[date, HolidayName]:
    """Every public holiday of `year` with its name in Vietnamese and in English."""
    vi = holidays.country_holidays("VN", years=year, language=VI)
    en = holidays.country_holidays("VN", years=year, language=EN)
    swapped = _substitutions(year)
    return {day: HolidayName(vi[day], en.get(day, vi[day]), swapped.get(day)) for day in sorted(vi)}

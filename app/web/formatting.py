"""How dates, times, numbers and holiday names read on screen, in the reader's language.

Vietnamese: 22/08/2026 and 22/08/2026 14:30, 1.234.567, 66,7 %. English keeps a form that
cannot be misread either way round: 22 Aug 2026 and 22 Aug 2026, 14:30, 1,234,567, 66.7 %.
Templates format dates and numbers only through the filters `init_app` registers (`localtime`
keeps the name the officers' screens already used).

Dates typed by people: one text input showing "dd/mm/yyyy" in both languages (a browser's own
date picker follows the browser's locale, not the page's: an en-US Chromium shows mm/dd/yyyy
next to a label saying dd/mm/yyyy). `parse_day` reads what was typed.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_decimal
from flask import Flask
from flask_babel import get_locale

from app.domain.holiday_names import HolidayName
from app.domain.status import VN_TZ
from app.i18n import _, _l
from app.services.core.errors import InvalidInput

DATE_PATTERNS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}
DATETIME_PATTERNS = {"vi": "dd/MM/yyyy HH:mm", "en": "d MMM yyyy, HH:mm"}
WEEKDAYS = (_l("T2"), _l("T3"), _l("T4"), _l("T5"), _l("T6"), _l("T7"), _l("CN"))

# What a date input accepts: dd/mm/yyyy (d/m too) or ISO yyyy-mm-dd; the longest is 10 characters
DAY_INPUT_PATTERN = r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}"
_DAY_INPUT = re.compile(rf"(?:{DAY_INPUT_PATTERN})", re.ASCII)  # 0-9 only, not ٢ or ２
_DAY_INPUT_MAX = 10
# A moment: a day as above, then optionally HH:MM (a space, or ISO's "T")
MOMENT_INPUT_PATTERN = rf"(?:{DAY_INPUT_PATTERN})(?:[ T]\d{{1,2}}:\d{{2}})?"
_MOMENT_INPUT = re.compile(r"(?P<day>\S+?)(?:[ T](?P<hour>\d{1,2}):(?P<minute>\d{2}))?", re.ASCII)
_MOMENT_INPUT_MAX = 16


def language() -> str:
    """The reader's language: "vi" or "en" ("vi" outside a request)."""
    try:
        locale = get_locale()
    except RuntimeError:
        return "vi"
    return "en" if locale is not None and locale.language == "en" else "vi"


def day(value: date | datetime | None) -> str:
    """A calendar day: 22/08/2026 (vi), 22 Aug 2026 (en); empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(VN_TZ).date() if value.tzinfo else value.date()
    lang = language()
    return _babel_date(value, DATE_PATTERNS[lang], locale=lang)


def local_time(value: datetime | None, fmt: str | None = None) -> str:
    """A moment in Vietnam's time: 22/08/2026 14:30 (vi), 22 Aug 2026, 14:30 (en).

    `fmt`, a strftime pattern, asks for that exact form in both languages (kept for the
    templates that show seconds)."""
    if value is None:
        return ""
    local = value.astimezone(VN_TZ)
    if fmt:
        return local.strftime(fmt)
    lang = language()
    return _babel_datetime(local, DATETIME_PATTERNS[lang], tzinfo=VN_TZ, locale=lang)


def number(value: float | int | None) -> str:
    """A count or an amount with the reader's separators: 1.234.567 (vi), 1,234,567 (en)."""
    if value is None:
        return ""
    return format_decimal(value, locale=language())


def percent(rate: float | None) -> str:
    """A share (0.667) as a percentage with one decimal: 66,7 % (vi), 66.7 % (en)."""
    if rate is None:
        return "—"
    return f"{format_decimal(rate * 100, format='#,##0.0', locale=language())} %"


def money(value: float | int | None) -> str:
    """An amount in đồng: 1.234.567 đ (vi), 1,234,567 VND (en)."""
    if value is None:
        return ""
    return _("%(amount)s đ", amount=number(value))


def weekday(value: date) -> str:
    """A day's short weekday name: T2…CN (vi), Mon…Sun (en)."""
    return str(WEEKDAYS[value.weekday()])


def holiday_name(name: HolidayName | str) -> str:
    """A public holiday's name in the reader's language (a plain string is shown as it is)."""
    if not isinstance(name, HolidayName):
        return name
    if name.substituted_from is not None:
        return _("Nghỉ bù cho ngày %(day)s", day=day(name.substituted_from))
    return name.en if language() == "en" else name.vi


def day_input(value: date | str | None) -> str:
    """The value of a date input: a date (or an ISO date kept by a process) as dd/mm/yyyy,
    other text as it was typed."""
    if isinstance(value, str) and len(value) == _DAY_INPUT_MAX and value[4:5] == "-":
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return value or ""


def parse_day(text: str | None, field: str) -> date:
    """The day typed as dd/mm/yyyy or yyyy-mm-dd; InvalidInput located on `field` otherwise."""
    typed = (text or "").strip()
    if len(typed) <= _DAY_INPUT_MAX and _DAY_INPUT.fullmatch(typed):
        try:
            if "-" in typed:
                return date.fromisoformat(typed)
            day_part, month_part, year_part = (int(p) for p in typed.split("/"))
            return date(year_part, month_part, day_part)
        except ValueError:
            pass
    message = _("Ngày không hợp lệ: nhập theo dạng dd/mm/yyyy, ví dụ 22/08/2026")
    raise InvalidInput(message, fields={field: message})


def moment_input(value: datetime | str | None) -> str:
    """The value of a date-and-time input: a moment as dd/mm/yyyy HH:MM, text as typed."""
    if isinstance(value, datetime):
        return value.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")
    return value or ""


def parse_moment(text: str | None, field: str) -> datetime:
    """The moment typed as dd/mm/yyyy[ HH:MM] or ISO yyyy-mm-dd[THH:MM], in Vietnam's time;
    InvalidInput located on `field` otherwise."""
    typed = (text or "").strip()
    match = _MOMENT_INPUT.fullmatch(typed) if len(typed) <= _MOMENT_INPUT_MAX else None
    if match is not None:
        try:
            day_typed = parse_day(match["day"], field)
            hour, minute = int(match["hour"] or 0), int(match["minute"] or 0)
            return datetime.combine(day_typed, time(hour, minute), tzinfo=VN_TZ)
        except (InvalidInput, ValueError):
            pass
    message = _("Thời điểm không hợp lệ: nhập theo dạng dd/mm/yyyy HH:MM, ví dụ 01/07/2025 00:00")
    raise InvalidInput(message, fields={field: message})


def init_app(app: Flask) -> None:
    """Register the filters every template uses."""
    app.jinja_env.filters.update(
        day=day,
        localtime=local_time,
        number=number,
        percent=percent,
        money=money,
        weekday=weekday,
        holiday_name=holiday_name,
        day_input=day_input,
        moment_input=moment_input,
    )
    app.jinja_env.globals.update(
        DAY_INPUT_PATTERN=DAY_INPUT_PATTERN, MOMENT_INPUT_PATTERN=MOMENT_INPUT_PATTERN
    )

"""ISO 8601 literals in timer definitions (hẹn giờ viết trực tiếp theo ISO 8601).

Every BPMN tool writes a timer as a literal: `<timeDuration>PT1H</timeDuration>`, `P7D`,
`<timeDate>2026-12-01T08:00:00+07:00</timeDate>`, `<timeCycle>R6/P1D</timeCycle>`; our own
models quote them (`"PT1H"`) or compute them (`after_working_days(2)`). A definition whose
text, with or without one pair of quotes, reads as ISO 8601 of its kind is a literal and is
never evaluated; anything else is an expression. Validation and the running timer decide with
the same function (`literal`), so what validates is what runs. Pure: no SpiffWorkflow here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.status import VN_TZ
from app.i18n import _

DURATION = "timeDuration"
DATE = "timeDate"
CYCLE = "timeCycle"

_DURATION = re.compile(
    r"P(?!$)(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?"
    r"(?:(\d+(?:[.,]\d+)?)D)?(?:T(?=\d)(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?"
    r"(?:(\d+(?:[.,]\d+)?)S)?)?",
    re.IGNORECASE,
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:T[0-9:.,]+(?:Z|[+-]\d{2}(?::?\d{2})?)?)?", re.I)
_CYCLE = re.compile(r"R(\d*)/([^/]+)(?:/([^/]+))?", re.IGNORECASE)
# What an analyst meant as a literal even when it does not parse (reported as bad ISO 8601
# rather than as a Python syntax error).
_LOOKS_ISO = re.compile(r"^(?:[PR]\d|P[T]\d|R/|\d{4}-\d{2})", re.IGNORECASE)
_QUOTED = re.compile(r"""^(['"])([^'"]*)\1$""")
_UNITS = ("years", "months", "weeks", "days", "hours", "minutes", "seconds")


@dataclass(frozen=True)
class Cycle:
    """A repeating interval: `cycles` times (-1: without end), first at `start` or one period
    from now when `start` is None, then every `period`."""

    cycles: int
    period: str
    start: datetime | None = None


def literal(kind: str, text: str | None) -> str | None:
    """The ISO 8601 literal `text` holds for a timer of `kind` (quotes removed), or None when
    `text` is an expression (a quoted string is always a literal, valid or not)."""
    body = (text or "").strip()
    quoted = _QUOTED.match(body)
    if quoted:
        return quoted.group(2).strip()
    return body if problem(kind, body) is None else None


def looks_iso(text: str | None) -> bool:
    """Whether unquoted `text` was meant as ISO 8601 (`P1X`, `R0/P1D`, `2026-13-01`), so that
    when it does not parse it is reported as bad ISO 8601 rather than as a Python expression."""
    return bool(_LOOKS_ISO.match((text or "").strip()))


def problem(kind: str, value: str) -> str | None:
    """Why `value` is not a usable ISO 8601 timer of `kind`; None when it is."""
    try:
        if kind == DURATION:
            duration(value)
        elif kind == DATE:
            moment(value)
        else:
            cycle(value)
    except ValueError as exc:
        return str(exc)
    return None


def duration_parts(value: str) -> dict[str, float]:
    """`P1DT2H` → {"days": 1, "hours": 2}; ValueError unless a valid ISO 8601 duration with
    some finite amount greater than zero."""
    found = _DURATION.fullmatch(value.strip())
    if found is None:
        raise ValueError(_("«%(value)s» không phải khoảng thời gian ISO 8601", value=value))
    parts = {
        unit: float(amount.replace(",", "."))
        for unit, amount in zip(_UNITS, found.groups(), strict=True)
        if amount is not None
    }
    given = [amount for amount in found.groups() if amount is not None]
    if any(not amount.isdigit() for amount in given[:-1]):
        raise ValueError(_("«%(value)s»: chỉ đơn vị cuối được có phần lẻ", value=value))
    if "weeks" in parts and len(parts) > 1:
        raise ValueError(_("«%(value)s»: tuần (W) không ghép với đơn vị khác", value=value))
    if not all(math.isfinite(v) for v in parts.values()) or not any(parts.values()):
        raise ValueError(_("«%(value)s»: khoảng thời gian phải lớn hơn 0", value=value))
    if sum(v for k, v in parts.items() if k in ("years", "months", "weeks", "days")) > 36500:
        raise ValueError(_("«%(value)s»: khoảng thời gian quá dài", value=value))
    return parts


def duration(value: str) -> str:
    """The duration, checked (see `duration_parts`), upper-cased as SpiffWorkflow reads it."""
    duration_parts(value)
    return value.strip().upper().replace(",", ".")


def moment(value: str) -> datetime:
    """The date and time of an ISO 8601 literal, time-zone aware (without an offset it is the
    office's time, Vietnam); ValueError when it is not one."""
    text = value.strip()
    if _DATE.fullmatch(text) is None:
        raise ValueError(_("«%(value)s» không phải ngày giờ ISO 8601", value=value))
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise ValueError(_("«%(value)s» không phải ngày giờ ISO 8601", value=value)) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=VN_TZ)


def cycle(value: str) -> Cycle:
    """`R6/P1D`, `R/PT1H`, `R3/2026-12-01T08:00:00+07:00/P1D`; ValueError otherwise."""
    found = _CYCLE.fullmatch(value.strip())
    if found is None:
        raise ValueError(
            _("«%(value)s» không phải chu kỳ ISO 8601 (R<số lần>/<khoảng>)", value=value)
        )
    count, first, second = found.groups()
    cycles = int(count) if count else -1
    if cycles == 0:
        raise ValueError(_("«%(value)s»: số lần lặp phải lớn hơn 0", value=value))
    if second is None:
        return Cycle(cycles, duration(first))
    if first.upper().startswith("P"):
        raise ValueError(
            _("«%(value)s»: chu kỳ có ngày giờ phải viết R<n>/<bắt đầu>/<khoảng>", value=value)
        )
    return Cycle(cycles, duration(second), moment(first))


def as_text(kind: str, value: object) -> str:
    """What an expression yielded, as the ISO 8601 text of a timer of `kind`: a string as is,
    a `timedelta` as a duration, a `datetime` as a date (aware, see `moment`)."""
    if isinstance(value, timedelta) and kind == DURATION:
        return f"PT{value.total_seconds():f}S"
    if isinstance(value, datetime) and kind == DATE:
        return (value if value.tzinfo else value.replace(tzinfo=VN_TZ)).isoformat()
    if isinstance(value, str):
        return value.strip()
    raise ValueError(
        _("hẹn giờ: biểu thức cho %(value)r, không phải ISO 8601", value=type(value).__name__)
    )

"""Dossier codes `<agency code>-<yyMMdd>-<NNNN>` and agency identifier codes (Decision 20/2020)."""

from __future__ import annotations

import re
from datetime import date

from app.i18n import _l

AGENCY_CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
DOSSIER_CODE = re.compile(r"^(?P<agency>[0-9A-Z.]+)-(?P<day>\d{6})-(?P<seq>\d{4,})$")
MAX_DAILY = 9999


def is_agency_code(code: str) -> bool:
    """Four dot-separated levels, the last `H`/`G`... + 2 digits, e.g. `000.00.01.H22`."""
    return bool(AGENCY_CODE.match(code))


def dossier_code(agency_code: str, day: date, sequence: int) -> str:
    if not 1 <= sequence <= MAX_DAILY:
        raise ValueError(
            _l(
                "số thứ tự hồ sơ ngoài khoảng 1..%(most)s: %(sequence)s",
                most=MAX_DAILY,
                sequence=sequence,
            )
        )
    return f"{agency_code}-{day:%y%m%d}-{sequence:04d}"


def parse_dossier_code(code: str) -> tuple[str, str, int] | None:
    match = DOSSIER_CODE.match(code.strip())
    if not match:
        return None
    return match["agency"], match["day"], int(match["seq"])

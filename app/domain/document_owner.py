"""Whose document is it (chủ sở hữu giấy tờ): a reused or looked-up document is compared with
the person the dossier is for, by identifier, name and birth date.

Names are compared after Unicode NFC, case folding and collapsing spaces, so "NGUYỄN  văn An"
is "Nguyễn Văn An"; diacritics are kept, so "Nguyễn Văn Ân" is another name. A value the
document does not carry is not compared (nothing to contradict); one it carries that differs
is a difference, listed with what was expected and what was found.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from app.domain.messages import N_

LABELS = {
    "owner_id": N_("Số định danh"),
    "full_name": N_("Họ tên"),
    "birth_date": N_("Ngày sinh"),
}
ROLES = {"owner": N_("chủ hồ sơ"), "grantor": N_("người ủy quyền")}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y%m%d")


@dataclass(frozen=True)
class Person:
    """Who a document belongs to, or who the dossier is for (owner, or grantor under a proxy)."""

    identifier: str
    full_name: str
    birth_date: str = ""
    role: str = "owner"


def normal_name(name: str | None) -> str:
    """A name as compared: NFC, case-folded, single spaces; diacritics kept."""
    text = unicodedata.normalize("NFC", name or "")
    return " ".join(text.casefold().split())


def normal_identifier(value: str | None) -> str:
    """An identifier as compared: no spaces, dots or dashes, upper case."""
    return re.sub(r"[\s.\-]", "", value or "").upper()


def normal_date(value: str | None) -> str:
    """A birth date as ISO `YYYY-MM-DD` when it reads as one of the usual forms, else as given
    (trimmed), so that two unreadable values still compare as text."""
    text = (value or "").strip()
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return text


def differences(expected: Person, found: Person) -> dict[str, dict[str, str]]:
    """Each field where the document's owner differs from the expected person:
    `{field: {"label", "expected", "found"}}`; empty when it is the same person."""
    pairs = {
        "owner_id": (normal_identifier, expected.identifier, found.identifier),
        "full_name": (normal_name, expected.full_name, found.full_name),
        "birth_date": (normal_date, expected.birth_date, found.birth_date),
    }
    result = {}
    for key, (normal, want, got) in pairs.items():
        if not (want or "").strip() or not (got or "").strip():
            continue
        if normal(want) != normal(got):
            result[key] = {"label": LABELS[key], "expected": want.strip(), "found": got.strip()}
    return result


def fingerprint(found_ref: str, diff: dict[str, dict[str, str]]) -> str:
    """A short digest of a document and what differed, so an override given for what the
    officer saw does not cover another document or other differences."""
    payload = json.dumps([found_ref, diff], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]

"""The six mandatory metadata fields of every stored document (001 §II.2.c "Một số yêu cầu").

"Dữ liệu điện tử của giấy tờ phải tối thiểu có các trường thông tin sau: (1) Mã loại giấy tờ;
(2) Số định danh của cá nhân, tổ chức, trường hợp cá nhân không có CCCD thì phải bổ sung họ
tên, năm sinh, ngày cấp, cơ quan cấp; (3) Tên giấy tờ; (4) Trích yếu nội dung chính của giấy
tờ; (5) Thời hạn có hiệu lực; (6) Phạm vi có hiệu lực".

One place for the rule, whatever made the document (digitized, certified copy, result, reused):
`check_six` validates what an officer or a source gives, `missing` names what a record lacks
(the documents list, the push to Kho DL), `wire` is what Kho DL receives. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.domain.clock import utcnow
from app.domain.messages import N_
from app.domain.status import VN_TZ
from app.i18n import _

SUMMARY_MAX = 2000
TEXT_MAX = 255
# (6) Phạm vi có hiệu lực: where the document is valid.
SCOPES = {
    "national": N_("Toàn quốc"),
    "province": N_("Trong phạm vi tỉnh, thành phố nơi cấp"),
    "commune": N_("Trong phạm vi xã, phường, đặc khu nơi cấp"),
    "agency": N_("Trong phạm vi cơ quan, tổ chức cấp"),
}
DEFAULT_SCOPE = "national"
# (5) Thời hạn có hiệu lực: until a day, or explicitly without a time limit.
UNTIL, INDEFINITE = "until", "indefinite"
VALIDITIES = {UNTIL: N_("Có thời hạn đến ngày"), INDEFINITE: N_("Không thời hạn")}
# (2) An individual identified by something other than a CCCD (old CMND, passport) carries
# name, birth year, and the issue date and issuer of that identity document.
WITHOUT_CCCD = frozenset({"cmnd", "passport"})
OWNER_DETAILS = ("owner_birth_year", "owner_id_issued_on", "owner_id_issuer")
# what a form asks besides the type, owner and name
INPUTS = ("summary", "validity", "valid_from", "valid_until", "validity_scope", *OWNER_DETAILS)

LABELS = {
    "type_code": N_("Mã loại giấy tờ"),
    "owner_id_type": N_("Loại định danh chủ sở hữu"),
    "owner_id": N_("Số định danh chủ sở hữu"),
    "owner_name": N_("Họ tên chủ sở hữu"),
    "owner_birth_year": N_("Năm sinh chủ sở hữu"),
    "owner_id_issued_on": N_("Ngày cấp giấy tờ tuỳ thân"),
    "owner_id_issuer": N_("Cơ quan cấp giấy tờ tuỳ thân"),
    "name": N_("Tên giấy tờ"),
    "summary": N_("Trích yếu nội dung"),
    "validity": N_("Thời hạn hiệu lực"),
    "valid_from": N_("Hiệu lực từ ngày"),
    "valid_until": N_("Hiệu lực đến ngày"),
    "validity_scope": N_("Phạm vi hiệu lực"),
}
# Text sent to a national system is plain: an HTML/XML tag, comment or entity is refused, so
# that neither this system's screens nor the warehouse's ever render a citizen's markup.
_MARKUP = re.compile(r"<\s*[A-Za-z/!?]|&(#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


@dataclass(frozen=True)
class SixFields:
    """The six fields (with the owner's details when there is no CCCD), checked."""

    type_code: str
    owner_id_type: str
    owner_id: str
    owner_name: str
    name: str
    summary: str
    validity: str
    valid_from: date | None
    valid_until: date | None
    validity_scope: str
    owner_birth_year: int | None = None
    owner_id_issued_on: date | None = None
    owner_id_issuer: str = ""

    def columns(self) -> dict[str, Any]:
        """The values as the document row holds them."""
        return {**self.__dict__, "owner_id_issuer": self.owner_id_issuer or None}


class SixFieldsError(ValueError):
    """Each bad field with its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def as_year(value: Any) -> int | None:
    """A year written as four ASCII digits, else None (no "²", no 5,000 digits)."""
    text = str(value if value is not None else "").strip()
    return int(text) if len(text) == 4 and text.isascii() and text.isdigit() else None


def local_today() -> date:
    """Today in Vietnam (validity and issue dates are Vietnamese calendar days)."""
    return utcnow().astimezone(VN_TZ).date()


def parse_day(value: Any) -> date | None:
    """A day typed as dd/mm/yyyy or ISO (a date passes through); None when empty."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("Ngày không hợp lệ (dd/mm/yyyy)"))


def plain(value: Any) -> str:
    """Text with its whitespace collapsed."""
    return " ".join(str(value if value is not None else "").split())


def text_problem(value: str, limit: int) -> str | None:
    """Why a text cannot be kept as metadata (too long, markup, control characters), or None."""
    if len(value) > limit:
        return _("Tối đa %(limit)s ký tự", limit=limit)
    if _MARKUP.search(value):
        return _("Không được chứa thẻ HTML/XML hay mã ký tự (<…>, &…;)")
    if _CONTROL.search(value):
        return _("Không được chứa ký tự điều khiển")
    return None


def _text(values: Mapping[str, Any], key: str, errors: dict[str, str], limit: int) -> str:
    value = plain(values.get(key))
    if not value:
        errors[key] = _("Bắt buộc")
        return ""
    problem = text_problem(value, limit)
    if problem:
        errors[key] = problem
    return value


def _day(values: Mapping[str, Any], key: str, errors: dict[str, str]) -> date | None:
    try:
        return parse_day(values.get(key))
    except ValueError as exc:
        errors[key] = str(exc)
        return None


def _validity(
    values: Mapping[str, Any], errors: dict[str, str]
) -> tuple[str, date | None, date | None]:
    """(5): "until" a day after the start, or "indefinite" chosen explicitly (no end day)."""
    validity = plain(values.get("validity"))
    valid_from = _day(values, "valid_from", errors)
    valid_until = _day(values, "valid_until", errors)
    if validity not in VALIDITIES:
        errors["validity"] = _("Chọn thời hạn hiệu lực: đến một ngày, hoặc không thời hạn")
    elif validity == UNTIL and valid_until is None and "valid_until" not in errors:
        errors["valid_until"] = _("Nhập ngày hết hiệu lực, hoặc chọn “Không thời hạn”")
    elif validity == INDEFINITE:
        valid_until = None
    if valid_from and valid_until and valid_until <= valid_from:
        errors["valid_until"] = _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực")
    return validity, valid_from, valid_until


def _owner_details(
    values: Mapping[str, Any], errors: dict[str, str], today: date
) -> tuple[int | None, date | None, str]:
    """(2) without a CCCD: birth year, and the identity document's issue date and issuer."""
    year_text = plain(values.get("owner_birth_year"))
    year = as_year(year_text)
    if not year_text:
        errors["owner_birth_year"] = _("Bắt buộc khi chủ sở hữu không có CCCD")
    elif year is None or not 1900 <= year <= today.year:
        errors["owner_birth_year"] = _("Năm sinh không hợp lệ")
    issued_on = _day(values, "owner_id_issued_on", errors)
    if issued_on is None and "owner_id_issued_on" not in errors:
        errors["owner_id_issued_on"] = _("Bắt buộc khi chủ sở hữu không có CCCD")
    elif issued_on and (issued_on > today or (year and issued_on.year < year)):
        errors["owner_id_issued_on"] = _("Ngày cấp phải sau năm sinh và không ở tương lai")
    issuer = plain(values.get("owner_id_issuer"))
    if not issuer:
        errors["owner_id_issuer"] = _("Bắt buộc khi chủ sở hữu không có CCCD")
    elif problem := text_problem(issuer, TEXT_MAX):
        errors["owner_id_issuer"] = problem
    return year, issued_on, issuer


def check_owner_details(values: Mapping[str, Any], today: date) -> dict[str, Any]:
    """(2) for an owner without a CCCD: the birth year and the identity paper's issue date
    (ISO) and issuer, all three; SixFieldsError names each bad one."""
    errors: dict[str, str] = {}
    year, issued_on, issuer = _owner_details(values, errors, today)
    if errors:
        raise SixFieldsError(errors)
    assert issued_on is not None  # nosec B101 # type narrowing: a missing day is an error above
    return {
        "owner_birth_year": year,
        "owner_id_issued_on": issued_on.isoformat(),
        "owner_id_issuer": issuer,
    }


def check_six(values: Mapping[str, Any], today: date) -> SixFields:
    """Check the six fields as given (type code, owner and identifier already normalised by
    the caller); SixFieldsError names each bad field with its message."""
    errors: dict[str, str] = {}
    type_code = _text(values, "type_code", errors, 32)
    kind = plain(values.get("owner_id_type"))
    if not kind:
        errors["owner_id_type"] = _("Bắt buộc")
    owner_id = _text(values, "owner_id", errors, 32)
    owner_name = _text(values, "owner_name", errors, TEXT_MAX)
    name = _text(values, "name", errors, TEXT_MAX)
    summary = _text(values, "summary", errors, SUMMARY_MAX)
    validity, valid_from, valid_until = _validity(values, errors)
    scope = plain(values.get("validity_scope"))
    if scope not in SCOPES:
        errors["validity_scope"] = _("Chọn phạm vi hiệu lực trong danh sách")
    details: tuple[int | None, date | None, str] = (None, None, "")
    if kind in WITHOUT_CCCD:
        details = _owner_details(values, errors, today)
    if errors:
        raise SixFieldsError(errors)
    return SixFields(
        type_code,
        kind,
        owner_id,
        owner_name,
        name,
        summary,
        validity,
        valid_from,
        valid_until,
        scope,
        *details,
    )


def missing(record: Mapping[str, Any]) -> list[str]:
    """The mandatory fields a stored record (a document's columns, or what Kho DL receives)
    lacks or holds wrongly, in the order of 001 §II.2.c; empty when it is complete."""
    lacking = [
        key
        for key in ("type_code", "owner_id_type", "owner_id", "owner_name", "name", "summary")
        if not plain(record.get(key))
    ]
    validity = record.get("validity")
    if validity not in VALIDITIES or (validity == UNTIL and not record.get("valid_until")):
        lacking.append("validity")
    if record.get("validity_scope") not in SCOPES:
        lacking.append("validity_scope")
    if record.get("owner_id_type") in WITHOUT_CCCD:
        lacking += [key for key in OWNER_DETAILS if not plain(record.get(key))]
    return lacking


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else (value or None)


def wire(record: Mapping[str, Any]) -> dict[str, Any]:
    """The six fields as Kho DL receives them (dates ISO, the owner's details only when the
    owner has no CCCD)."""
    sent = {
        "type_code": record.get("type_code"),
        "owner_id_type": record.get("owner_id_type"),
        "owner_id": record.get("owner_id"),
        "owner_name": record.get("owner_name"),
        "name": record.get("name"),
        "summary": record.get("summary"),
        "validity": record.get("validity"),
        "valid_from": _iso(record.get("valid_from")),
        "valid_until": _iso(record.get("valid_until")),
        "validity_scope": record.get("validity_scope"),
    }
    if record.get("owner_id_type") in WITHOUT_CCCD:
        sent["owner_birth_year"] = record.get("owner_birth_year")
        sent["owner_id_issued_on"] = _iso(record.get("owner_id_issued_on"))
        sent["owner_id_issuer"] = record.get("owner_id_issuer")
    return sent


def add_months(start: date, months: int) -> date:
    """`start` plus whole months (the last day of a shorter month when the day is missing)."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # nosec B101 # day 28 exists in every month


def validity_of(months: int | None, start: date) -> tuple[str, date | None]:
    """A procedure's result validity: `months` after `start`, or without a time limit."""
    if months:
        return UNTIL, add_months(start, months)
    return INDEFINITE, None


def describe(name: str, fields: Mapping[str, Any]) -> str:
    """A summary (trích yếu) drawn from a document's own data: its name, number, issue date
    and issuer where it carries them; used to pre-fill the form and for derivable old rows."""
    parts = [plain(name)]
    if plain(fields.get("document_number")):
        parts.append(f"số {plain(fields['document_number'])}")
    issued = fields.get("issued_on")
    if issued:
        try:
            day = parse_day(issued)
        except ValueError:
            day = None
        if day:
            parts.append(f"cấp ngày {day:%d/%m/%Y}")
    if plain(fields.get("issuer")):
        parts.append(f"do {plain(fields['issuer'])} cấp")
    return " ".join(p for p in parts if p)[:SUMMARY_MAX]


def from_source(record: Mapping[str, Any], owner: Mapping[str, Any]) -> dict[str, Any]:
    """The six fields of a document reused from another system (Kho DL, a national database:
    001 §II.1 Bước 3), as the document row holds them: the source's own values where it states
    them, else the dossier's `owner` (owner_id_type, owner_id, owner_name) and, for the
    summary, the document's own data. Validity and scope are never assumed: what the source
    does not state stays empty, and `missing` names it."""
    data = {**(record.get("fields") or {}), **record}
    name = plain(record.get("name")) or plain(record.get("type_code"))
    six: dict[str, Any] = {
        "type_code": plain(record.get("type_code")),
        "owner_id_type": plain(record.get("owner_id_type")) or owner.get("owner_id_type"),
        "owner_id": plain(record.get("owner_id")) or owner.get("owner_id"),
        "owner_name": plain(record.get("owner_name") or record.get("full_name"))
        or owner.get("owner_name"),
        "name": name,
        "summary": plain(record.get("summary"))[:SUMMARY_MAX] or describe(name, data),
    }
    for key in ("valid_from", "valid_until", "owner_id_issued_on"):
        try:
            six[key] = parse_day(record.get(key) or owner.get(key))
        except ValueError:
            six[key] = None
    validity = record.get("validity")
    six["validity"] = (
        validity if validity in VALIDITIES else (UNTIL if six["valid_until"] else None)
    )
    if six["validity"] == INDEFINITE:
        six["valid_until"] = None
    scope = record.get("validity_scope")
    six["validity_scope"] = scope if scope in SCOPES else ""
    year = str(record.get("owner_birth_year") or owner.get("owner_birth_year") or "")
    six["owner_birth_year"] = as_year(year)
    six["owner_id_issuer"] = plain(record.get("owner_id_issuer") or owner.get("owner_id_issuer"))
    six["owner_id_issuer"] = six["owner_id_issuer"] or None
    return six

"""The national catalogue (CSDL quốc gia về TTHC) read from the portal and checked before anything
is compared or applied: procedures with components, fees, deadlines, result types and executing
levels; online services; agencies; result and document type codes (003 §III.2.b Bước 1–3,
001 §II.2.b Bước 1–2, 001 §IV.1). A malformed entry, a duplicate code, a code pointing nowhere
or an answer too large refuses the whole catalogue: nothing is applied from it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app import settings
from app.i18n import _, _l
from app.integrations.errors import IntegrationError
from app.integrations.portal import PortalClient
from app.services.catalogs.agency_catalog import AGENCY_CODE
from app.services.catalogs.fee_catalog import FEE_CODE, MAX_AMOUNT
from app.services.catalogs.procedure_catalog import MAX_DAYS, PROCEDURE_CODE, UNITS
from app.services.core.errors import InvalidInput, ServiceError

# the catalogs in the order they are applied: what a later one points to exists by then
CATALOGS = ("document_type", "fee", "agency", "procedure", "online_service")
LISTS = ("document_types", "agencies", "procedures", "online_services")
AGENCY_STATUSES = ("active", "merged", "abolished")
ONLINE_LEVELS = ("toàn trình", "một phần")
# the national list has codes without a group (TK.000001) beside grouped ones (KQ.G15.000031)
TYPE_CODE = re.compile(r"^[A-Z]{2}(\.[A-Z0-9]{2,8}){0,2}\.\d{2,6}$")
UNIT_CODE = re.compile(r"^(\d{2}|\d{5})?$")
MAX_COMPONENTS = 100
MAX_PROBLEMS = 50


class PortalUnavailable(ServiceError):
    status = 502


class CatalogueRefused(InvalidInput):
    """The portal's catalogue is malformed; `problems` locates each fault."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            _l(
                "Danh mục từ Cổng DVCQG không hợp lệ (%(count)s lỗi); chưa áp dụng gì",
                count=len(problems),
            )
        )
        self.problems = problems[:MAX_PROBLEMS]


@dataclass
class Catalogue:
    """The checked catalogue: per catalog, code → the fields this system compares."""

    version: str
    etag: str
    entries: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)


def fetch() -> Catalogue:
    """Read the national catalogue from the portal and check it whole."""
    config = settings.current
    client = PortalClient(config.PORTAL_URL, config.HTTP_TIMEOUT)
    try:
        body, etag = client.national_catalog(config.PORTAL_CATALOG_MAX_BYTES)
    except IntegrationError as exc:
        raise PortalUnavailable(
            _l("Không lấy được danh mục TTHC từ Cổng DVCQG: %(exc)s", exc=exc)
        ) from exc
    return parse(body, etag, config.PORTAL_CATALOG_MAX_ENTRIES)


def parse(body: Any, etag: str, max_entries: int) -> Catalogue:
    """The catalogue `body` checked entry by entry; CatalogueRefused lists every problem."""
    problems: list[str] = []
    if not isinstance(body, dict) or not isinstance(body.get("version"), str):
        raise CatalogueRefused([_("Thiếu phiên bản danh mục (version)")])
    version = body["version"][:64]
    lists: dict[str, list[dict[str, Any]]] = {}
    for name in LISTS:
        rows = body.get(name)
        if not isinstance(rows, list):
            problems.append(_("Thiếu danh sách %(name)s", name=name))
        elif len(rows) > max_entries:
            problems.append(_("%(name)s có hơn %(most)s mục", name=name, most=max_entries))
        else:
            lists[name] = rows
    if problems:
        raise CatalogueRefused(problems)
    checker = _Checker(problems)
    catalogue = Catalogue(version, etag[:80])
    catalogue.entries["document_type"] = checker.each(
        lists["document_types"], "document_types", _type
    )
    catalogue.entries["agency"] = checker.each(lists["agencies"], "agencies", _agency)
    checker.types = set(catalogue.entries["document_type"])
    checker.agencies = catalogue.entries["agency"]
    catalogue.entries["procedure"] = checker.each(
        lists["procedures"], "procedures", checker.procedure
    )
    catalogue.entries["fee"] = checker.fees
    checker.procedures = set(catalogue.entries["procedure"])
    catalogue.entries["online_service"] = checker.each(
        lists["online_services"], "online_services", checker.online_service
    )
    problems += _agency_references(catalogue.entries["agency"])
    if problems:
        raise CatalogueRefused(problems)
    return catalogue


def _agency_references(agencies: dict[str, dict[str, Any]]) -> list[str]:
    """Each successor and parent is a listed agency, and no agency is its own ancestor."""
    problems = []
    for code, agency in agencies.items():
        successor, parent = agency["successor_code"], agency["parent_code"]
        if successor and successor not in agencies:
            problems.append(
                _(
                    "agencies %(code)s: không có cơ quan kế thừa %(successor)s",
                    code=code,
                    successor=successor,
                )
            )
        if parent and parent not in agencies:
            problems.append(
                _(
                    "agencies %(code)s: không có cơ quan cấp trên %(parent)s",
                    code=code,
                    parent=parent,
                )
            )
        seen, ancestor = {code}, parent
        while ancestor in agencies:
            if ancestor in seen:
                problems.append(_("agencies %(code)s: cơ quan cấp trên tạo vòng lặp", code=code))
                break
            seen.add(ancestor)
            ancestor = agencies[ancestor]["parent_code"]
    return problems


def _text(row: dict[str, Any], key: str, most: int, least: int = 2) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not least <= len(value.strip()) <= most:
        raise _Bad(_("%(key)s: chuỗi %(least)s–%(most)s ký tự", key=key, least=least, most=most))
    return value.strip()


def _int(row: dict[str, Any], key: str, low: int, high: int) -> int:
    value = row.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _Bad(_("%(key)s: số nguyên từ %(low)s đến %(high)s", key=key, low=low, high=high))
    return value


def _days(row: dict[str, Any], key: str, optional: bool = False) -> float | None:
    value = row.get(key)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= MAX_DAYS:
        raise _Bad(_("%(key)s: số ngày lớn hơn 0, tối đa %(most)s", key=key, most=MAX_DAYS))
    return float(value)


def _code(row: dict[str, Any], key: str, pattern: re.Pattern[str]) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not pattern.match(value):
        raise _Bad(_("%(key)s: mã không đúng định dạng", key=key))
    return value


class _Bad(Exception):
    """One field of one entry is wrong."""


def _type(row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return _code(row, "code", TYPE_CODE), {"name": _text(row, "name", 255)}


def _agency(row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    code = _code(row, "code", AGENCY_CODE)
    status = row.get("status", "active")
    if status not in AGENCY_STATUSES:
        raise _Bad(_("status: một trong %(names)s", names=", ".join(AGENCY_STATUSES)))
    successor = row.get("successor_code") or None
    if (status == "merged") != bool(successor):
        raise _Bad(_("successor_code: bắt buộc khi và chỉ khi cơ quan đã sáp nhập"))
    if successor is not None and (
        not isinstance(successor, str) or not AGENCY_CODE.match(successor)
    ):
        raise _Bad(_("successor_code: mã không đúng định dạng"))
    parent = row.get("parent_code") or ""
    if parent and (not isinstance(parent, str) or not AGENCY_CODE.match(parent) or parent == code):
        raise _Bad(_("parent_code: mã không đúng định dạng"))
    unit = row.get("admin_unit_code") or ""
    if not isinstance(unit, str) or not UNIT_CODE.match(unit):
        raise _Bad(_("admin_unit_code: mã tỉnh (2 chữ số) hoặc xã (5 chữ số)"))
    return code, {
        "name": _text(row, "name", 255),
        "level": _int(row, "level", 1, 4),
        "parent_code": parent,
        "admin_unit_code": unit,
        "status": status,
        "successor_code": successor,
    }


class _Checker:
    """Checks entries one by one, collecting each problem with where it is."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        self.types: set[str] = set()
        self.agencies: dict[str, dict[str, Any]] = {}
        self.procedures: set[str] = set()
        self.fees: dict[str, dict[str, Any]] = {}

    def each(self, rows: list[Any], name: str, check: Any) -> dict[str, dict[str, Any]]:
        """Every entry of one list checked; duplicates and faults become problems."""
        entries: dict[str, dict[str, Any]] = {}
        for index, row in enumerate(rows):
            if len(self.problems) >= MAX_PROBLEMS:
                break
            where = f"{name}[{index}]"
            if not isinstance(row, dict):
                self.problems.append(_("%(where)s: không phải một mục", where=where))
                continue
            try:
                code, fields = check(row)
            except _Bad as exc:
                label = row.get("code") or row.get("procedure_code") or ""
                self.problems.append(f"{where} {str(label)[:40]}: {exc}")
                continue
            if code in entries:
                self.problems.append(_("%(where)s: mã %(code)s trùng", where=where, code=code))
                continue
            entries[code] = fields
        return entries

    def procedure(self, row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """One procedure (TTHC) with its components, fees, deadlines and result type."""
        code = _code(row, "code", PROCEDURE_CODE)
        agency = row.get("agency_code")
        if agency not in self.agencies or self.agencies[agency]["status"] != "active":
            raise _Bad(_("agency_code: không có cơ quan %(code)s đang hoạt động", code=agency))
        result = row.get("result_type_code") or None
        if result is not None and result not in self.types:
            raise _Bad(_("result_type_code: không có loại kết quả %(code)s", code=result))
        unit = row.get("duration_unit", "working_days")
        if unit not in UNITS:
            raise _Bad(_("duration_unit: một trong %(names)s", names=", ".join(UNITS)))
        levels = row.get("executing_levels")
        if (
            not isinstance(levels, list)
            or not levels
            or not all(isinstance(x, str) and 2 <= len(x) <= 64 for x in levels)
        ):
            raise _Bad(_("executing_levels: danh sách cấp thực hiện"))
        return code, {
            "name": _text(row, "name", 500),
            "level": _int(row, "level", 1, 4),
            "sector": _text(row, "sector", 255, 0),
            "agency_code": agency,
            "executing_levels": list(levels),
            "duration_days": _days(row, "duration_days"),
            "duration_unit": unit,
            "duration_online_days": _days(row, "duration_online_days", optional=True),
            "result_type_code": result,
            "fee_codes": self._fees(row.get("fees")),
            "components": self._components(row.get("components")),
        }

    def _fees(self, rows: Any) -> list[str]:
        if not isinstance(rows, list) or len(rows) > 20:
            raise _Bad(_("fees: danh sách phí, lệ phí"))
        codes = []
        for fee in rows:
            if not isinstance(fee, dict):
                raise _Bad(_("fees: danh sách phí, lệ phí"))
            code = _code(fee, "code", FEE_CODE)
            entry = {"name": _text(fee, "name", 255), "amount": _int(fee, "amount", 0, MAX_AMOUNT)}
            if self.fees.setdefault(code, entry) != entry:
                raise _Bad(_("fees: mã phí %(code)s có hai mức thu khác nhau", code=code))
            if code in codes:
                raise _Bad(_("fees: mã phí %(code)s trùng", code=code))
            codes.append(code)
        return codes

    def _components(self, rows: Any) -> list[dict[str, Any]]:
        if not isinstance(rows, list) or len(rows) > MAX_COMPONENTS:
            raise _Bad(_("components: danh sách thành phần hồ sơ"))
        parts = []
        for part in rows:
            if not isinstance(part, dict):
                raise _Bad(_("components: danh sách thành phần hồ sơ"))
            type_code = part.get("type_code")
            if type_code not in self.types:
                raise _Bad(_("components: không có loại giấy tờ %(code)s", code=type_code))
            parts.append(
                {
                    "type_code": type_code,
                    "name": _text(part, "name", 500),
                    "required": part.get("required") is True,
                }
            )
        return parts

    def online_service(self, row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """One online service (dịch vụ công trực tuyến) of a procedure at an agency."""
        procedure, agency = row.get("procedure_code"), row.get("agency_code")
        if procedure not in self.procedures:
            raise _Bad(_("procedure_code: không có thủ tục %(code)s", code=procedure))
        if agency not in self.agencies:
            raise _Bad(_("agency_code: không có cơ quan %(code)s", code=agency))
        if row.get("level") not in ONLINE_LEVELS:
            raise _Bad(_("level: một trong %(names)s", names=", ".join(ONLINE_LEVELS)))
        url = _text(row, "url", 500, 9)
        if not url.startswith("https://"):
            raise _Bad(_("url: địa chỉ https://"))
        return f"{procedure}@{agency}", {
            "procedure_code": procedure,
            "agency_code": agency,
            "name": _text(row, "name", 500),
            "level": row["level"],
            "url": url,
        }

"""What syncing the national catalogue would change here, entry by entry and field by field:
added, changed (each field's old and new value), gone (flagged, never deleted). 003 §III.2.b
Bước 1–3 and 001 §II.2.b Bước 1–2 ask for procedures, online services, agencies and the result
and document type codes to match the portal's; only the national fields are compared, so the
local configuration (process model, step durations, named officers, executing offices, the
active switch, treasury accounts, fee notes) is neither shown nor touched."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import _l
from app.models import Agency, CatalogSync, DocumentType, Fee, NationalEntry, Procedure
from app.services.catalogs.national_catalogue import CATALOGS, Catalogue

# Units inside an agency (phòng ban, tổ chuyên môn) are declared here only, not on the portal
# (003 §III.2.b Bước 2.1): their absence from the national list is no change.
LOCAL_ONLY_AGENCY_LEVEL = 4


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class EntryChange:
    """One entry that differs: `kind` is added, changed or gone."""

    catalog: str
    code: str
    name: str
    kind: str
    fields: tuple[FieldChange, ...] = ()


@dataclass
class CatalogDiff:
    """The differences shown to the administrator, and what they were computed from."""

    version: str
    etag: str
    after_id: int
    changes: list[EntryChange] = field(default_factory=list)
    flagged: int = 0

    @property
    def empty(self) -> bool:
        """Whether the portal's catalogue and ours already agree."""
        return not self.changes

    @cached_property
    def fingerprint(self) -> str:
        """The diff's id: applying recomputes it and refuses when it differs (the catalogue,
        or this system's catalogs, changed since it was shown). Read once the diff is whole."""
        changes = [
            [c.catalog, c.code, c.name, c.kind, [[f.field, f.old, f.new] for f in c.fields]]
            for c in self.changes
        ]
        body = json.dumps(
            [self.version, self.etag, self.after_id, changes],
            sort_keys=True,
            default=str,
            ensure_ascii=False,
        )
        return hashlib.sha256(body.encode()).hexdigest()[:16]

    def of(self, catalog: str, kind: str | None = None) -> list[EntryChange]:
        """The changes of one catalog (of one kind when given)."""
        return [
            c for c in self.changes if c.catalog == catalog and (kind is None or c.kind == kind)
        ]

    def counts(self) -> dict[str, int]:
        """How many entries are added, changed and gone, per catalog."""
        out: dict[str, int] = {}
        for change in self.changes:
            key = f"{change.catalog}.{change.kind}"
            out[key] = out.get(key, 0) + 1
        return out


def entries_of(session: Session, catalog: str) -> dict[str, NationalEntry]:
    """The recorded national entries of one catalog, by code."""
    rows = session.scalars(select(NationalEntry).where(NationalEntry.catalog == catalog))
    return {row.code: row for row in rows}


def last_sync_id(session: Session) -> int:
    """The id of the last applied sync, 0 before the first."""
    return session.scalar(select(CatalogSync.id).order_by(CatalogSync.id.desc()).limit(1)) or 0


def compute(session: Session, catalogue: Catalogue) -> CatalogDiff:
    """The diff between the checked national catalogue and this system's catalogs now."""
    diff = CatalogDiff(catalogue.version, catalogue.etag, last_sync_id(session))
    for catalog in CATALOGS:
        recorded = entries_of(session, catalog)
        local, names, may_go = _local(session, catalog, recorded)
        national = catalogue.entries[catalog]
        for code, wanted in national.items():
            if code not in local:
                diff.changes.append(
                    EntryChange(
                        catalog,
                        code,
                        str(wanted.get("name", code)),
                        "added",
                        tuple(FieldChange(k, None, v) for k, v in wanted.items()),
                    )
                )
                continue
            fields = [
                FieldChange(k, local[code].get(k), v)
                for k, v in wanted.items()
                if local[code].get(k) != v
            ]
            row = recorded.get(code)
            if row is not None and row.missing_since is not None:
                fields.insert(0, FieldChange("national_status", "missing", "listed"))
            if fields:
                diff.changes.append(
                    EntryChange(
                        catalog, code, str(wanted.get("name", code)), "changed", tuple(fields)
                    )
                )
        for code in sorted(set(local) - set(national)):
            row = recorded.get(code)
            if row is not None and row.missing_since is not None:
                diff.flagged += 1
            elif code in may_go:
                diff.changes.append(EntryChange(catalog, code, names.get(code, code), "gone"))
    return diff


def _local(
    session: Session, catalog: str, recorded: dict[str, NationalEntry]
) -> tuple[dict[str, dict[str, Any]], dict[str, str], set[str]]:
    """This system's entries of one catalog as national fields; their names; those that count
    as gone when the portal no longer lists them."""
    if catalog == "document_type":
        rows = {t.code: {"name": t.name} for t in session.scalars(select(DocumentType))}
        return rows, {c: r["name"] for c, r in rows.items()}, set(rows)
    if catalog == "fee":
        rows = {f.code: {"name": f.name, "amount": f.amount} for f in session.scalars(select(Fee))}
        return rows, {c: r["name"] for c, r in rows.items()}, set(rows)
    if catalog == "agency":
        return _agencies(session, recorded)
    if catalog == "procedure":
        return _procedures(session, recorded)
    rows = {c: dict(r.payload) for c, r in recorded.items() if r.missing_since is None}
    return rows, {c: str(r.get("name", c)) for c, r in rows.items()}, set(rows)


def _agencies(
    session: Session, recorded: dict[str, NationalEntry]
) -> tuple[dict[str, dict[str, Any]], dict[str, str], set[str]]:
    agencies = list(session.scalars(select(Agency)))
    codes = {a.id: a.code for a in agencies}
    rows = {}
    for a in agencies:
        payload = recorded[a.code].payload if a.code in recorded else {}
        rows[a.code] = {
            "name": a.name,
            "level": a.level,
            "parent_code": codes.get(a.parent_id, "") if a.parent_id else "",
            "admin_unit_code": a.admin_unit_code or "",
            "status": payload.get("status", "active"),
            "successor_code": payload.get("successor_code"),
        }
    may_go = {a.code for a in agencies if a.level != LOCAL_ONLY_AGENCY_LEVEL}
    return rows, {a.code: a.name for a in agencies}, may_go


def _procedures(
    session: Session, recorded: dict[str, NationalEntry]
) -> tuple[dict[str, dict[str, Any]], dict[str, str], set[str]]:
    rows = {}
    for p in session.scalars(select(Procedure)):
        payload = recorded[p.code].payload if p.code in recorded else {}
        rows[p.code] = {
            "name": p.name,
            "level": p.level,
            "sector": p.sector or "",
            "agency_code": p.agency.code,
            "executing_levels": list(payload.get("executing_levels") or []),
            "duration_days": float(p.duration_days),
            "duration_unit": p.duration_unit,
            "duration_online_days": (
                float(p.duration_online_days) if p.duration_online_days is not None else None
            ),
            "result_type_code": p.result_type_code or None,
            "fee_codes": list(p.fee_codes or ([p.fee_code] if p.fee_code else [])),
            "components": [
                {
                    "type_code": c.get("type_code"),
                    "name": c.get("name"),
                    "required": bool(c.get("required")),
                }
                for c in p.components or []
            ],
        }
    return rows, {c: r["name"] for c, r in rows.items()}, set(rows)


CATALOG_LABELS = {
    "procedure": _l("Thủ tục hành chính"),
    "online_service": _l("Dịch vụ công trực tuyến"),
    "agency": _l("Cơ quan"),
    "document_type": _l("Loại kết quả, giấy tờ"),
    "fee": _l("Phí, lệ phí"),
}
FIELD_LABELS = {
    "name": _l("Tên"),
    "level": _l("Mức độ / cấp"),
    "sector": _l("Lĩnh vực"),
    "agency_code": _l("Cơ quan chủ trì"),
    "executing_levels": _l("Cấp thực hiện"),
    "duration_days": _l("Thời hạn giải quyết"),
    "duration_unit": _l("Đơn vị thời hạn"),
    "duration_online_days": _l("Thời hạn trực tuyến"),
    "result_type_code": _l("Loại kết quả"),
    "fee_codes": _l("Phí, lệ phí"),
    "components": _l("Thành phần hồ sơ"),
    "amount": _l("Mức thu (đồng)"),
    "parent_code": _l("Cơ quan cấp trên"),
    "admin_unit_code": _l("Đơn vị hành chính"),
    "status": _l("Trạng thái"),
    "successor_code": _l("Sáp nhập vào"),
    "procedure_code": _l("Thủ tục"),
    "url": _l("Đường dẫn"),
    "national_status": _l("Trên Cổng DVCQG"),
    "online_service.agency_code": _l("Cơ quan áp dụng"),
    "online_service.name": _l("Tên dịch vụ"),
}
VALUE_LABELS = {
    "missing": _l("không còn"),
    "listed": _l("có lại"),
    "active": _l("đang hoạt động"),
    "merged": _l("đã sáp nhập"),
    "abolished": _l("đã giải thể"),
    "working_days": _l("ngày làm việc"),
    "working_hours": _l("giờ làm việc"),
    "calendar_days": _l("ngày"),
}


def shown(value: Any) -> str:
    """A field's value as the review reads it: lists joined, components one per line."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return "; ".join(_component(v) if isinstance(v, dict) else shown(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and value in VALUE_LABELS:
        return str(VALUE_LABELS[value])
    return str(value)


def _component(part: dict[str, Any]) -> str:
    mark = " *" if part.get("required") else ""
    return f"{part.get('type_code')} {part.get('name')}{mark}"

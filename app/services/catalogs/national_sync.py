"""Keeping the catalogs in step with the portal's national catalogue (003 §III.2.b Bước 1–3,
001 §II.2.b Bước 1–2, 001 §IV.1): the differences are shown first (`diff_with_portal`), then
applied exactly as shown (`apply_sync`), in one transaction, audited, or not at all."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.i18n import _l
from app.models import Agency, CatalogSync, DocumentType, Fee, NationalEntry, Procedure
from app.models.base import utcnow
from app.services.catalogs import national_catalogue
from app.services.catalogs.national_catalogue import Catalogue
from app.services.catalogs.national_diff import CatalogDiff, EntryChange, compute, entries_of
from app.services.core import audit
from app.services.core.actors import Actor
from app.services.core.errors import Conflict, Forbidden
from app.storage.db import db


def diff_with_portal() -> CatalogDiff:
    """Fetch the national catalogue and show what syncing it would change here."""
    catalogue = national_catalogue.fetch()
    with db.transaction() as session:
        return compute(session, catalogue)


def apply_sync(shown: str, actor: Actor) -> CatalogDiff:
    """Apply the diff the administrator saw, named by its id (or by the catalogue's version);
    Conflict when the catalogue or our catalogs changed since, or another sync came first.
    Administrators only (and the system itself, for `flask catalogs sync`)."""
    if actor.id is not None and not actor.agencies_for("admin"):
        raise Forbidden(_l("Chỉ quản trị viên được áp dụng danh mục từ Cổng DVCQG"))
    catalogue = national_catalogue.fetch()
    with db.transaction() as session:
        diff = compute(session, catalogue)
        if shown not in (diff.fingerprint, diff.version):
            raise Conflict(
                _l("Danh mục trên Cổng hoặc trong hệ thống đã thay đổi từ lúc xem; xem lại")
            )
        if diff.empty:
            return diff
        # the sync's row first: its unique `after_id` makes a second administrator applying
        # the same diff wait for the first to commit, then be refused, before writing anything
        session.add(
            CatalogSync(
                after_id=diff.after_id,
                version=diff.version,
                etag=diff.etag,
                fingerprint=diff.fingerprint,
                applied_by=str(actor.name)[:64],
                counts=diff.counts(),
            )
        )
        try:
            session.flush()
            _write(session, catalogue, diff)
        except IntegrityError as exc:
            raise Conflict(_l("Một lần đồng bộ khác vừa được áp dụng; xem lại")) from exc
        audit.record(
            session,
            "national_catalog_synced",
            actor,
            dossier_id=None,
            version=diff.version,
            diff_id=diff.fingerprint,
            **diff.counts(),
        )
        return diff


def last_syncs(limit: int = 10) -> list[dict[str, Any]]:
    """The latest applied syncs, newest first."""
    with db.transaction() as session:
        rows = session.scalars(select(CatalogSync).order_by(CatalogSync.id.desc()).limit(limit))
        return [
            {
                "version": r.version,
                "diff_id": r.fingerprint,
                "applied_at": r.applied_at,
                "applied_by": r.applied_by,
                "counts": dict(r.counts),
            }
            for r in rows
        ]


def flags(catalog: str) -> dict[str, Any]:
    """Code → since when the portal no longer lists that entry (shown in the catalogs)."""
    with db.transaction() as session:
        return {
            code: row.missing_since
            for code, row in entries_of(session, catalog).items()
            if row.missing_since is not None
        }


def _write(session: Session, catalogue: Catalogue, diff: CatalogDiff) -> None:
    """Every change of the diff, catalog after catalog, and what was taken recorded."""
    now = utcnow()
    for catalog in national_catalogue.CATALOGS:
        changes = diff.of(catalog)
        writer = WRITERS.get(catalog)
        if writer is not None:
            writer(session, catalogue.entries[catalog], changes)
        session.flush()
        recorded = entries_of(session, catalog)
        for change in changes:
            row = recorded.get(change.code)
            if row is None:
                row = NationalEntry(catalog=catalog, code=change.code, payload={})
                session.add(row)
            if change.kind == "gone":
                row.missing_since = now
            else:
                row.payload = catalogue.entries[catalog][change.code]
                row.missing_since, row.synced_at = None, now


def _document_types(session: Session, entries: dict, changes: list[EntryChange]) -> None:
    rows = {t.code: t for t in session.scalars(select(DocumentType))}
    for change in changes:
        if change.kind == "gone":
            continue
        row = rows.get(change.code) or DocumentType(code=change.code, description="")
        row.name = entries[change.code]["name"]
        session.add(row)


def _fees(session: Session, entries: dict, changes: list[EntryChange]) -> None:
    rows = {f.code: f for f in session.scalars(select(Fee))}
    for change in changes:
        if change.kind == "gone":
            continue
        row = rows.get(change.code) or Fee(code=change.code, note="")
        row.name, row.amount = entries[change.code]["name"], entries[change.code]["amount"]
        session.add(row)


def _agencies(session: Session, entries: dict, changes: list[EntryChange]) -> None:
    """Names, levels, parents and units from the portal; a merged or abolished agency new to
    us is added inactive, one we run stays as it is until a reorganisation plan moves its
    dossiers (003 §III.2.b Bước 2.2)."""
    rows = {a.code: a for a in session.scalars(select(Agency))}
    taken = [c for c in changes if c.kind != "gone"]
    for change in taken:
        wanted = entries[change.code]
        row = rows.get(change.code)
        if row is None:
            row = Agency(code=change.code, active=wanted["status"] == "active")
            rows[change.code] = row
            session.add(row)
        row.name, row.level = wanted["name"], wanted["level"]
        row.admin_unit_code = wanted["admin_unit_code"] or None
    session.flush()
    for change in taken:
        parent = entries[change.code]["parent_code"]
        rows[change.code].parent_id = rows[parent].id if parent else None


def _procedures(session: Session, entries: dict, changes: list[EntryChange]) -> None:
    """The national fields only; a procedure new to us waits, inactive, for its process model
    and steps to be configured (003 §III.2.b Bước 4, 5)."""
    agencies = {a.code: a.id for a in session.scalars(select(Agency))}
    rows = {p.code: p for p in session.scalars(select(Procedure))}
    for change in changes:
        if change.kind == "gone":
            continue
        wanted = entries[change.code]
        row = rows.get(change.code)
        if row is None:
            row = Procedure(code=change.code, active=False, step_durations={}, step_officers={})
            session.add(row)
        row.name, row.level, row.sector = wanted["name"], wanted["level"], wanted["sector"]
        row.agency_id = agencies[wanted["agency_code"]]
        row.duration_days, row.duration_unit = wanted["duration_days"], wanted["duration_unit"]
        row.duration_online_days = wanted["duration_online_days"]
        row.result_type_code = wanted["result_type_code"]
        row.fee_codes = list(wanted["fee_codes"])
        row.fee_code = row.fee_codes[0] if row.fee_codes else None
        row.components = [dict(c) for c in wanted["components"]]


WRITERS = {
    "document_type": _document_types,
    "fee": _fees,
    "agency": _agencies,
    "procedure": _procedures,
}

"""Reading documents: a document's page, a dossier's list, a file to download, and checking
the signatures of an incoming PDF."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app import settings
from app.documents import signing
from app.documents.intake import Upload, sniff_stored
from app.documents.pki import demo_pki
from app.domain.document_metadata import (
    DEFAULT_SCOPE,
    describe,
    local_today,
    missing,
    parse_day,
    validity_of,
)
from app.i18n import _
from app.models import Document, Dossier, Procedure
from app.services.core import visibility
from app.services.core.actors import Actor
from app.services.core.errors import InvalidInput, NotFound
from app.services.documents.catalog import (
    DIGITIZING_ROLES,
    document_not_found,
    dossier_by_code,
    may_see,
)
from app.storage.db import db
from app.storage.files import file_store


@dataclass(frozen=True)
class DocumentView:
    """A document's columns, its dossier, the verdicts on its signatures, and whether the
    reader may change it."""

    values: dict[str, Any]
    dossier_code: str | None
    verdicts: list[signing.Verdict]
    can_edit: bool
    missing: list[str] = field(default_factory=list)  # mandatory fields it lacks (stored)


def _values(document: Document) -> dict[str, Any]:
    return {c.name: getattr(document, c.name) for c in Document.__table__.columns}


def document_view(document_id: int, actor: Actor) -> DocumentView:
    """Show one digitized document to an officer who may see its dossier."""
    """Show one document with its signatures checked (stored ones only)."""
    with db.transaction() as session:
        document = session.get(Document, document_id)
        if document is None:
            raise document_not_found()
        may_see(actor, document.agency_id)
        code = session.scalar(select(Dossier.code).where(Dossier.id == document.dossier_id))
        values = _values(document)
        can_edit = any(actor.can(r, document.agency_id) for r in DIGITIZING_ROLES)
    verdicts = (
        signing.verify(file_store().path(values["file_sha256"]), [demo_pki().ca_cert_path])
        if values["state"] == "stored"
        else []
    )
    lacking = missing(values) if values["state"] == "stored" else []
    return DocumentView(values, code, verdicts, can_edit, lacking)


def prefilled_six(values: dict[str, Any]) -> dict[str, Any]:
    """What the metadata form offers for the six fields (001 §II.2.c) a draft does not hold
    yet: a summary from its name and data, a procedure's result validity where the document
    is the result of a procedure configured with one; nationwide scope. The officer checks and
    may change each one; the validity is never assumed where nothing says it."""
    fields = {
        **{k.removeprefix("field_"): v for k, v in (values.get("suggested") or {}).items()},
        **(values.get("fields") or {}),
    }
    offered: dict[str, Any] = {
        "summary": values.get("summary") or describe(values.get("name") or "", fields),
        "validity_scope": values.get("validity_scope") or DEFAULT_SCOPE,
    }
    try:
        issued = parse_day(fields.get("issued_on"))
    except ValueError:
        issued = None
    if issued and not values.get("valid_from"):
        offered["valid_from"] = issued.isoformat()  # valid from the day it was issued
    if values.get("validity"):
        return offered
    with db.transaction() as session:
        months = session.execute(
            select(Procedure.result_validity_months)
            .where(Procedure.result_type_code == values.get("type_code"), Procedure.active)
            .limit(1)
        ).first()
    if months is not None:  # the result of a procedure configured with its validity
        offered["validity"], until = validity_of(months[0], issued or local_today())
        offered["valid_until"] = until.isoformat() if until and issued else ""
    return offered


def documents_of(dossier_code: str, actor: Actor) -> list[dict[str, Any]]:
    """List a dossier's documents for an officer who may see it."""
    """List a dossier's documents (drafts and stored, not discarded) for its page."""
    with db.transaction() as session:
        dossier = dossier_by_code(session, dossier_code)
        if not visibility.may_view(session, dossier, actor):
            raise NotFound(_("Không tìm thấy hồ sơ"))
        rows = session.scalars(
            select(Document)
            .where(Document.dossier_id == dossier.id, Document.state != "discarded")
            .order_by(Document.id)
        )
        # stored documents lacking a mandatory field (rows from before 001 §II.2.c was checked)
        return [
            {**v, "missing": missing(v) if v["state"] == "stored" else []}
            for v in map(_values, rows)
        ]


def file_path(document_id: int, actor: Actor, sha256: str | None = None) -> tuple[Path, str]:
    """Download the file in force (or one of the document's originals): path and name."""
    with db.transaction() as session:
        document = session.get(Document, document_id)
        if document is None:
            raise document_not_found()
        may_see(actor, document.agency_id)
        known = {o["sha256"]: o["filename"] for o in document.originals}
        if sha256 is None:
            name = f"{document.storage_key or f'ban-quet-{document.id}'}.pdf"
            return file_store().path(document.file_sha256), name
        if sha256 not in known:
            raise NotFound(_("Tệp gốc không thuộc giấy tờ này"))
        return file_store().path(sha256), known[sha256]


def verify_upload(upload: Upload) -> list[signing.Verdict]:
    """Check the signatures of an incoming PDF (the file is kept like any original)."""
    store = file_store()
    try:
        stored = store.put_stream(upload.stream, settings.current.SCAN_MAX_BYTES)
    except ValueError as exc:
        raise InvalidInput(str(exc), fields={"file": str(exc)}) from exc
    if sniff_stored(store, stored.sha256) != "pdf":
        message = _("Tệp không phải PDF")
        raise InvalidInput(message, fields={"file": message})
    return signing.verify(stored.path, [demo_pki().ca_cert_path])

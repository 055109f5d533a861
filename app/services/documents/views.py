"""Reading documents: a document's page, a dossier's list, a file to download, and checking
the signatures of an incoming PDF."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app import settings
from app.documents import signing
from app.documents.intake import Upload, sniff_stored
from app.documents.pki import demo_pki
from app.i18n import _
from app.models import Document, Dossier
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
    return DocumentView(values, code, verdicts, can_edit)


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
        return [_values(d) for d in rows]


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

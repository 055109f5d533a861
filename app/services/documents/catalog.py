"""The document types officers choose from (loại giấy tờ) and who may handle a document.

Shared by the other `documents_*` modules: the type catalog read inside the caller's
transaction, the dossier looked up by code, and the two access rules (digitize, see).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.documents import DOCUMENT_TYPES, DocumentType, document_type
from app.i18n import _
from app.models import DocumentType as DocumentTypeRow
from app.models import Dossier
from app.services.core.actors import Actor
from app.services.core.errors import Forbidden, NotFound
from app.storage.db import db

DIGITIZING_ROLES = ("reception", "processing")


def type_catalog(session: Session) -> dict[str, DocumentType]:
    """The document types officers choose from: the catalog's active ones (with the fields
    this system knows for them), or the built-in list when the catalog is empty. Reads in
    the caller's transaction."""
    rows = session.execute(
        select(DocumentTypeRow.code, DocumentTypeRow.name)
        .where(DocumentTypeRow.active.is_(True))
        .order_by(DocumentTypeRow.code)
    ).all()
    if not rows:
        return dict(DOCUMENT_TYPES)
    return {code: document_type(code, name) for code, name in rows}


def document_types() -> dict[str, DocumentType]:
    """The document types for a screen's choice list (its own short transaction)."""
    with db.transaction() as session:
        return type_catalog(session)


def dossier_by_code(session: Session, code: str) -> Dossier:
    """The dossier with this code, or NotFound."""
    dossier = session.scalar(select(Dossier).where(Dossier.code == code))
    if dossier is None:
        raise NotFound(_("Không tìm thấy hồ sơ %(code)s", code=code))
    return dossier


def may_digitize(actor: Actor, agency_id: int) -> None:
    """Forbidden unless the actor is a counter or processing officer of the agency."""
    if not any(actor.can(role, agency_id) for role in DIGITIZING_ROLES):
        raise Forbidden(_("Chỉ cán bộ một cửa hoặc chuyên viên của cơ quan được số hoá hồ sơ"))


def may_see(actor: Actor, agency_id: int) -> None:
    """NotFound unless the actor sees the agency: another agency's document does not exist."""
    if not actor.sees(agency_id):
        raise document_not_found()


def document_not_found() -> NotFound:
    """The one answer for a document that does not exist or is not the actor's to see."""
    return NotFound(_("Không tìm thấy giấy tờ"))

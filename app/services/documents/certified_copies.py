"""Certified e-copies (sao y điện tử) of stored documents, signed by the agency.

An officer asks for one on a document's page (`certify`); processing makes them of the
dossier's in-scope components as a step of the process (`certify_in_scope`, 001 §II.2.c
step 3): earlier results and components required by law, not forms or on-demand copies.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.documents import signing
from app.documents.pki import demo_pki
from app.domain.document_metadata import LABELS
from app.i18n import _
from app.models import Agency, Document
from app.models.base import utcnow
from app.services.core import audit
from app.services.core.actors import Actor
from app.services.core.errors import Conflict, InvalidInput
from app.services.documents.catalog import document_not_found, may_digitize, may_see
from app.services.documents.signing import signed_copy
from app.services.documents.storage import missing_fields, push, store_under_next_key
from app.storage.db import db
from app.storage.files import file_store

IN_SCOPE = ("earlier_result", "required_by_law")


def certify(document_id: int, actor: Actor) -> int:
    """Make a certified e-copy (sao y) of a stored document; returns the copy's id."""
    with db.transaction() as session:
        origin = session.get(Document, document_id)
        if origin is None:
            raise document_not_found()
        may_see(actor, origin.agency_id)  # another agency's document does not exist for it
        may_digitize(actor, origin.agency_id)
        if origin.state != "stored":
            raise Conflict(_("Chỉ sao y giấy tờ đã lưu"))
        lacking = missing_fields(origin)
        if lacking:  # the copy would carry the same gaps (001 §II.2.c: six fields always)
            names = ", ".join(_(LABELS[key]) for key in lacking)
            raise InvalidInput(
                _(
                    "Giấy tờ còn thiếu siêu dữ liệu bắt buộc (%(names)s): bổ sung trước khi sao y",
                    names=names,
                )
            )
        return _certify(session, origin, actor).id


def certify_in_scope(session: Session, dossier_id: int, actor: Actor) -> list[str]:
    """Make certified e-copies of the dossier's stored in-scope components that have none
    yet; returns the storage keys made (a step of the process, in its transaction)."""
    certified = select(Document.origin_id).where(
        Document.dossier_id == dossier_id, Document.origin_id.is_not(None)
    )
    pending = session.scalars(
        select(Document)
        .where(
            Document.dossier_id == dossier_id,
            Document.state == "stored",
            Document.source != "certified_copy",
            Document.classification.in_(IN_SCOPE),
            Document.id.not_in(certified),
        )
        .order_by(Document.id)
    ).all()
    return [_certify(session, origin, actor).storage_key or "" for origin in pending]


def _certify(session: Session, origin: Document, actor: Actor) -> Document:
    agency = session.get(Agency, origin.agency_id)
    stamp = demo_pki().identity("agency", agency.code, agency.name, agency.code)
    store = file_store()
    copy_sha = signed_copy(
        store,
        origin.file_sha256,
        lambda src, out: signing.certify_copy(src, out, stamp, agency.name, utcnow()),
    )
    copy = copy_row(origin, actor)
    copy.file_sha256, copy.size = copy_sha, store.path(copy_sha).stat().st_size
    store_under_next_key(session, copy)
    audit.record(
        session,
        "document_certified",
        actor,
        dossier_id=origin.dossier_id,
        document_id=copy.id,
        origin_id=origin.id,
        key=copy.storage_key,
    )
    push(session, copy, actor)
    return copy


def copy_row(origin: Document, actor: Actor) -> Document:
    """A copy's row: the origin's description, marked as its certified copy (a caller making
    another kind of copy changes its source and name)."""
    return Document(
        dossier_id=origin.dossier_id,
        agency_id=origin.agency_id,
        state="stored",
        source="certified_copy",
        classification=origin.classification,
        paper_form=origin.paper_form,
        paper_count=origin.paper_count,
        type_code=origin.type_code,
        owner_id_type=origin.owner_id_type,
        owner_id=origin.owner_id,
        owner_name=origin.owner_name,
        name=f"{origin.name} (bản sao điện tử)",
        summary=origin.summary,
        validity=origin.validity,
        valid_from=origin.valid_from,
        valid_until=origin.valid_until,
        validity_scope=origin.validity_scope,
        owner_birth_year=origin.owner_birth_year,
        owner_id_issued_on=origin.owner_id_issued_on,
        owner_id_issuer=origin.owner_id_issuer,
        fields=dict(origin.fields),
        pages=origin.pages,
        scan_sha256=origin.scan_sha256,
        originals=list(origin.originals),
        rotations=list(origin.rotations),
        suggested={},
        incoming_signatures=[],
        origin_id=origin.id,
        created_by_id=actor.id,
        stored_by_id=actor.id,
        stored_at=utcnow(),
    )

"""Storing a document reused from another system (giấy tờ tái sử dụng: Kho DL, a national
database; 001 §II.1 Bước 3 "đưa vào hồ sơ điện tử") with the six mandatory fields
(001 §II.2.c) it came with, completed from the dossier's owner where the source is silent.

The fetching itself (and checking the file against the source's hash) belongs to the reuse
service; this is what it calls once the file is in the store.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.domain.document_metadata import from_source
from app.models import Document, Dossier
from app.models.base import utcnow
from app.services.core import audit
from app.services.core.actors import Actor
from app.services.documents.storage import push, store_under_next_key


def store_reused(
    session: Session,
    dossier: Dossier,
    record: dict[str, Any],
    file: tuple[str, int, int],
    actor: Actor,
) -> Document:
    """Store the file (`file`: sha256, size in bytes, pages) found as `record` at its source
    as a document of the dossier, keyed like any other, and queue its push to Kho DL (held,
    and named on its page, when the source left a mandatory field empty)."""
    owner = {
        "owner_id_type": dossier.owner_id_type,
        "owner_id": dossier.owner_id,
        "owner_name": dossier.owner_name,
    }
    sha256, size, pages = file
    document = Document(
        dossier_id=dossier.id,
        agency_id=dossier.agency_id,
        source="reused",
        classification="earlier_result",
        paper_form="electronic",
        **from_source(record, owner),
        fields=dict(record.get("fields") or {}),
        pages=pages,
        size=size,
        scan_sha256=sha256,
        file_sha256=sha256,
        originals=[],
        rotations=[0] * pages,
        suggested={},
        incoming_signatures=[],
        created_by_id=actor.id,
        stored_by_id=actor.id,
        stored_at=utcnow(),
    )
    store_under_next_key(session, document)
    audit.record(
        session,
        "document_reused",
        actor,
        dossier_id=dossier.id,
        document_id=document.id,
        key=document.storage_key,
        source_ref=str(record.get("id") or ""),
    )
    push(session, document, actor)
    return document

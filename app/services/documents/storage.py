"""Storing a document under its storage key (khoá lưu trữ) and pushing it to the warehouse.

The key is `<owner>.<type>` with `.<n>` for the n-th stored document of that owner and type.
Two transactions storing one citizen's documents of one type at the same moment (two approvals,
two confirmations) both read the same highest repeat number; the unique key refuses the second
one, which takes the next number inside a SAVEPOINT and tries again. This is correct on
PostgreSQL (READ COMMITTED: the retry's read sees the winner once it has committed; the losing
INSERT waits for it) and on SQLite (writers are serialised by BEGIN IMMEDIATE, so the first try
succeeds).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.domain.document_metadata import missing, wire
from app.domain.documents import storage_key
from app.i18n import _
from app.models import Document, Dossier
from app.models.base import utcnow
from app.services.core import audit, outbox
from app.services.core.actors import SYSTEM, Actor
from app.services.core.errors import Conflict

# Each failed try means another transaction stored a document of the same owner and type
# meanwhile, so this bounds the number of such documents stored at the same moment.
MAX_KEY_ATTEMPTS = 64


def next_repeat(session: Session, owner_id: str, type_code: str) -> int:
    """One more than the highest repeat number among the owner's stored documents of the type."""
    highest = session.scalar(
        select(func.coalesce(func.max(Document.repeat), 0)).where(
            Document.owner_id == owner_id,
            Document.type_code == type_code,
            Document.state == "stored",
        )
    )
    return 1 + (highest or 0)


def store_under_next_key(session: Session, document: Document) -> None:
    """Write `document` (a new row, or a draft already in the session, owner and type set) as
    stored, with the next free repeat number and its storage key. Conflict only when more than
    MAX_KEY_ATTEMPTS other documents of the same owner and type were stored meanwhile."""
    for _attempt in range(MAX_KEY_ATTEMPTS):
        repeat = next_repeat(session, document.owner_id, document.type_code)
        try:
            # begin_nested() flushes what the caller changed before: the state and the key
            # (a stored document must have one) are written together, inside the SAVEPOINT.
            with session.begin_nested():
                document.state = "stored"
                document.repeat = repeat
                document.storage_key = storage_key(document.owner_id, document.type_code, repeat)
                session.add(document)
                session.flush()
            return
        except IntegrityError as exc:
            if "storage_key" not in str(exc.orig):
                raise
    raise Conflict(_("Khoá lưu trữ vừa được dùng cho giấy tờ khác: hãy thử lại"))


def six_fields_of(document: Document) -> dict[str, Any]:
    """The document's columns that hold the six mandatory fields (001 §II.2.c)."""
    return {c.name: getattr(document, c.name) for c in Document.__table__.columns}


def missing_fields(document: Document) -> list[str]:
    """The mandatory fields (001 §II.2.c) the document lacks; empty when complete."""
    return missing(six_fields_of(document))


def warehouse_metadata(document: Document, dossier_code: str | None) -> dict[str, Any]:
    """The metadata the warehouse (Kho DL) keeps with a stored document: the six mandatory
    fields (001 §II.2.c), the type's own, the storage key and the file's hash."""
    return {
        **wire(six_fields_of(document)),
        "fields": document.fields,
        "storage_key": document.storage_key,
        "sha256": document.file_sha256,
        "source": document.source,
        "dossier_code": dossier_code,
    }


def push(session: Session, document: Document, actor: Actor = SYSTEM) -> bool:
    """Queue the push of a stored document to the warehouse (an outbox row, same
    transaction); a document that lacks a mandatory field (001 §II.2.c) is held back, with
    the fields named in the audit log and on its page, rather than refused by Kho DL."""
    lacking = missing_fields(document)
    if lacking:
        audit.record(
            session,
            "document_push_held",
            actor,
            dossier_id=document.dossier_id,
            document_id=document.id,
            missing=lacking,
        )
        return False
    code = session.scalar(select(Dossier.code).where(Dossier.id == document.dossier_id))
    outbox.add(
        session,
        "warehouse.store_document",
        {
            "document_id": document.id,
            "file_sha256": document.file_sha256,
            "metadata": warehouse_metadata(document, code),
        },
        dossier_id=document.dossier_id,
    )
    return True


def record_push(session: Session, params: dict[str, Any], result: dict[str, Any]) -> None:
    """Note the warehouse's id for a pushed document (called when its outbox call is done)."""
    document = session.get(Document, params["document_id"])
    if document is not None and document.warehouse_id is None:
        document.warehouse_id = result.get("document_id")
        document.pushed_at = utcnow()

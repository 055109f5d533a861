"""Confirming or rejecting a supplement's files from a step's screen (xác nhận giấy tờ bổ sung).

A file the citizen sent through the portal, or the counter scanned on the supplement's return,
waits as a draft. An officer of a later step of the same dossier either confirms it (stored
and signed like any digitized document, with the metadata it came with) or rejects it with a
reason (the file is set aside). Both are audited.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.domain.document_metadata import DEFAULT_SCOPE, INPUTS, describe
from app.i18n import _l
from app.models import Document, HumanTask
from app.services.core import audit
from app.services.core.actors import Actor
from app.services.core.errors import Conflict, InvalidInput, NotFound
from app.services.documents import drafts
from app.services.documents.catalog import document_not_found, may_digitize
from app.storage.db import db

MAX_REASON = 1000


def _document_of_task(session: Session, task_id: str, document_id: int, actor: Actor) -> Document:
    """The draft `document_id` of the task's dossier; NotFound for any other file (another
    dossier's, or one the actor may not see), Forbidden for those who do not digitize."""
    task = session.get(HumanTask, task_id)
    if task is None or not actor.sees(task.agency_id):
        raise NotFound(_l("Không tìm thấy công việc"))
    document = session.get(Document, document_id)
    if document is None or document.dossier_id != task.dossier_id:
        raise document_not_found()
    if not actor.sees(document.agency_id):
        raise document_not_found()
    may_digitize(actor, document.agency_id)
    if document.state != "draft":
        raise Conflict(_l("Giấy tờ đã được xác nhận hoặc từ chối trước đó"))
    return document


def _shown(value: Any) -> Any:
    return "" if value is None else value.isoformat() if hasattr(value, "isoformat") else value


def _metadata(document: Document) -> dict[str, Any]:
    return {
        "type_code": document.type_code,
        "owner_id_type": document.owner_id_type,
        "owner_id": document.owner_id,
        "owner_name": document.owner_name,
        "name": document.name,
        **{k: _shown(getattr(document, k)) for k in INPUTS},
        "summary": document.summary or describe(document.name or "", document.fields or {}),
        "validity_scope": document.validity_scope or DEFAULT_SCOPE,
        **{f"field_{k}": v for k, v in (document.fields or {}).items()},
        **{
            k: v
            for k, v in (document.suggested or {}).items()
            if k.startswith("field_") and v not in (None, "")
        },
    }


def six_values(document: Document) -> dict[str, Any]:
    """The six fields' inputs (001 §II.2.c) a supplement file's confirmation offers."""
    values = _metadata(document)
    return {k: values[k] for k in INPUTS} | {"owner_id_type": document.owner_id_type}


def confirm_file(
    task_id: str, document_id: int, actor: Actor, fields: dict[str, str] | None = None
) -> str:
    """Confirm a supplement file from a step's screen: it is signed and stored with the
    metadata it came with, completed by the type's `fields` (`field_<name>`) the officer
    typed; returns its storage key. Metadata still missing: InvalidInput (422)."""
    typed = {k: v for k, v in (fields or {}).items() if k.startswith("field_") or k in INPUTS}
    with db.transaction() as session:
        values = _metadata(_document_of_task(session, task_id, document_id, actor)) | typed
    key = drafts.confirm(document_id, values, actor)
    with db.transaction() as session:
        document = session.get(Document, document_id)
        audit.record(
            session,
            "supplement_confirmed",
            actor,
            dossier_id=document.dossier_id,
            task_id=task_id,
            document_id=document_id,
            key=key,
        )
    return key


def reject_file(task_id: str, document_id: int, reason: str, actor: Actor) -> None:
    """Reject a supplement file with a reason: it is set aside and the reason kept."""
    reason = " ".join((reason or "").split())
    if not reason:
        message = _l("Nhập lý do từ chối giấy tờ")
        raise InvalidInput(message, fields={"reason": message})
    if len(reason) > MAX_REASON:
        message = _l("Lý do tối đa %(n)s ký tự", n=MAX_REASON)
        raise InvalidInput(message, fields={"reason": message})
    with db.transaction() as session:
        document = _document_of_task(session, task_id, document_id, actor)
        session.refresh(document, with_for_update=True)
        if document.state != "draft":
            raise Conflict(_l("Giấy tờ đã được xác nhận hoặc từ chối trước đó"))
        document.state = "discarded"
        audit.record(
            session,
            "supplement_rejected",
            actor,
            dossier_id=document.dossier_id,
            task_id=task_id,
            document_id=document_id,
            reason=reason,
        )

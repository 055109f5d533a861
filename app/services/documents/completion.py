"""Completing the mandatory metadata (bổ sung siêu dữ liệu, 001 §II.2.c) of a stored document
that lacks some: rows stored before the six fields were asked, a result whose owner has no
CCCD and whose identity paper was nowhere on record, a reused document whose source was
silent. Only the missing fields are taken, checked like a new document's; the rest is what
was signed and stays."""

from __future__ import annotations

from typing import Any

from app.domain.document_metadata import SixFieldsError, check_six, local_today
from app.i18n import _
from app.models import Document
from app.services.core import audit
from app.services.core.actors import Actor
from app.services.core.errors import Conflict, InvalidInput
from app.services.documents.catalog import document_not_found, may_digitize, may_see
from app.services.documents.storage import missing_fields, push, six_fields_of
from app.storage.db import db

# a missing field and the inputs that fill it
INPUTS_OF = {"validity": ("validity", "valid_from", "valid_until")}


def inputs_for(lacking: list[str]) -> list[str]:
    """The form inputs that fill the `lacking` fields."""
    return [name for key in lacking for name in INPUTS_OF.get(key, (key,))]


def complete_metadata(document_id: int, values: dict[str, Any], actor: Actor) -> list[str]:
    """Fill the mandatory fields a stored document lacks (counter or processing officers of
    its agency); returns the fields filled. The document is then pushed to Kho DL when it has
    never been (a result's own store call, once retried, reads the completed row)."""
    with db.transaction() as session:
        document = session.get(Document, document_id, with_for_update=True)
        if document is None:
            raise document_not_found()
        may_see(actor, document.agency_id)
        may_digitize(actor, document.agency_id)
        if document.state != "stored":
            raise Conflict(_("Chỉ bổ sung siêu dữ liệu cho giấy tờ đã lưu"))
        lacking = missing_fields(document)
        if not lacking:
            raise Conflict(_("Giấy tờ đã đủ siêu dữ liệu bắt buộc"))
        editable = inputs_for(lacking)
        given = {k: v for k, v in six_fields_of(document).items() if k not in editable}
        try:
            six = check_six({**given, **{k: values.get(k) for k in editable}}, local_today())
        except SixFieldsError as exc:
            raise InvalidInput(_("Siêu dữ liệu chưa hợp lệ"), fields=exc.errors) from exc
        filled = {k: v for k, v in six.columns().items() if k in editable}
        for key, value in filled.items():
            setattr(document, key, value)
        audit.record(
            session,
            "document_metadata_completed",
            actor,
            dossier_id=document.dossier_id,
            document_id=document.id,
            fields=sorted(lacking),
        )
        if document.warehouse_id is None and document.source != "result":
            push(session, document, actor)
        return lacking

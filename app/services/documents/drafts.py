"""Digitizing a dossier's component (số hoá, 001 §II.2.c): a scan becomes a draft, then a signed
stored document, or is discarded.

`digitize` keeps the originals, checks and assembles the scan, reads it (OCR) and records a
draft with suggested metadata; `confirm` takes the officer's metadata, signs the file (the
officer's PAdES signature; on-demand copies also get the agency's certified-copy stamp and
their fee), gives it its storage key and queues the push to the warehouse.

Files are content-addressed and immutable, so a request that fails half-way leaves at most
unreferenced files behind, never a row that points to nothing. The slow work (OCR, signing)
runs outside any transaction; the rows are checked again when written.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app import settings
from app.documents import ocr, signing
from app.documents.intake import ScanRejected, Upload, take_scans
from app.documents.pki import demo_pki
from app.domain.documents import (
    CLASSES,
    ON_DEMAND_FEE_CODE,
    PAPER_FORMS,
    Metadata,
    MetadataError,
    on_demand_fee,
    validate_metadata,
)
from app.i18n import _
from app.models import Agency, Document, User
from app.models.base import utcnow
from app.services.core import audit
from app.services.core.actors import Actor
from app.services.core.errors import Conflict, InvalidInput
from app.services.documents.catalog import (
    DIGITIZING_ROLES,
    document_not_found,
    dossier_by_code,
    may_digitize,
    type_catalog,
)
from app.services.documents.signing import signed_copy
from app.services.documents.storage import push, store_under_next_key
from app.storage.db import db
from app.storage.files import file_store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Digitize:
    """The officer's description of one component to scan."""

    dossier_code: str
    type_code: str
    classification: str
    paper_form: str
    declared_pages: int
    page_order: str = ""
    paper_count: int = 1
    # image numbers (upload order) rescanned because of a sticky note: "3,5" (001 §II.2.c)
    rescans: str = ""


def _check(cmd: Digitize, types: set[str]) -> None:
    errors = {}
    if cmd.type_code not in types:
        errors["type_code"] = _("Chọn loại giấy tờ trong danh mục")
    if cmd.classification not in CLASSES:
        errors["classification"] = _("Chọn cách phân loại số hoá")
    if cmd.paper_form not in PAPER_FORMS:
        errors["paper_form"] = _("Chọn hình thức giấy tờ (bản chính, bản sao, bản photo)")
    if not 1 <= cmd.paper_count <= 99:
        errors["paper_count"] = _("Số bản từ 1 đến 99")
    if errors:
        raise InvalidInput(_("Thông tin số hoá chưa hợp lệ"), fields=errors)


def digitize(cmd: Digitize, uploads: Sequence[Upload], actor: Actor) -> int:
    """Take the scans of one component as a draft with OCR suggestions; returns its id."""
    with db.transaction() as session:
        types = type_catalog(session)
        _check(cmd, set(types))
        dossier = dossier_by_code(session, cmd.dossier_code)
        agency_id = actor.acting_agency(
            DIGITIZING_ROLES, dossier.agency_id, dossier.receiving_agency_id
        )
        if agency_id is None:
            may_digitize(actor, dossier.agency_id)
        owner = (dossier.owner_id_type, dossier.owner_id, dossier.owner_name)
        dossier_id = dossier.id
    config = settings.current
    store = file_store()
    try:
        intake = take_scans(
            uploads,
            cmd.declared_pages,
            store,
            page_order=cmd.page_order,
            rescans=cmd.rescans,
            max_bytes=config.SCAN_MAX_BYTES,
            max_pages=config.SCAN_MAX_PAGES,
        )
    except ScanRejected as exc:
        raise InvalidInput(exc.message, fields={exc.field: exc.message}) from exc
    path = store.path(intake.sha256)
    texts = _read_text(path, config.OCR_LANG, config.OCR_MAX_PAGES)
    suggested = ocr.suggest_fields(texts, cmd.type_code)
    verdicts = (
        [v.as_dict() for v in signing.verify(path, [demo_pki().ca_cert_path])]
        if intake.signed
        else []
    )
    with db.transaction() as session:
        document = Document(
            dossier_id=dossier_id,
            agency_id=agency_id,
            state="draft",
            source="scan",
            classification=cmd.classification,
            paper_form=cmd.paper_form,
            paper_count=cmd.paper_count,
            type_code=cmd.type_code,
            owner_id_type=suggested.get("owner_id_type") or owner[0],
            owner_id=suggested.get("owner_id") or owner[1],
            owner_name=suggested.get("owner_name") or owner[2],
            name=types[cmd.type_code].name,
            fields={},
            # paper pages: the sticky-note rescans are kept in the file but are not pages
            pages=intake.pages - len(intake.rescans),
            rescans=intake.rescans,
            size=intake.size,
            scan_sha256=intake.sha256,
            file_sha256=intake.sha256,
            originals=[o.__dict__ for o in intake.originals],
            rotations=intake.rotations,
            ocr_text=texts[:200_000],
            suggested=suggested,
            incoming_signatures=verdicts,
            created_by_id=actor.id,
        )
        session.add(document)
        session.flush()
        audit.record(
            session,
            "document_scanned",
            actor,
            dossier_id=dossier_id,
            document_id=document.id,
            type_code=cmd.type_code,
            pages=intake.pages,
            sha256=intake.sha256,
            originals=[o.sha256 for o in intake.originals],
        )
        return document.id


def _read_text(path: Path, lang: str, max_pages: int) -> str:
    try:
        return "\n\f".join(page.text for page in ocr.ocr_pdf(path, lang, max_pages))
    except ocr.OcrUnavailable as exc:
        log.warning("OCR unavailable: %s", exc)
        return ""


@dataclass(frozen=True)
class _Draft:
    """What signing a draft needs, read before the slow work."""

    scan_sha256: str
    on_demand: bool
    pages: int
    officer: tuple[str, str, str]  # username, full name, agency name
    agency: tuple[str, str]  # code, name


def _draft(session: Session, document_id: int, actor: Actor) -> _Draft:
    document = session.get(Document, document_id)
    if document is None:
        raise document_not_found()
    may_digitize(actor, document.agency_id)
    _still_draft(document)
    agency = session.get(Agency, document.agency_id)
    user = session.get(User, actor.id)
    return _Draft(
        document.scan_sha256,
        document.classification == "on_demand",
        document.pages,
        (user.username, user.full_name, agency.name),
        (agency.code, agency.name),
    )


def _still_draft(document: Document) -> None:
    if document.state != "draft":
        raise Conflict(_("Giấy tờ đã được lưu hoặc đã huỷ trước đó"))


def _sign_draft(draft: _Draft, metadata: Metadata) -> str:
    """The officer's signature (and, for an on-demand copy, the agency's certified-copy
    stamp) on the scan; returns the signed file's sha256. Runs outside any transaction."""
    store, pki = file_store(), demo_pki()
    code, agency_name = draft.agency
    officer = pki.identity("officer", *draft.officer)
    file_sha = signed_copy(
        store,
        draft.scan_sha256,
        lambda src, out: signing.sign(
            src,
            out,
            officer,
            field_name="SoHoa",
            reason=f"Số hoá {metadata.six.name}",
            location=agency_name,
        ),
    )
    if draft.on_demand:
        stamp = pki.identity("agency", code, agency_name, code)
        file_sha = signed_copy(
            store,
            file_sha,
            lambda src, out: signing.certify_copy(src, out, stamp, agency_name, utcnow()),
        )
    return file_sha


def confirm(document_id: int, values: dict[str, Any], actor: Actor) -> str:
    """Sign and store a draft with the officer's metadata; returns its storage key.

    Read and check, sign with no transaction open, then lock the row, check it is still a
    draft (a discard may have come meanwhile: Conflict) and write."""
    with db.transaction() as session:
        catalog = {code: t.name for code, t in type_catalog(session).items()}
        try:
            metadata = validate_metadata(values, catalog)
        except MetadataError as exc:
            raise InvalidInput(_("Siêu dữ liệu chưa hợp lệ"), fields=exc.errors) from exc
        draft = _draft(session, document_id, actor)
    file_sha = _sign_draft(draft, metadata)
    size = file_store().path(file_sha).stat().st_size
    with db.transaction() as session:
        document = session.get(Document, document_id, with_for_update=True)
        if document is None:
            raise document_not_found()
        _still_draft(document)
        _apply(document, metadata)
        if draft.on_demand:
            document.fee_code = ON_DEMAND_FEE_CODE
            document.fee_amount = on_demand_fee(draft.pages)
        document.file_sha256, document.size = file_sha, size
        document.stored_at, document.stored_by_id = utcnow(), actor.id
        store_under_next_key(session, document)
        audit.record(
            session,
            "document_stored",
            actor,
            dossier_id=document.dossier_id,
            document_id=document.id,
            key=document.storage_key,
            sha256=file_sha,
            fee=document.fee_amount,
        )
        push(session, document, actor)
        return document.storage_key


def _apply(document: Document, metadata: Metadata) -> None:
    """The six fields (001 §II.2.c) and the type's own onto the row."""
    for column, value in metadata.six.columns().items():
        setattr(document, column, value)
    document.fields = dict(metadata.fields)


def discard(document_id: int, actor: Actor) -> None:
    """An officer discards a scan that was not stored yet."""
    """Discard a draft scan that was not stored."""
    with db.transaction() as session:
        document = session.get(Document, document_id)
        if document is None:
            raise document_not_found()
        may_digitize(actor, document.agency_id)
        if document.state != "draft":
            raise Conflict(_("Chỉ huỷ được bản quét chưa lưu"))
        document.state = "discarded"
        audit.record(
            session,
            "document_discarded",
            actor,
            dossier_id=document.dossier_id,
            document_id=document.id,
        )

"""Digitizing a dossier's components (001 §II.2.c) and the documents it produces.

`digitize` keeps the originals, checks and assembles the scan, reads it (OCR) and records a
draft with suggested metadata; `confirm` takes the officer's metadata, signs the file (the
officer's PAdES signature; on-demand copies also get the agency's certified-copy stamp and
their fee), gives it its storage key and queues the push to the warehouse simulator;
`certify` makes a certified e-copy (sao y) of a stored document.

Files are content-addressed and immutable, so a request that fails half-way leaves at most
unreferenced files behind, never a row that points to nothing.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import settings
from app.documents import ocr, signing
from app.documents.intake import ScanRejected, Upload, sniff_stored, take_scans
from app.documents.pki import DemoPKI, demo_pki
from app.domain.documents import (
    CLASSES,
    DOCUMENT_TYPES,
    ON_DEMAND_FEE_CODE,
    PAPER_FORMS,
    DocumentType,
    MetadataError,
    document_type,
    on_demand_fee,
    storage_key,
    validate_metadata,
)
from app.i18n import _, _l
from app.models import Agency, Document, Dossier, User
from app.models import DocumentType as DocumentTypeRow
from app.models.base import utcnow
from app.services import audit, outbox, visibility
from app.services.actors import Actor
from app.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.storage.db import db
from app.storage.files import FileStore, file_store

log = logging.getLogger(__name__)
DIGITIZING_ROLES = ("reception", "processing")


@dataclass(frozen=True)
class Digitize:
    dossier_code: str
    type_code: str
    classification: str
    paper_form: str
    declared_pages: int
    page_order: str = ""
    paper_count: int = 1


def _dossier(session: Session, code: str) -> Dossier:
    dossier = session.scalar(select(Dossier).where(Dossier.code == code))
    if dossier is None:
        raise NotFound(_l("Không tìm thấy hồ sơ %(code)s", code=code))
    return dossier


def _may_digitize(actor: Actor, agency_id: int) -> None:
    if not any(actor.can(role, agency_id) for role in DIGITIZING_ROLES):
        raise Forbidden(_l("Chỉ cán bộ một cửa hoặc chuyên viên của cơ quan được số hoá hồ sơ"))


def _may_see(actor: Actor, agency_id: int) -> None:
    if not actor.sees(agency_id):
        raise NotFound(_l("Không tìm thấy giấy tờ"))


def type_catalog() -> dict[str, DocumentType]:
    """The document types officers choose from: the catalog's active ones (with the fields
    this system knows for them), or the built-in list when the catalog is empty."""
    with db.transaction() as session:
        rows = session.execute(
            select(DocumentTypeRow.code, DocumentTypeRow.name)
            .where(DocumentTypeRow.active.is_(True))
            .order_by(DocumentTypeRow.code)
        ).all()
    if not rows:
        return dict(DOCUMENT_TYPES)
    return {code: document_type(code, name) for code, name in rows}


def _check(cmd: Digitize) -> None:
    errors = {}
    if cmd.type_code not in type_catalog():
        errors["type_code"] = _("Chọn loại giấy tờ trong danh mục")
    if cmd.classification not in CLASSES:
        errors["classification"] = _("Chọn cách phân loại số hoá")
    if cmd.paper_form not in PAPER_FORMS:
        errors["paper_form"] = _("Chọn hình thức giấy tờ (bản chính, bản sao, bản photo)")
    if not 1 <= cmd.paper_count <= 99:
        errors["paper_count"] = _("Số bản từ 1 đến 99")
    if errors:
        raise InvalidInput(_l("Thông tin số hoá chưa hợp lệ"), fields=errors)


def digitize(cmd: Digitize, uploads: Sequence[Upload], actor: Actor) -> int:
    """Take the scans of one component; returns the draft document's id."""
    _check(cmd)
    with db.transaction() as session:
        dossier = _dossier(session, cmd.dossier_code)
        agency_id = actor.acting_agency(
            DIGITIZING_ROLES, dossier.agency_id, dossier.receiving_agency_id
        )
        if agency_id is None:
            _may_digitize(actor, dossier.agency_id)
        owner = (dossier.owner_id_type, dossier.owner_id)
        owner_name = dossier.owner_name
        dossier_id = dossier.id
    config = settings.current
    store = file_store()
    try:
        intake = take_scans(
            uploads,
            cmd.declared_pages,
            store,
            page_order=cmd.page_order,
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
            owner_name=suggested.get("owner_name") or owner_name,
            name=type_catalog()[cmd.type_code].name,
            fields={},
            pages=intake.pages,
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


def _identity(pki: DemoPKI, session: Session, *, agency_id: int, actor: Actor | None):
    agency = session.get(Agency, agency_id)
    if actor is None or actor.id is None:
        return pki.identity("agency", agency.code, agency.name, agency.code)
    user = session.get(User, actor.id)
    return pki.identity("officer", user.username, user.full_name, agency.name)


def _signed_copy(store: FileStore, source_sha: str, sign_with) -> str:  # noqa: ANN001
    """Run `sign_with(source_path, output)` into a temporary file and store the result."""
    import tempfile

    fd, tmp = tempfile.mkstemp(suffix=".pdf")
    try:
        with os.fdopen(fd, "wb") as out:
            sign_with(store.path(source_sha), out)
        return store.put_file(tmp).sha256
    finally:
        os.unlink(tmp)


def confirm(document_id: int, values: dict[str, Any], actor: Actor) -> str:
    """Store the draft with the officer's metadata; returns its storage key."""
    try:
        metadata = validate_metadata(values, {code: t.name for code, t in type_catalog().items()})
    except MetadataError as exc:
        raise InvalidInput(_l("Siêu dữ liệu chưa hợp lệ"), fields=exc.errors) from exc
    store, pki = file_store(), demo_pki()
    with db.transaction() as session:
        document = session.get(Document, document_id, with_for_update=True)
        if document is None:
            raise NotFound(_l("Không tìm thấy giấy tờ"))
        _may_digitize(actor, document.agency_id)
        if document.state != "draft":
            raise Conflict(_l("Giấy tờ đã được lưu hoặc đã huỷ trước đó"))
        officer = _identity(pki, session, agency_id=document.agency_id, actor=actor)
        agency = session.get(Agency, document.agency_id)
        file_sha = _signed_copy(
            store,
            document.scan_sha256,
            lambda src, out: signing.sign(
                src,
                out,
                officer,
                field_name="SoHoa",
                reason=f"Số hoá {metadata.name}",
                location=agency.name,
            ),
        )
        if document.classification == "on_demand":
            stamp = _identity(pki, session, agency_id=document.agency_id, actor=None)
            file_sha = _signed_copy(
                store,
                file_sha,
                lambda src, out: signing.certify_copy(src, out, stamp, agency.name, utcnow()),
            )
            document.fee_code = ON_DEMAND_FEE_CODE
            document.fee_amount = on_demand_fee(document.pages)
        repeat = 1 + (
            session.scalar(
                select(func.coalesce(func.max(Document.repeat), 0)).where(
                    Document.owner_id == metadata.owner_id,
                    Document.type_code == metadata.type_code,
                    Document.state == "stored",
                )
            )
            or 0
        )
        _apply(document, metadata)
        document.repeat = repeat
        document.storage_key = storage_key(metadata.owner_id, metadata.type_code, repeat)
        document.file_sha256 = file_sha
        document.size = store.path(file_sha).stat().st_size
        document.state = "stored"
        document.stored_at, document.stored_by_id = utcnow(), actor.id
        try:
            session.flush()
        except IntegrityError as exc:
            raise Conflict(_l("Khoá lưu trữ vừa được dùng cho giấy tờ khác: hãy lưu lại")) from exc
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
        _push(session, document)
        return document.storage_key


def _apply(document: Document, metadata) -> None:  # noqa: ANN001
    document.type_code = metadata.type_code
    document.owner_id_type = metadata.owner_id_type
    document.owner_id = metadata.owner_id
    document.owner_name = metadata.owner_name
    document.name = metadata.name
    document.summary = metadata.summary
    document.valid_until = metadata.valid_until
    document.validity_scope = metadata.validity_scope
    document.fields = dict(metadata.fields)


def warehouse_metadata(document: Document, dossier_code: str | None) -> dict[str, Any]:
    """The metadata sent with a document to the data warehouse (Kho DL)."""
    return {
        "owner_id": document.owner_id,
        "owner_id_type": document.owner_id_type,
        "owner_name": document.owner_name,
        "type_code": document.type_code,
        "name": document.name,
        "summary": document.summary,
        "valid_until": document.valid_until.isoformat() if document.valid_until else None,
        "validity_scope": document.validity_scope,
        "fields": document.fields,
        "storage_key": document.storage_key,
        "sha256": document.file_sha256,
        "source": document.source,
        "dossier_code": dossier_code,
    }


def _push(session: Session, document: Document) -> None:
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


def record_push(session: Session, params: dict[str, Any], result: dict[str, Any]) -> None:
    """The warehouse took the document (called when its outbox call is done)."""
    document = session.get(Document, params["document_id"])
    if document is not None and document.warehouse_id is None:
        document.warehouse_id = result.get("document_id")
        document.pushed_at = utcnow()


def certify(document_id: int, actor: Actor) -> int:
    """A certified e-copy (sao y) of a stored document, with the agency's signature."""
    with db.transaction() as session:
        origin = session.get(Document, document_id)
        if origin is None:
            raise NotFound(_l("Không tìm thấy giấy tờ"))
        _may_see(actor, origin.agency_id)  # another agency's document does not exist for it
        _may_digitize(actor, origin.agency_id)
        if origin.state != "stored":
            raise Conflict(_l("Chỉ sao y giấy tờ đã lưu"))
        return _certify(session, origin, actor, file_store(), demo_pki()).id


# Components in the agency's scope: certified e-copies are made of them during processing
# (001 §II.2.c step 3); forms, out-of-scope results and on-demand copies are not.
IN_SCOPE = ("earlier_result", "required_by_law")


def certify_in_scope(session: Session, dossier_id: int, actor: Actor) -> list[str]:
    """Certified e-copies of the dossier's stored in-scope components that have none yet;
    the storage keys made (a step of the process, in its transaction)."""
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
    if not pending:
        return []
    store, pki = file_store(), demo_pki()
    return [_certify(session, origin, actor, store, pki).storage_key or "" for origin in pending]


def _certify(
    session: Session, origin: Document, actor: Actor, store: FileStore, pki: DemoPKI
) -> Document:
    agency = session.get(Agency, origin.agency_id)
    stamp = _identity(pki, session, agency_id=origin.agency_id, actor=None)
    copy_sha = _signed_copy(
        store,
        origin.file_sha256,
        lambda src, out: signing.certify_copy(src, out, stamp, agency.name, utcnow()),
    )
    repeat = 1 + (
        session.scalar(
            select(func.coalesce(func.max(Document.repeat), 0)).where(
                Document.owner_id == origin.owner_id,
                Document.type_code == origin.type_code,
                Document.state == "stored",
            )
        )
        or 0
    )
    copy = Document(
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
        valid_until=origin.valid_until,
        validity_scope=origin.validity_scope,
        fields=dict(origin.fields),
        repeat=repeat,
        storage_key=storage_key(origin.owner_id, origin.type_code, repeat),
        pages=origin.pages,
        size=store.path(copy_sha).stat().st_size,
        scan_sha256=origin.scan_sha256,
        file_sha256=copy_sha,
        originals=list(origin.originals),
        rotations=list(origin.rotations),
        suggested={},
        incoming_signatures=[],
        origin_id=origin.id,
        created_by_id=actor.id,
        stored_by_id=actor.id,
        stored_at=utcnow(),
    )
    session.add(copy)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(_l("Khoá lưu trữ vừa được dùng cho giấy tờ khác: hãy thử lại")) from exc
    audit.record(
        session,
        "document_certified",
        actor,
        dossier_id=origin.dossier_id,
        document_id=copy.id,
        origin_id=origin.id,
        key=copy.storage_key,
    )
    _push(session, copy)
    return copy


def discard(document_id: int, actor: Actor) -> None:
    """An officer discards a scan that was not stored yet."""
    with db.transaction() as session:
        document = session.get(Document, document_id)
        if document is None:
            raise NotFound(_l("Không tìm thấy giấy tờ"))
        _may_digitize(actor, document.agency_id)
        if document.state != "draft":
            raise Conflict(_l("Chỉ huỷ được bản quét chưa lưu"))
        document.state = "discarded"
        audit.record(
            session,
            "document_discarded",
            actor,
            dossier_id=document.dossier_id,
            document_id=document.id,
        )


@dataclass(frozen=True)
class DocumentView:
    values: dict[str, Any]
    dossier_code: str | None
    verdicts: list[signing.Verdict]
    can_edit: bool


def _values(document: Document) -> dict[str, Any]:
    return {c.name: getattr(document, c.name) for c in Document.__table__.columns}


def document_view(document_id: int, actor: Actor) -> DocumentView:
    """Show one digitized document to an officer who may see its dossier."""
    with db.transaction() as session:
        document = session.get(Document, document_id)
        if document is None:
            raise NotFound(_l("Không tìm thấy giấy tờ"))
        _may_see(actor, document.agency_id)
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
    with db.transaction() as session:
        dossier = _dossier(session, dossier_code)
        if not visibility.may_view(session, dossier, actor):
            raise NotFound(_l("Không tìm thấy hồ sơ"))
        rows = session.scalars(
            select(Document)
            .where(Document.dossier_id == dossier.id, Document.state != "discarded")
            .order_by(Document.id)
        )
        return [_values(d) for d in rows]


def file_path(document_id: int, actor: Actor, sha256: str | None = None) -> tuple[Path, str]:
    """The file in force (or one of the document's originals) and a download name."""
    with db.transaction() as session:
        document = session.get(Document, document_id)
        if document is None:
            raise NotFound(_l("Không tìm thấy giấy tờ"))
        _may_see(actor, document.agency_id)
        known = {o["sha256"]: o["filename"] for o in document.originals}
        if sha256 is None:
            name = f"{document.storage_key or f'ban-quet-{document.id}'}.pdf"
            return file_store().path(document.file_sha256), name
        if sha256 not in known:
            raise NotFound(_l("Tệp gốc không thuộc giấy tờ này"))
        return file_store().path(sha256), known[sha256]


def verify_upload(upload: Upload) -> list[signing.Verdict]:
    """Verdicts on an incoming PDF's signatures (the file is kept like any original)."""
    store = file_store()
    try:
        stored = store.put_stream(upload.stream, settings.current.SCAN_MAX_BYTES)
    except ValueError as exc:
        raise InvalidInput(str(exc), fields={"file": str(exc)}) from exc
    if sniff_stored(store, stored.sha256) != "pdf":
        raise InvalidInput(_l("Tệp không phải PDF"), fields={"file": _l("Tệp không phải PDF")})
    return signing.verify(stored.path, [demo_pki().ca_cert_path])


def issue_result(session: Session, dossier_id: int, params: dict[str, Any], actor: Actor) -> dict:
    """The procedure's e-result as a stored document, signed by the approving leader and the
    agency; returns the service call's parameters with the file and metadata to push."""
    from app.documents.slips import SlipData, render_result

    dossier = session.get(Dossier, dossier_id)
    procedure, agency = dossier.procedure, dossier.agency
    parent = session.get(Agency, agency.parent_id) if agency.parent_id else None
    type_code = params.get("type_code") or procedure.result_type_code or "KQ.KHAC"
    name = DOCUMENT_TYPES[type_code].name if type_code in DOCUMENT_TYPES else procedure.name
    signer = session.get(User, actor.id) if actor.id else None
    pdf = render_result(
        name,
        SlipData(
            agency_name=agency.name,
            parent_agency_name=parent.name if parent else "",
            dossier_code=dossier.code,
            procedure_code=procedure.code,
            procedure_name=procedure.name,
            owner_name=dossier.owner_name,
            owner_id=dossier.owner_id,
            phone=dossier.phone or "",
            email=dossier.email or "",
            received_at=dossier.received_at,
            due_at=dossier.due_at,
            officer_name=signer.full_name if signer else agency.name,
            issued_at=utcnow(),
            signer_title="LÃNH ĐẠO CƠ QUAN",
        ),
    )
    store, pki = file_store(), demo_pki()
    unsigned = store.put_bytes(pdf).sha256
    sha = unsigned
    if signer is not None:
        leader = pki.identity("officer", signer.username, signer.full_name, agency.name)
        sha = _signed_copy(
            store,
            sha,
            lambda src, out: signing.sign(
                src, out, leader, field_name="LanhDao", reason="Phê duyệt kết quả"
            ),
        )
    seal = pki.identity("agency", agency.code, agency.name, agency.code)
    sha = _signed_copy(
        store,
        sha,
        lambda src, out: signing.sign(
            src, out, seal, field_name="CoQuan", reason="Ban hành kết quả", location=agency.name
        ),
    )
    repeat = 1 + (
        session.scalar(
            select(func.coalesce(func.max(Document.repeat), 0)).where(
                Document.owner_id == dossier.owner_id,
                Document.type_code == type_code,
                Document.state == "stored",
            )
        )
        or 0
    )
    document = Document(
        dossier_id=dossier.id,
        agency_id=agency.id,
        state="stored",
        source="result",
        classification="earlier_result",
        type_code=type_code,
        owner_id_type=dossier.owner_id_type,
        owner_id=dossier.owner_id,
        owner_name=dossier.owner_name,
        name=name,
        summary=f"Kết quả giải quyết hồ sơ {dossier.code}",
        fields={"dossier_code": dossier.code},
        repeat=repeat,
        storage_key=storage_key(dossier.owner_id, type_code, repeat),
        pages=1,
        size=store.path(sha).stat().st_size,
        scan_sha256=unsigned,
        file_sha256=sha,
        originals=[],
        rotations=[0],
        suggested={},
        incoming_signatures=[],
        created_by_id=actor.id,
        stored_by_id=actor.id,
        stored_at=utcnow(),
    )
    session.add(document)
    session.flush()
    audit.record(
        session,
        "result_issued",
        actor,
        dossier_id=dossier.id,
        document_id=document.id,
        key=document.storage_key,
        sha256=sha,
    )
    return {
        **params,
        "type_code": type_code,
        "document_id": document.id,
        "file_sha256": sha,
        "storage_key": document.storage_key,
        "sha256": sha,
    }


def ensure_demo_certificates() -> list[str]:
    """The demo CA, one certificate per agency and per active officer (set-up runs this;
    anything missing is also made on first use)."""
    pki = demo_pki()
    pki.ensure_ca()
    made = [f"CA: {pki.ca_cert_path}"]
    with db.transaction() as session:
        agencies = session.execute(select(Agency.code, Agency.name)).all()
        officers = session.execute(
            select(User.username, User.full_name, Agency.name)
            .join(Agency, Agency.id == User.agency_id)
            .where(User.active.is_(True))
        ).all()
    for code, name in agencies:
        pki.identity("agency", code, name, code)
        made.append(f"agency {code}: {name}")
    for username, full_name, agency_name in officers:
        pki.identity("officer", username, full_name, agency_name)
        made.append(f"officer {username}: {full_name}")
    return made

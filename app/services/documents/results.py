"""Issuing the procedure's e-result (phát hành kết quả điện tử): rendered, signed by the
approving leader and by the agency, stored under its storage key.

A step of the model does it: the local operator `documents.issue_result` (see
`local_operators`), deferred: the approval that leads to it only checks it could be issued
(`check_issuable`) and commits the decision, and the worker issues it right after, in one
transaction with the process's next move (`service_calls.run_deferred_call`), so that two
signatures do not hold the leader's request; the next step (`warehouse.store_result`) pushes
the issued file to the warehouse (Kho DL) with the document's id and hashes in its
parameters. Model versions deployed before that step existed
queue `warehouse.store_result` without an issued document: `issue_for_queued_call` issues it
when the worker takes such a call, so those versions keep producing the same signed result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.documents import signing
from app.documents.pki import demo_pki
from app.documents.slip_data import SlipData
from app.documents.slips import render_result
from app.domain.documents import DOCUMENT_TYPES
from app.i18n import _l
from app.models import (
    Agency,
    Document,
    DocumentType,
    Dossier,
    HumanTask,
    OutboxMessage,
    ResultDraft,
    User,
)
from app.models.base import utcnow
from app.services.core import audit
from app.services.core.actors import SYSTEM, Actor
from app.services.core.errors import InvalidInput
from app.services.documents import result_drafts, sector_registry
from app.services.documents.result_metadata import describe_result as _describe
from app.services.documents.signing import signed_copy
from app.services.documents.storage import store_under_next_key, warehouse_metadata
from app.storage.db import db
from app.storage.files import FileStore, file_store

STORE_RESULT = "warehouse.store_result"
# the model's issuing step (a local operator the worker runs: see dossiers.local_operators)
ISSUE = "documents.issue_result"


@dataclass(frozen=True)
class _Files:
    unsigned: str
    signed: str
    size: int


def issue_result(
    session: Session, dossier_id: int, params: dict[str, Any], actor: Actor
) -> dict[str, Any]:
    """Issue the dossier's e-result as a stored document signed by `actor` (the approving
    leader; none when the system acts) and the agency; returns what the store step needs:
    type_code, document_id, file_sha256, storage_key, sha256."""
    dossier = session.get(Dossier, dossier_id)
    type_code, name = _result_type(session, dossier, params.get("type_code"))
    signer = session.get(User, actor.id) if actor.id else None
    draft = _approved_draft(session, dossier)
    store = file_store()
    if draft is not None:  # the very draft the leader approved, byte for byte (stored already)
        name = draft.title
        unsigned = draft.file_sha256
    else:
        unsigned = store.put_bytes(render_result(name, _slip_data(session, dossier, signer))).sha256
    files = _sign(store, unsigned, signer, dossier.agency)
    document = _result_row(dossier, type_code, name, files, actor)
    if draft is not None:
        # what was decided travels with the document to the warehouse (004 §2)
        document.fields = {**document.fields, **{k: v for k, v in draft.values.items() if v}}
    _describe(session, document, dossier, signer)
    store_under_next_key(session, document)
    if draft is not None:
        draft.document_id = document.id
    sector_registry.queue_registration(session, dossier, document)
    audit.record(
        session,
        "result_issued",
        actor,
        dossier_id=dossier.id,
        document_id=document.id,
        key=document.storage_key,
        sha256=files.signed,
    )
    return {
        "type_code": type_code,
        "document_id": document.id,
        "file_sha256": files.signed,
        "storage_key": document.storage_key,
        "sha256": files.signed,
    }


def check_issuable(session: Session, dossier_id: int, params: dict[str, Any]) -> None:
    """Refuse (InvalidInput) what `issue_result` would refuse, without rendering or signing:
    asked in the approval's own request when the worker issues the result after it."""
    dossier = session.get(Dossier, dossier_id)
    _result_type(session, dossier, params.get("type_code"))
    _approved_draft(session, dossier)


def _approved_draft(session: Session, dossier: Dossier) -> ResultDraft | None:
    """The draft the leader approved; none for a procedure without a result template, which
    issues the generic result; refused when the procedure has a template and none is
    approved."""
    draft = result_drafts.approved(session, dossier.id)
    if draft is None and dossier.procedure.result_template:
        raise InvalidInput(_l("Chưa có dự thảo kết quả được phê duyệt: chưa phát hành được"))
    return draft


def render_preview(session: Session, dossier_id: int, actor: Actor) -> bytes | None:
    """The result `issue_result` would sign now: the latest draft's stored PDF (None when a
    procedure with a result template has none yet), else the generic result rendered by the
    same code with `actor` as approving leader; neither signed nor stored."""
    dossier = session.get(Dossier, dossier_id)
    drafted = result_drafts.preview(session, dossier.id)
    if drafted is not None or dossier.procedure.result_template:
        return drafted
    _, name = _result_type(session, dossier, None)
    signer = session.get(User, actor.id) if actor.id else None
    return render_result(name, _slip_data(session, dossier, signer))


def _result_type(session: Session, dossier: Dossier, asked: str | None) -> tuple[str, str]:
    """The result's document type (the model's, else the procedure's) and its name. The code
    must be in the document type catalog, synced from the national procedure database
    (001 §IV.1, 001 §II.2.b Bước 2): there is no local "other" code to fall back on."""
    procedure = dossier.procedure
    type_code = asked or procedure.result_type_code
    if not type_code:
        raise InvalidInput(
            _l(
                "Thủ tục %(code)s chưa có loại kết quả từ danh mục quốc gia: chưa phát hành được"
                " kết quả",
                code=procedure.code,
            )
        )
    row = session.scalar(select(DocumentType).where(DocumentType.code == type_code))
    if row is None:
        raise InvalidInput(
            _l(
                "Loại kết quả %(type_code)s không có trong danh mục loại giấy tờ: chưa phát hành"
                " được kết quả",
                type_code=type_code,
            )
        )
    known = DOCUMENT_TYPES.get(type_code)
    return type_code, known.name if known else row.name


def _slip_data(session: Session, dossier: Dossier, signer: User | None) -> SlipData:
    agency, procedure = dossier.agency, dossier.procedure
    parent = session.get(Agency, agency.parent_id) if agency.parent_id else None
    return SlipData(
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
    )


def _sign(store: FileStore, unsigned: str, signer: User | None, agency: Agency) -> _Files:
    """The leader's signature (when a leader approved), then the agency's seal, over the stored
    file `unsigned`; only the finished file is stored besides it."""
    pki = demo_pki()
    signatures = []
    if signer is not None:
        leader = pki.identity("officer", signer.username, signer.full_name, agency.name)
        signatures.append(signing.Signature(leader, "LanhDao", "Phê duyệt kết quả"))
    seal = pki.identity("agency", agency.code, agency.name, agency.code)
    signatures.append(signing.Signature(seal, "CoQuan", "Ban hành kết quả", agency.name))
    sha = signed_copy(store, unsigned, lambda src, out: signing.sign_in_turn(src, out, signatures))
    return _Files(unsigned, sha, store.path(sha).stat().st_size)


def _result_row(
    dossier: Dossier, type_code: str, name: str, files: _Files, actor: Actor
) -> Document:
    return Document(
        dossier_id=dossier.id,
        agency_id=dossier.agency_id,
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
        pages=1,
        size=files.size,
        scan_sha256=files.unsigned,
        file_sha256=files.signed,
        originals=[],
        rotations=[0],
        suggested={},
        incoming_signatures=[],
        created_by_id=actor.id,
        stored_by_id=actor.id,
        stored_at=utcnow(),
    )


def params_to_deliver(outbox_id: int, operator: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters to send for a claimed outbox call: as queued, except a result store,
    which carries the issued result's six fields (001 §II.2.c) whatever the model passes (one
    queued by a model version without the issuing step has its result issued first), and a
    model's own sector registration, whose record is built first."""
    if operator == sector_registry.REGISTER and "record" not in params:
        return sector_registry.fill_record(outbox_id) or params
    if operator != STORE_RESULT:
        return params
    if "document_id" not in params:
        params = issue_for_queued_call(outbox_id) or params
    return with_result_metadata(params)


def with_result_metadata(params: dict[str, Any]) -> dict[str, Any]:
    """A result store's parameters with the stored result's metadata (summary, validity,
    scope, owner name and type...: 001 §II.2.c) read from its document row."""
    document_id = params.get("document_id")
    if not isinstance(document_id, int):
        return params
    with db.transaction() as session:
        document = session.get(Document, document_id)
        if document is None:
            return params
        return {**params, **warehouse_metadata(document, params.get("dossier_code"))}


def issue_for_queued_call(outbox_id: int) -> dict[str, Any] | None:
    """Issue the result for a queued `warehouse.store_result` call of a model version that has
    no issuing step (its parameters carry no document); the call's new parameters, or None
    when the call needs nothing (already issued, or another operator)."""
    with db.transaction() as session:
        row = session.get(OutboxMessage, outbox_id, with_for_update=True)
        if row is None or row.operator != STORE_RESULT or "document_id" in (row.params or {}):
            return None
        issued = issue_result(session, row.dossier_id, row.params, _approver(session, row))
        row.params = {**row.params, **issued}
        return dict(row.params)


def _approver(session: Session, row: OutboxMessage) -> Actor:
    """Who approved: the officer who completed the dossier's last leader step."""
    user_id = session.scalar(
        select(HumanTask.completed_by_id)
        .where(
            HumanTask.dossier_id == row.dossier_id,
            HumanTask.role == "leader",
            HumanTask.state == "completed",
        )
        .order_by(HumanTask.completed_at.desc())
        .limit(1)
    )
    user = session.get(User, user_id) if user_id else None
    return Actor.of(user) if user is not None else SYSTEM

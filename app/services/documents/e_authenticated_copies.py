"""E-authenticated copies (bản điện tử được xác thực) of out-of-scope documents, and the one
the counter makes itself.

Whoever authenticated it, the copy is stored the same way: a new document of the dossier
(a component), under the next storage key of its owner and type, with the six metadata fields
of its origin (001 §II.2.c "Một số yêu cầu"), its origin (the scan, `origin_id`), who
authenticated it and under which reference (in its fields, which Kho DL receives), and pushed
to the warehouse. 001 §II.2.c Bước 1: the managing agency's copy; 001 §III.1 case 2: "cán bộ
chứng thực ... số hóa và chứng thực điện tử giấy tờ", the file "được đưa vào Kho dữ liệu".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.documents import signing
from app.documents.pki import demo_pki
from app.domain.document_metadata import LABELS
from app.i18n import _
from app.models import Agency, Document, DocumentAuthentication, Dossier, HumanTask
from app.models.base import utcnow
from app.services.core import audit
from app.services.core.actors import Actor
from app.services.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.services.documents.catalog import document_not_found
from app.services.documents.certified_copies import copy_row
from app.services.documents.signing import signed_copy
from app.services.documents.storage import missing_fields, push, store_under_next_key
from app.storage.db import db
from app.storage.files import file_store

SOURCE = "e_authenticated"
OUT_OF_SCOPE = "out_of_scope"
MARK = "x-e-authentication"
MANAGING, COUNTER = "managing_agency", "counter"


def route_of(form: dict | None) -> str | None:
    """How a step's form e-authenticates the dossier's out-of-scope documents (its
    `x-e-authentication` mark): "managing_agency", "counter", or None for other steps."""
    route = (form or {}).get(MARK)
    return route if route in (MANAGING, COUNTER) else None


def out_of_scope(session: Session, dossier_id: int) -> list[Document]:
    """The dossier's stored scans classified as results of a procedure outside the agency's
    scope (DOMAIN.md §2.D): what must be e-authenticated."""
    return list(
        session.scalars(
            select(Document)
            .where(
                Document.dossier_id == dossier_id,
                Document.state == "stored",
                Document.source == "scan",
                Document.classification == OUT_OF_SCOPE,
            )
            .order_by(Document.id)
        )
    )


def latest(session: Session, dossier_id: int) -> dict[int, DocumentAuthentication]:
    """The latest e-authentication request of each of the dossier's documents."""
    rows = session.scalars(
        select(DocumentAuthentication)
        .where(DocumentAuthentication.dossier_id == dossier_id)
        .order_by(DocumentAuthentication.id)
    )
    return {row.document_id: row for row in rows}


def task_for(session: Session, task_id: str, actor: Actor, route: str) -> HumanTask:
    """The open step `task_id`, held by `actor`, whose form e-authenticates by `route`."""
    task = session.get(HumanTask, task_id)
    if task is None or not actor.sees(task.agency_id) or route_of(task.form) != route:
        raise NotFound(_("Không tìm thấy công việc"))
    if task.state != "open":
        raise Conflict(_("Công việc đã được hoàn thành hoặc huỷ"))
    if not actor.can(task.role, task.agency_id):
        raise Forbidden(_("Bạn không có vai trò xử lý bước này."))
    if task.assignee_id != actor.id:
        raise Conflict(_("Nhận công việc trước khi xác thực giấy tờ"))
    return task


def document_of(session: Session, task: HumanTask, document_id: int) -> Document:
    """The out-of-scope scan `document_id` of the task's dossier, locked; NotFound for any
    other document."""
    document = session.get(Document, document_id, with_for_update=True)
    if (
        document is None
        or document.dossier_id != task.dossier_id
        or document.state != "stored"
        or document.source != "scan"
        or document.classification != OUT_OF_SCOPE
    ):
        raise document_not_found()
    return document


def store_copy(
    session: Session,
    origin: Document,
    file_sha256: str,
    authority: tuple[str, str],
    ref: str,
    actor: Actor,
) -> Document:
    """Store the e-authenticated copy of `origin` (its file already in the store) as a new
    component of its dossier, and queue its push to the warehouse."""
    code, name = authority
    copy = copy_row(origin, actor)
    copy.source = SOURCE
    copy.name = f"{origin.name} (bản xác thực điện tử)"[:255]
    copy.fields = {
        **(origin.fields or {}),
        "authenticated_by": name,
        "authenticated_by_code": code,
        "authentication_ref": ref,
        "origin_storage_key": origin.storage_key,
    }
    copy.file_sha256 = file_sha256
    copy.size = file_store().path(file_sha256).stat().st_size
    store_under_next_key(session, copy)
    audit.record(
        session,
        "document_e_authenticated",
        actor,
        dossier_id=origin.dossier_id,
        document_id=copy.id,
        origin_id=origin.id,
        key=copy.storage_key,
        authority=name,
        ref=ref,
    )
    push(session, copy, actor)
    return copy


def _check_counter(session: Session, task_id: str, document_id: int, actor: Actor) -> tuple:
    task = task_for(session, task_id, actor, COUNTER)
    origin = document_of(session, task, document_id)
    done = latest(session, task.dossier_id).get(origin.id)
    if done is not None and done.state == "authenticated":
        raise Conflict(_("Giấy tờ này đã được xác thực điện tử"))
    lacking = missing_fields(origin)
    if lacking:
        names = ", ".join(_(LABELS[key]) for key in lacking)
        raise InvalidInput(
            _("Giấy tờ còn thiếu siêu dữ liệu bắt buộc (%(names)s): bổ sung trước", names=names)
        )
    dossier = session.get(Dossier, task.dossier_id)
    agency = session.get(Agency, task.agency_id)
    return origin.file_sha256, agency.code, agency.name, dossier.code


def authenticate_at_counter(task_id: str, document_id: int, actor: Actor, compared: bool) -> str:
    """001 §III.1 case 2: the officer, having compared the scan with the original, makes its
    e-authenticated copy, signed with the agency's key and stored like the managing agency's
    (no call out). Returns the copy's storage key."""
    with db.transaction() as session:
        source_sha, code, name, dossier_code = _check_counter(session, task_id, document_id, actor)
        if not compared:
            raise InvalidInput(
                _("Xác nhận đã đối chiếu bản chụp với bản chính trước khi xác thực"),
                fields={"compared": _("Bắt buộc")},
            )
    stamp = demo_pki().identity("agency", code, name, code)
    when = utcnow()
    copy_sha = signed_copy(  # slow: signed with no transaction open
        file_store(),
        source_sha,
        lambda src, out: signing.stamp(
            src,
            out,
            stamp,
            text=signing.authentication_text(name, when),
            reason="Chứng thực điện tử từ bản chính",
            location=name,
            field_name="XacThuc",
        ),
    )
    with db.transaction() as session:
        task = task_for(session, task_id, actor, COUNTER)
        origin = document_of(session, task, document_id)
        done = latest(session, task.dossier_id).get(origin.id)
        if done is not None and done.state == "authenticated":
            raise Conflict(_("Giấy tờ này đã được xác thực điện tử"))
        ref = f"{dossier_code}/{origin.id}"
        copy = store_copy(session, origin, copy_sha, (code, name), ref, actor)
        session.add(
            DocumentAuthentication(
                dossier_id=origin.dossier_id,
                document_id=origin.id,
                route=COUNTER,
                state="authenticated",
                sent_sha256=origin.file_sha256,
                ref=ref,
                authority_code=code,
                authority_name=name,
                copy_id=copy.id,
                requested_by_id=actor.id,
                decided_by_id=actor.id,
                sent_at=when,
                answered_at=when,
            )
        )
        return copy.storage_key or ""


COUNT_FIELD = "out_of_scope_count"


def with_counted(
    session: Session, dossier_id: int, form: dict[str, Any] | None, data: dict[str, Any]
) -> dict[str, Any]:
    """`data` with the classify step's out-of-scope count at least the number of scans the
    officer classified out of scope (001 §II.2.c Bước 1): a digitized document is never
    skipped by the gateway because the count was left at 0; a higher typed count stands for
    papers not scanned yet."""
    if COUNT_FIELD not in ((form or {}).get("properties") or {}):
        return data
    typed = data.get(COUNT_FIELD)
    counted = len(out_of_scope(session, dossier_id))
    typed = typed if isinstance(typed, int) and not isinstance(typed, bool) else 0
    return {**data, COUNT_FIELD: max(typed, counted)} if counted > typed else data

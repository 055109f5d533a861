"""Reuse by content (001 §II.1 Bước 3: reused documents are "put into the e-dossier"): the file
of a component reused from the portal's Kho DL or a national database is fetched from its
source (hash checked against the source's), stored content-addressed as a document of the
dossier with its metadata and its source, and opened by the officers like any other component.

The fetch is tried while the officer (or the online citizen) waits; when the source is down,
slow or sends a damaged file, the component keeps a background fetch (an outbox row: retries
with backoff, an incident after the last one) and shows why it still waits, with a retry.
A component is never a bare reference: it has its document, or the fetch that will bring it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app import settings
from app.documents.intake import ScanRejected, open_pdf
from app.domain.document_metadata import from_source
from app.domain.messages import N_
from app.i18n import _l
from app.integrations.errors import IntegrationError
from app.integrations.operators import clients_from_config, fetch_reused
from app.models import Document, Dossier, DossierComponent, Incident, OutboxMessage
from app.models.base import utcnow
from app.services.core import audit, queue, visibility
from app.services.core.actors import SYSTEM, Actor
from app.services.core.errors import Forbidden, InvalidInput, NotFound
from app.services.documents import storage
from app.services.documents.catalog import DIGITIZING_ROLES
from app.storage.db import after_commit, db
from app.storage.files import file_store

FETCH = "documents.fetch_reused"
FETCHED_SOURCES = ("portal", "national")  # "own" documents are already this system's
# Keys of a source's metadata that describe the file or the record, not the document's data.
TECHNICAL = frozenset(
    {"id", "key", "storage_key", "sha256", "size", "stored_at", "dossier_code", "source"}
)
# Why a fetch failed, in words, by what the clients' messages say (app/integrations/http.py,
# app/integrations/reused_files.py); the technical message stays beside it.
REASONS = (
    ("SHA-256", N_("tệp nhận được không khớp mã băm nguồn công bố (hỏng khi truyền)")),
    ("another owner", N_("nguồn cho biết giấy tờ thuộc người khác")),
    ("HTTP 403", N_("nguồn từ chối: giấy tờ không thuộc chủ sở hữu được hỏi")),
    ("HTTP 404", N_("nguồn không còn giấy tờ này")),
    ("redirected", N_("nguồn chuyển sang một địa chỉ khác; hệ thống không đi theo")),
    ("content type", N_("nguồn không trả về tệp PDF")),
    ("not a PDF", N_("nguồn không trả về tệp PDF")),
    ("bytes, over", N_("tệp vượt quá dung lượng cho phép")),
    (": over", N_("tệp vượt quá dung lượng cho phép")),
    ("timed out", N_("nguồn phản hồi quá chậm")),
    ("longer than", N_("nguồn phản hồi quá chậm")),
    ("cannot connect", N_("không kết nối được tới nguồn")),
    ("HTTP 5", N_("nguồn tạm thời không phục vụ")),
)
SIX_FIELDS = frozenset(
    {"type_code", "owner_id", "owner_id_type", "owner_name", "full_name", "name", "summary"}
    | {"valid_until", "validity_scope", "fields", "birth_date"}
)


@dataclass(frozen=True)
class FetchState:
    """Why a reused component has no file yet, as its screen words it."""

    component_id: int
    source: str
    state: str  # pending (trying, or waiting for the next try) | failed (incident) | missing
    reason: str  # in words, untranslated (see REASONS)
    attempts: int
    next_at: datetime | None
    detail: str = ""  # the technical message


def reason_in_words(error: str) -> str:
    """Why a fetch failed, as an officer reads it (untranslated); "" when nothing failed."""
    if not error:
        return ""
    return next((words for mark, words in REASONS if mark in error), N_("lỗi khi lấy tệp"))


def fetch_now(source: str, ref: str, owner_id: str) -> dict[str, Any]:
    """Fetch the file while the caller waits: the stored file's sha256, size and the source's
    metadata; IntegrationError when the source fails (retryable: try again in the background)."""
    config = settings.current
    clients = clients_from_config(
        {
            "PORTAL_URL": config.PORTAL_URL,
            "WAREHOUSE_URL": config.WAREHOUSE_URL,
            "NATIONAL_DB_URL": config.NATIONAL_DB_URL,
            "HTTP_TIMEOUT": config.HTTP_TIMEOUT,
            "FILE_STORE": config.FILE_STORE,
            "REUSE_MAX_BYTES": config.REUSE_MAX_BYTES,
        }
    )
    return fetch_reused(clients, source, ref, owner_id)


def refused(source_label: str, exc: IntegrationError) -> InvalidInput:
    """The answer when a source's file can never be taken (not a PDF, too large, another
    owner's, sent elsewhere): nothing is attached, the paper can be digitized instead."""
    return InvalidInput(
        _l(
            "Không dùng được tệp từ %(source)s: %(why)s; hãy số hoá bản giấy thay thế",
            source=source_label,
            why=_l(reason_in_words(str(exc))),
        )
    )


def attach_file(
    session: Session,
    component: DossierComponent,
    owner_id: str,
    fetched: dict[str, Any] | None,
    error: str = "",
    actor: Actor = SYSTEM,
) -> None:
    """Give a just-attached component (flushed) its file: the document of what was fetched,
    or a background fetch remembering why the first try failed."""
    if fetched is not None:
        _store(session, component, owner_id, fetched, actor)
    else:
        _queue(session, component, owner_id, error)


def reused_metadata(
    component: DossierComponent, dossier: Dossier, owner_id: str, meta: dict[str, Any]
) -> dict[str, Any]:
    """The metadata a reused document is stored with, from what its source keeps: the six
    fields of 001 §II.2.c by the one rule for reused documents
    (`app.domain.document_metadata.from_source`: validity and scope never assumed), under the
    component's type and name and the owner checked at attach, and the type's own data."""
    same_owner = owner_id == dossier.owner_id
    fields = meta.get("fields")
    if not isinstance(fields, dict):
        fields = {k: v for k, v in meta.items() if k not in TECHNICAL | SIX_FIELDS}
    if meta.get("birth_date"):
        fields = {"birth_date": meta["birth_date"], **fields}
    owner = {
        "owner_id_type": dossier.owner_id_type if same_owner else "cccd",
        "owner_id": owner_id,
        "owner_name": dossier.owner_name if same_owner else "",
    }
    record = {
        **meta,
        "type_code": component.type_code,
        "name": component.name,
        "owner_id": owner_id,
        "fields": fields,
    }
    return {**from_source(record, owner), "fields": fields}


def _pages(sha256: str) -> int:
    """The page count of a fetched PDF; InvalidInput when it does not open as one."""
    try:
        with open_pdf(file_store().path(sha256), "reused.pdf") as reader:
            return len(reader.pages)
    except ScanRejected as exc:
        message = _l("Tệp lấy về không mở được như PDF: %(exc)s", exc=exc.message)
        raise InvalidInput(message) from exc


def _store(
    session: Session,
    component: DossierComponent,
    owner_id: str,
    fetched: dict[str, Any],
    actor: Actor = SYSTEM,
) -> None:
    """The fetched file as a stored document of the dossier, linked to its component."""
    dossier = session.get(Dossier, component.dossier_id)
    assert dossier is not None  # nosec B101 # type narrowing: a component's dossier exists
    meta = dict(fetched.get("metadata") or {})
    sha = str(fetched["sha256"])
    document = Document(
        dossier_id=dossier.id,
        agency_id=dossier.agency_id,
        source="reused",
        classification="earlier_result"
        if component.type_code.startswith("KQ")
        else "required_by_law",
        paper_form="electronic",
        paper_count=0,
        pages=_pages(sha),
        size=int(fetched["size"]),
        scan_sha256=sha,
        file_sha256=sha,
        originals=[],
        rotations=[],
        suggested={},
        incoming_signatures=[],
        stored_at=utcnow(),
        stored_by_id=actor.id,
        origin_system=component.source,
        origin_ref=component.ref,
        **reused_metadata(component, dossier, owner_id, meta),
    )
    storage.store_under_next_key(session, document)
    component.document_id = document.id
    audit.record(
        session,
        "component_fetched",
        actor,
        dossier_id=dossier.id,
        component_id=component.id,
        source=component.source,
        ref=component.ref,
        sha256=sha,
        storage_key=document.storage_key,
    )


def _queue(session: Session, component: DossierComponent, owner_id: str, error: str) -> None:
    """A background fetch for the component, counting the failed first try when there was one."""
    now = utcnow()
    delay = settings.current.OUTBOX_BACKOFF_BASE if error else 0
    row = OutboxMessage(
        operator=FETCH,
        params={
            "source": component.source,
            "ref": component.ref,
            "owner_id": owner_id,
            "component_id": component.id,
        },
        dossier_id=component.dossier_id,
        state="pending",
        attempts=1 if error else 0,
        next_attempt_at=now + timedelta(seconds=delay),
        last_error=error[:4000] or None,
        created_at=now,
    )
    session.add(row)
    session.flush()
    component.fetch_outbox_id = row.id
    row_id = row.id
    after_commit(session, lambda: queue.dispatch([row_id]))


def record_fetch(session: Session, params: dict[str, Any], result: dict[str, Any]) -> None:
    """Store the file a background fetch brought (called when its outbox call is done); a
    component that already has its document keeps it."""
    component = session.get(DossierComponent, int(params["component_id"]), with_for_update=True)
    if component is None or component.document_id is not None:
        return
    _store(session, component, str(params["owner_id"]), result)


def states(session: Session, components: list[DossierComponent]) -> dict[int, FetchState]:
    """Per reused component still without its file: why, read from its fetch (one query)."""
    waiting = [c for c in components if c.source in FETCHED_SOURCES and c.document_id is None]
    ids = [c.fetch_outbox_id for c in waiting if c.fetch_outbox_id]
    rows = (
        {r.id: r for r in session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))}
        if ids
        else {}
    )
    shown = {}
    for c in waiting:
        row = rows.get(c.fetch_outbox_id or 0)
        if row is None:
            shown[c.id] = FetchState(c.id, c.source, "missing", "", 0, None)
            continue
        state = "failed" if row.state == "incident" else "pending"
        upcoming = row.next_attempt_at if row.state == "pending" and row.attempts else None
        error = row.last_error or ""
        shown[c.id] = FetchState(
            c.id, c.source, state, reason_in_words(error), row.attempts, upcoming, error
        )
    return shown


def retry(dossier_code: str, component_id: int, actor: Actor) -> str:
    """An officer's "Thử lại" on a component still without its file: the fetch goes (again)
    to the queue now, with a fresh set of attempts after an incident. Idempotent: a second
    retry while the first is queued or running changes nothing. Returns "fetched", "running"
    or "queued"."""
    with db.transaction() as session:
        component = session.get(DossierComponent, component_id, with_for_update=True)
        dossier = session.get(Dossier, component.dossier_id) if component else None
        if (
            dossier is None
            or dossier.code != dossier_code
            or not visibility.may_view(session, dossier, actor)
        ):
            raise NotFound(_l("Không tìm thấy thành phần hồ sơ"))
        assert component is not None  # nosec B101 # type narrowing: its dossier was found
        if (
            actor.acting_agency(DIGITIZING_ROLES, dossier.agency_id, dossier.receiving_agency_id)
            is None
        ):
            raise Forbidden(_l("Chỉ cán bộ một cửa hoặc chuyên viên của cơ quan được lấy lại tệp"))
        if component.document_id is not None:
            return "fetched"
        if component.source not in FETCHED_SOURCES:
            raise InvalidInput(_l("Thành phần này không lấy tệp từ nguồn bên ngoài"))
        row = (
            session.get(OutboxMessage, component.fetch_outbox_id, with_for_update=True)
            if component.fetch_outbox_id
            else None
        )
        if row is not None and row.state == "running":
            return "running"
        audit.record(
            session,
            "component_fetch_retried",
            actor,
            dossier_id=dossier.id,
            component_id=component.id,
            source=component.source,
        )
        if row is None:
            _queue(session, component, _owner(component, dossier), "")
            return "queued"
        now = utcnow()
        if row.state != "pending":  # an incident: a person decided to try again
            session.execute(
                update(Incident)
                .where(Incident.outbox_id == row.id, Incident.resolved_at.is_(None))
                .values(resolved_at=now, resolved_by_id=actor.id)
                .execution_options(synchronize_session=False)
            )
            row.attempts = 0
        row.state, row.next_attempt_at, row.enqueued_at = "pending", now, None
        row_id = row.id
        after_commit(session, lambda: queue.dispatch([row_id]))
        return "queued"


def _owner(component: DossierComponent, dossier: Dossier) -> str:
    """Whom a component attached before files were fetched belongs to: the other owner the
    officer accepted with a reason, or the dossier's owner."""
    check = (component.mismatch or {}).get("owner") or {}
    found = (check.get("differences") or {}).get("owner_id") or {}
    return str(found.get("found") or dossier.owner_id)

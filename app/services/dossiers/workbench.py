"""What a step's screen shows beside its form (bàn làm việc của cán bộ): the dossier's
components with their state, the latest supplement and its files, and the earlier steps'
answers in words. Read inside the caller's transaction; plain values out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.documents import document_type
from app.domain.roles import may_see_step_data
from app.domain.status import DossierStatus
from app.domain.step_answers import Answer, answers_in_words
from app.models import AuditEvent, Document, Dossier, DossierComponent, HumanTask
from app.services.core.actors import Actor
from app.services.documents import supplement_review
from app.services.documents.reused_files import FetchState, states

# A component's state, as the screen words it (see templates/_components.html).
RECEIVED, DIGITIZED, REUSED = "received", "digitized", "reused"
SUPPLEMENTED, WAITING, REJECTED, RESULT, MISSING = (
    "supplemented",
    "waiting",
    "rejected",
    "result",
    "missing",
)
# Steps whose screen previews the result to be signed: the demo models' `approval`, or any
# step whose form says so at its top level (`"x-result-preview": true`).
PREVIEW_ELEMENT, PREVIEW_MARK = "approval", "x-result-preview"
SUPPLEMENT_SOURCES = ("online", "scan")


@dataclass(frozen=True)
class Component:
    """One component of the dossier (thành phần hồ sơ) as the step's screen lists it."""

    name: str
    type_code: str
    state: str
    source: str = ""
    document_id: int | None = None
    pages: int | None = None
    at: datetime | None = None
    # a reused component whose file is still being fetched from its source (001 §II.1 Bước 3)
    fetch: FetchState | None = None


@dataclass(frozen=True)
class MetadataField:
    """A field of the file's document type its confirmation asks for, filled in from what the
    file carries or what OCR read."""

    name: str
    label: str
    required: bool
    value: str


@dataclass(frozen=True)
class SupplementFile:
    document_id: int
    name: str
    state: str  # waiting | supplemented (confirmed) | rejected
    pages: int
    reason: str = ""
    fields: tuple[MetadataField, ...] = ()
    six: dict[str, Any] = field(default_factory=dict)  # the six fields' inputs (001 §II.2.c)


@dataclass(frozen=True)
class Supplement:
    """The latest supplement round: what was asked, what came back and its files."""

    requested_at: datetime
    request: str | None
    received_at: datetime | None
    channel: str | None  # online | counter
    note: str
    files: list[SupplementFile]

    @property
    def waiting(self) -> int:
        """How many of its files nobody confirmed or rejected yet."""
        return sum(1 for f in self.files if f.state == WAITING)


@dataclass(frozen=True)
class Step:
    """An earlier step in words: who, what, when, and its answers (None: hidden to the
    reader, `hidden_for_roles` says who may see them)."""

    title: str
    actor: str
    at: datetime
    answers: list[Answer] | None
    hidden_for_roles: list[str] | None


def shows_result_preview(element_id: str, form: dict[str, Any] | None) -> bool:
    """Whether a step previews the result document its approval will sign."""
    return element_id == PREVIEW_ELEMENT or bool((form or {}).get(PREVIEW_MARK))


def step_data(event: AuditEvent, actor: Actor, agency_id: int) -> dict[str, Any]:
    """A completed step's submitted data, or who may see it when this officer may not."""
    visible_to = event.data.get("visible_to")
    roles = {role for role, agency in actor.roles if agency == agency_id}
    if may_see_step_data(visible_to, roles, event.actor_id == actor.id):
        return {"form": event.data.get("form", {}), "hidden_for_roles": None}
    return {"form": None, "hidden_for_roles": visible_to}


def answers_of(
    event: AuditEvent, form: dict[str, Any] | None, actor: Actor, agency_id: int
) -> dict[str, Any]:
    """A completed step's data for this reader: its answers in words (labelled by the `form` it
    was answered on), or None and who may see them; the raw data stays under "form"."""
    data = step_data(event, actor, agency_id)
    answers = None if data["form"] is None else answers_in_words(form, data["form"])
    return {**data, "answers": answers}


def history(session: Session, dossier_id: int, actor: Actor, agency_id: int) -> list[Step]:
    """Each earlier step's latest answer (a later round of the same step replaces the earlier
    one), labelled by the titles of the form it was answered on; one query."""
    rows = session.execute(
        select(AuditEvent, HumanTask.form, HumanTask.agency_id)
        .outerjoin(HumanTask, HumanTask.id == AuditEvent.task_id)
        .where(AuditEvent.dossier_id == dossier_id, AuditEvent.kind == "task_completed")
        .order_by(AuditEvent.id)
    ).all()
    latest: dict[tuple[str, int | None], tuple[AuditEvent, dict[str, Any] | None]] = {}
    for event, form, step_agency in rows:
        # parallel instances of one step (a consultation of several agencies) stay apart
        key = (str(event.data.get("element") or event.data.get("title") or event.id), step_agency)
        latest.pop(key, None)  # re-inserted last: the list follows each step's latest answer
        latest[key] = (event, form)
    steps = []
    for event, form in latest.values():
        data = answers_of(event, form, actor, agency_id)
        steps.append(
            Step(
                str(event.data.get("title") or ""),
                event.actor_name,
                event.at,
                data["answers"],
                data["hidden_for_roles"],
            )
        )
    return steps


def _rejections(session: Session, dossier_id: int) -> dict[int, str]:
    """Rejected supplement files → the reason given."""
    return {
        int(e.data["document_id"]): str(e.data.get("reason") or "")
        for e in session.scalars(
            select(AuditEvent).where(
                AuditEvent.dossier_id == dossier_id, AuditEvent.kind == "supplement_rejected"
            )
        )
    }


def _first_request(session: Session, dossier_id: int, latest: bool) -> AuditEvent | None:
    query = select(AuditEvent).where(
        AuditEvent.dossier_id == dossier_id,
        AuditEvent.kind == "status_changed",
    )
    order = AuditEvent.id.desc() if latest else AuditEvent.id
    for event in session.scalars(query.order_by(order)):
        if event.data.get("status") == int(DossierStatus.SUPPLEMENT_REQUESTED):
            return event
    return None


def components(session: Session, dossier: Dossier) -> list[Component]:
    """The procedure's components and every file the dossier holds, each with its state."""
    first = _first_request(session, dossier.id, latest=False)
    since = first.at if first else None
    rejected = _rejections(session, dossier.id)
    documents = session.scalars(
        select(Document).where(Document.dossier_id == dossier.id).order_by(Document.id)
    ).all()
    reused = list(
        session.scalars(
            select(DossierComponent)
            .where(DossierComponent.dossier_id == dossier.id)
            .order_by(DossierComponent.id)
        )
    )
    fetching = states(session, reused)
    pages = _pages(session, [c.document_id for c in reused if c.document_id])
    listed = [
        Component(
            c.name,
            c.type_code,
            REUSED,
            c.source,
            c.document_id,
            pages.get(c.document_id or 0),
            c.created_at,
            fetching.get(c.id),
        )
        for c in reused
    ]
    reused_ids = {c.document_id for c in listed if c.document_id}
    for d in documents:
        if d.id in reused_ids or (d.state == "discarded" and d.id not in rejected):
            continue
        state = _document_state(d, since, d.id in rejected)
        listed.append(
            Component(
                d.name or d.type_code, d.type_code, state, d.source, d.id, d.pages, d.created_at
            )
        )
    held = {c.type_code for c in listed if c.state not in (REJECTED, RESULT)}
    # paper is taken at the counter when its reception completes (status 2 onwards)
    taken = dossier.channel != "online" and (dossier.status or 0) not in (0, 1, 3)
    paper = RECEIVED if taken else MISSING
    expected = [
        Component(str(p.get("name") or p.get("type_code")), str(p.get("type_code")), paper)
        for p in (dossier.procedure.components or [])
        if p.get("type_code") not in held
    ]
    return expected + listed


def _pages(session: Session, document_ids: list[int]) -> dict[int, int]:
    if not document_ids:
        return {}
    rows = session.execute(select(Document.id, Document.pages).where(Document.id.in_(document_ids)))
    return {document_id: count for document_id, count in rows}


def _document_state(document: Document, since: datetime | None, rejected: bool) -> str:
    if rejected:
        return REJECTED
    if document.source == "result":
        return RESULT
    if document.state == "draft":
        return WAITING
    after_request = since is not None and document.created_at >= since
    if after_request and document.source in SUPPLEMENT_SOURCES:
        return SUPPLEMENTED
    return DIGITIZED


def supplement(session: Session, dossier: Dossier, actor: Actor) -> Supplement | None:
    """The latest supplement round of the dossier, or None when none was asked."""
    asked = _first_request(session, dossier.id, latest=True)
    if asked is None:
        return None
    events = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.dossier_id == dossier.id,
            AuditEvent.kind.in_(("task_completed", "supplement_received_online")),
        )
        .order_by(AuditEvent.id)
    ).all()
    request = None
    for e in events:
        if (
            e.id < asked.id
            and e.kind == "task_completed"
            and "supplement_request" in (e.data.get("form") or {})
        ):
            data = step_data(e, actor, dossier.agency_id)["form"]
            request = None if data is None else str(data.get("supplement_request") or "")
    received = next((e for e in events if e.id > asked.id and _is_return(e)), None)
    rejected = _rejections(session, dossier.id)
    files = [
        SupplementFile(
            d.id,
            d.name or d.type_code,
            _file_state(d, d.id in rejected),
            d.pages,
            rejected.get(d.id, ""),
            _metadata_fields(d) if d.state == "draft" else (),
            supplement_review.six_values(d) if d.state == "draft" else {},
        )
        for d in session.scalars(
            select(Document)
            .where(
                Document.dossier_id == dossier.id,
                Document.source.in_(SUPPLEMENT_SOURCES),
                Document.created_at >= asked.at,
            )
            .order_by(Document.id)
        )
        if d.state != "discarded" or d.id in rejected
    ]
    return Supplement(
        asked.at,
        request,
        received.at if received else None,
        None if received is None else _channel(received),
        _note(received),
        files,
    )


def _metadata_fields(document: Document) -> tuple[MetadataField, ...]:
    known = {**(document.fields or {})}
    suggested = {k.removeprefix("field_"): v for k, v in (document.suggested or {}).items() if v}
    return tuple(
        MetadataField(
            f.name, f.label, f.required, str(known.get(f.name) or suggested.get(f.name) or "")
        )
        for f in document_type(document.type_code).fields
    )


def _is_return(event: AuditEvent) -> bool:
    return event.kind == "supplement_received_online" or (
        event.data.get("element") == "receive_supplement"
    )


def _channel(event: AuditEvent) -> str:
    return "online" if event.kind == "supplement_received_online" else "counter"


def _note(event: AuditEvent | None) -> str:
    if event is None:
        return ""
    if event.kind == "supplement_received_online":
        return str(event.data.get("note") or "")
    return str((event.data.get("form") or {}).get("supplement_note") or "")


def _file_state(document: Document, rejected: bool) -> str:
    if rejected:
        return REJECTED
    return WAITING if document.state == "draft" else SUPPLEMENTED

"""Read-only queries for the pages of one dossier or one task: its summary, steps, history,
paper shipments and the path taken through its model; the officer's list of dossiers.

Each checks the actor's permission and returns plain values, never session-bound objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.domain.model_files import process_xml
from app.domain.result_templates import fills_result
from app.domain.status import DossierStatus
from app.i18n import _l
from app.models import (
    Agency,
    AuditEvent,
    Dossier,
    HumanTask,
    ModelVersion,
    PaperShipment,
    ProcessInstance,
)
from app.services.core import runtime, visibility
from app.services.core.actors import Actor
from app.services.core.errors import NotFound
from app.services.documents import e_authentication_panel, result_drafts, results
from app.services.documents.catalog import DIGITIZING_ROLES
from app.services.documents.e_authenticated_copies import route_of
from app.services.dossiers import dossier_fees, task_search, workbench
from app.services.dossiers.queries import COUNT_CAP, PAGE_SIZE, TaskRow, count_up_to, task_rows
from app.services.dossiers.task_search import TaskQuery
from app.storage.db import db


@dataclass(frozen=True)
class TaskDetail:
    """One step's screen: its row and form, the dossier, and the workbench beside the form
    (components, latest supplement, earlier steps in words, result preview)."""

    task: TaskRow
    form: dict[str, Any] | None
    dossier: dict[str, Any]
    previous: list[workbench.Step]
    can_act: bool
    components: list[workbench.Component] = field(default_factory=list)
    supplement: workbench.Supplement | None = None
    previews_result: bool = False
    may_review: bool = False
    # the dossier's fees, on a step that records them (None on any other step)
    fees: list[dossier_fees.FeeLine] | None = None
    # the out-of-scope documents and their e-authentication, on a step that does it
    authentication: e_authentication_panel.Panel | None = None
    # the result to sign, on a step that fills or approves it (001 §II.2.b Bước 5)
    result: result_drafts.DraftPanel | None = None


def task_detail(task_id: str, actor: Actor) -> TaskDetail:
    """Show one step to an officer: its form, data, dossier and the files it needs."""
    with db.transaction() as session:
        task = session.get(HumanTask, task_id)
        if task is None or not actor.sees(task.agency_id):
            raise NotFound(_l("Không tìm thấy công việc"))
        [row] = task_rows(session, HumanTask.id == task_id)
        dossier = session.get(Dossier, task.dossier_id)
        return TaskDetail(
            row,
            task.form,
            _dossier_summary(dossier),
            workbench.history(session, dossier.id, actor, task.agency_id),
            actor.can(task.role, task.agency_id),
            workbench.components(session, dossier),
            workbench.supplement(session, dossier, actor),
            task.state == "open"
            and actor.can(task.role, task.agency_id)
            and _has_preview(session, task, dossier),
            any(actor.can(role, dossier.agency_id) for role in DIGITIZING_ROLES),
            dossier_fees.lines(session, dossier.id)
            if dossier_fees.records_fees(task.form)
            else None,
            _authentication(session, task),
            result_drafts.panel(session, task, actor) if _result_step(task) else None,
        )


def _authentication(session: Any, task: HumanTask) -> e_authentication_panel.Panel | None:
    route = route_of(task.form)
    return e_authentication_panel.panel(session, task.dossier_id, route) if route else None


def _has_preview(session: Session, task: HumanTask, dossier: Dossier) -> bool:
    """An approval previews the result (a procedure with a template: once drafted); the step
    that fills it shows the latest draft."""
    drafted = result_drafts.latest(session, dossier.id) is not None
    if workbench.shows_result_preview(task.element_id, task.form):
        return drafted or not dossier.procedure.result_template
    return drafted and fills_result(task.element_id, task.form)


def _result_step(task: HumanTask) -> bool:
    """A step that fills the result or previews it before signing."""
    return fills_result(task.element_id, task.form) or workbench.shows_result_preview(
        task.element_id, task.form
    )


def result_preview(task_id: str, actor: Actor) -> tuple[bytes, str]:
    """The unsigned result an approval step will sign, for the officer who may act on it:
    (PDF, dossier code). NotFound for any other step or reader."""
    with db.transaction() as session:
        task = session.get(HumanTask, task_id)
        if (
            task is None
            or task.state != "open"
            or not actor.can(task.role, task.agency_id)
            or not _result_step(task)
        ):
            raise NotFound(_l("Không tìm thấy công việc"))
        code = session.scalar(select(Dossier.code).where(Dossier.id == task.dossier_id))
        pdf = results.render_preview(session, task.dossier_id, actor)
        if pdf is None:
            raise NotFound(_l("Chưa có dự thảo kết quả"))
        return pdf, code


def _dossier_summary(dossier: Dossier) -> dict[str, Any]:
    return {
        "code": dossier.code,
        "status": dossier.status,
        "status_label": DossierStatus(dossier.status).label_vi if dossier.status else "",
        "procedure_code": dossier.procedure.code,
        "procedure_name": dossier.procedure.name,
        "agency_name": dossier.agency.name,
        "owner_name": dossier.owner_name,
        "owner_id": dossier.owner_id,
        "owner_id_type": dossier.owner_id_type,
        "phone": dossier.phone,
        "email": dossier.email,
        "summary": dossier.summary,
        "channel": dossier.channel,
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "finished_at": dossier.finished_at,
        "receiving_agency_name": dossier.receiving_agency.name
        if dossier.receiving_agency
        else None,
        "proxy": dossier.data.get("proxy"),
        # no paper result: the procedure's rule or the citizen's choice (001 §II.2.c Bước 4)
        "e_only": bool(dossier.procedure.result_e_only or dossier.data.get("e_only")),
        "portal_account_id": dossier.portal_account_id,
        "citizen_account_id": dossier.citizen_account_id,
        "agency_id": dossier.agency_id,
        "receiving_agency_id": dossier.receiving_agency_id,
    }


@dataclass(frozen=True)
class DossierDetail:
    dossier: dict[str, Any]
    tasks: list[TaskRow]
    events: list[dict[str, Any]]
    shipments: list[dict[str, Any]] = field(default_factory=list)
    fees: list[dossier_fees.FeeLine] = field(default_factory=list)


def dossier_detail(code: str, actor: Actor) -> DossierDetail:
    """Show one dossier to an officer who may see it: steps, history, documents."""
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        if dossier is None or not visibility.may_view(session, dossier, actor):
            raise NotFound(_l("Không tìm thấy hồ sơ %(code)s", code=code))
        tasks = task_rows(session, HumanTask.dossier_id == dossier.id)
        tasks.sort(key=lambda t: t.created_at)
        events = [
            _event(e, form, actor, dossier.agency_id)
            for e, form in session.execute(
                select(AuditEvent, HumanTask.form)
                .outerjoin(HumanTask, HumanTask.id == AuditEvent.task_id)
                .where(AuditEvent.dossier_id == dossier.id)
                .order_by(AuditEvent.id)
            )
        ]
        return DossierDetail(
            _dossier_summary(dossier),
            tasks,
            events,
            _shipments(session, dossier.id),
            dossier_fees.lines(session, dossier.id),
        )


def _event(
    e: AuditEvent, form: dict[str, Any] | None, actor: Actor, agency_id: int
) -> dict[str, Any]:
    """One history line; a completed step also carries its answers in words (labelled by its
    form's titles) or who may see them."""
    event = {
        "id": e.id,
        "at": e.at,
        "actor": e.actor_name,
        "kind": e.kind,
        "data": {k: v for k, v in e.data.items() if k != "form"},
        "task_id": e.task_id,
    }
    if e.kind == "task_completed":
        event.update(workbench.answers_of(e, form, actor, agency_id))
    return event


def _shipments(session: Session, dossier_id: int) -> list[dict[str, Any]]:
    """The dossier's paper sent by BCCI (C1), in order."""
    shipments = session.scalars(
        select(PaperShipment)
        .where(PaperShipment.dossier_id == dossier_id)
        .order_by(PaperShipment.id)
    ).all()
    ends = {s.from_agency_id for s in shipments} | {s.to_agency_id for s in shipments}
    names = dict(
        session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(ends))).all()
        if ends
        else []
    )
    return [
        {
            "direction": s.direction,
            "tracking_code": s.tracking_code,
            "from": names.get(s.from_agency_id, ""),
            "to": names.get(s.to_agency_id, ""),
            "items": s.item_count,
            "sent_at": s.sent_at,
            "received_at": s.received_at,
        }
        for s in shipments
    ]


def list_dossiers(actor: Actor, search: str = "", page: int = 1) -> tuple[list[dict], int]:
    """Dossiers that the actor's agencies handle or received for another, newest first; (page
    rows, total counted up to `COUNT_CAP` + 1). `search` finds them as the task lists' search
    does (the start of a code or an owner identifier, part of an owner's name, wildcards taken
    literally); longer than `task_search.SEARCH_MAX`: InvalidInput."""
    text = task_search.check(TaskQuery(q=search)).q
    agencies = {agency for _, agency in actor.roles}
    if not agencies:
        return [], 0
    conditions = [or_(Dossier.agency_id.in_(agencies), Dossier.receiving_agency_id.in_(agencies))]
    with db.transaction() as session:
        if text:
            conditions.append(task_search.matches(session, text))
        # counted up to the cap, as the task lists are (an agency's years of dossiers)
        total = count_up_to(session, Dossier.id, conditions, COUNT_CAP)
        rows = session.scalars(
            select(Dossier)
            .where(*conditions)
            .order_by(Dossier.id.desc())
            .limit(PAGE_SIZE)
            .offset((max(page, 1) - 1) * PAGE_SIZE)
        ).all()
        return [_dossier_summary(d) for d in rows], total


@dataclass(frozen=True)
class Trace:
    xml: str
    done: list[str]
    waiting: list[str]


def dossier_trace(code: str, actor: Actor) -> Trace | None:
    """The dossier's model (its pinned version) with the path taken and where it waits."""
    with db.transaction() as session:
        row = session.execute(
            select(
                ProcessInstance.id,
                ProcessInstance.dossier_id,
                ModelVersion.files,
                ModelVersion.process_id,
            )
            .join(Dossier, Dossier.id == ProcessInstance.dossier_id)
            .join(ModelVersion, ModelVersion.id == ProcessInstance.model_version_id)
            .where(Dossier.code == code)
        ).one_or_none()
        if row is None or not visibility.may_view(
            session, session.get(Dossier, row.dossier_id), actor
        ):
            return None
        xml = process_xml(row.files, row.process_id)
        if xml is None:
            return None
        done, waiting = runtime.load_instance(session, row.id).run.trace()
        return Trace(xml, done, waiting)

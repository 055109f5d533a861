"""Read-only queries for the screens: inboxes, task and dossier pages, incidents.

Each checks the actor's permission and returns plain values, never session-bound objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.domain.roles import may_see_step_data
from app.domain.status import DossierStatus
from app.i18n import _l
from app.models import (
    Agency,
    AuditEvent,
    Dossier,
    HumanTask,
    Incident,
    ModelVersion,
    PaperShipment,
    Procedure,
    ProcessInstance,
    User,
)
from app.models.catalog import procedure_agency
from app.services import visibility
from app.services.actors import Actor
from app.services.agencies import province_of
from app.services.errors import Forbidden, NotFound
from app.storage.db import db

PAGE_SIZE = 20


@dataclass(frozen=True)
class TaskRow:
    id: str
    title: str
    role: str
    element_id: str
    dossier_code: str
    owner_name: str
    procedure_name: str
    assignee_id: int | None
    assignee_name: str | None
    state: str
    created_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    deadline_state: str
    outcome: str | None
    priority: int = 0


DEFAULT_ORDER = (
    HumanTask.priority.desc(),
    HumanTask.due_at.asc().nulls_last(),
    HumanTask.created_at,
)


_ROW_COLUMNS = (
    HumanTask.id,
    HumanTask.title,
    HumanTask.role,
    HumanTask.element_id,
    Dossier.code,
    Dossier.owner_name,
    Procedure.name,
    HumanTask.assignee_id,
    User.full_name,
    HumanTask.state,
    HumanTask.created_at,
    HumanTask.due_at,
    HumanTask.completed_at,
    HumanTask.deadline_state,
    HumanTask.outcome,
    HumanTask.priority,
)


def task_rows(
    session: Any,
    *conditions: Any,
    order_by: tuple = DEFAULT_ORDER,
    limit: int | None = None,
    offset: int = 0,
) -> list[TaskRow]:
    """Task rows with their dossier, procedure and assignee, for lists and inboxes.

    A page (`limit`) is chosen on the task table alone, then only its rows are joined: the
    conditions and orderings are all on tasks, and joining thousands of candidates before the
    limit was most of the cost of an inbox or a supervisor's list."""
    if limit is not None:
        ids = list(
            session.scalars(
                select(HumanTask.id)
                .where(*conditions)
                .order_by(*order_by, HumanTask.id)
                .limit(limit)
                .offset(offset)
            )
        )
        if not ids:
            return []
        joined = {
            row.id: row
            for row in session.execute(
                select(*_ROW_COLUMNS)
                .select_from(HumanTask)
                .join(Dossier, Dossier.id == HumanTask.dossier_id)
                .join(Procedure, Procedure.id == Dossier.procedure_id)
                .outerjoin(User, User.id == HumanTask.assignee_id)
                .where(HumanTask.id.in_(ids))
            )
        }
        return [TaskRow(*joined[i]) for i in ids]
    rows = session.execute(
        select(*_ROW_COLUMNS)
        .select_from(HumanTask)
        .join(Dossier, Dossier.id == HumanTask.dossier_id)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .outerjoin(User, User.id == HumanTask.assignee_id)
        .where(*conditions)
        .order_by(*order_by, HumanTask.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [TaskRow(*row) for row in rows]


INBOX_SIZE = 50


@dataclass(frozen=True)
class Inbox:
    mine: list[TaskRow]
    pool: list[TaskRow]
    mine_total: int
    pool_total: int


def inbox(actor: Actor, pool_page: int = 1) -> Inbox:
    """My open tasks and the unclaimed ones of my roles in my agencies, nearest due first,
    a page of each with the totals."""
    with db.transaction() as session:
        mine_where = (HumanTask.state == "open", HumanTask.assignee_id == actor.id)
        # one condition per agency (agency and roles), so that the pool index serves it
        roles_by_agency: dict[int, set[str]] = {}
        for role, agency in actor.roles:
            roles_by_agency.setdefault(agency, set()).add(role)
        pools = [
            (HumanTask.agency_id == agency) & HumanTask.role.in_(sorted(roles))
            for agency, roles in sorted(roles_by_agency.items())
        ]
        pool_where = (HumanTask.state == "open", HumanTask.assignee_id.is_(None), or_(*pools))
        mine = task_rows(session, *mine_where, limit=INBOX_SIZE)
        mine_total = _count(session, mine_where) if len(mine) == INBOX_SIZE else len(mine)
        if not pools:
            return Inbox(mine, [], mine_total, 0)
        pool = task_rows(
            session, *pool_where, limit=INBOX_SIZE, offset=(max(pool_page, 1) - 1) * INBOX_SIZE
        )
        return Inbox(mine, pool, mine_total, _count(session, pool_where))


# Totals of long lists are counted up to this; beyond it the screens say "more than" (counting a
# province's whole backlog on every page view would cost more than the page itself).
COUNT_CAP = 1000


def count_tasks(session: Any, conditions: tuple | list, cap: int = COUNT_CAP) -> int:
    """How many tasks match, counted up to `cap` + 1 (more than `cap` means "over `cap`")."""
    inner = select(HumanTask.id).where(*conditions).limit(cap + 1).subquery()
    return session.scalar(select(func.count()).select_from(inner)) or 0


def _count(session: Any, conditions: tuple) -> int:
    return count_tasks(session, conditions)


def _can_see_agency(actor: Actor, agency_id: int) -> bool:
    return actor.sees(agency_id)


@dataclass(frozen=True)
class TaskDetail:
    task: TaskRow
    form: dict[str, Any] | None
    dossier: dict[str, Any]
    previous: list[dict[str, Any]]
    can_act: bool


def task_detail(task_id: str, actor: Actor) -> TaskDetail:
    """Show one step to an officer: its form, data and dossier."""
    with db.transaction() as session:
        task = session.get(HumanTask, task_id)
        if task is None or not _can_see_agency(actor, task.agency_id):
            raise NotFound(_l("Không tìm thấy công việc"))
        [row] = task_rows(session, HumanTask.id == task_id)
        dossier = _dossier_summary(session.get(Dossier, task.dossier_id))
        previous = [
            {
                "title": e.data.get("title"),
                "actor": e.actor_name,
                "at": e.at,
                **_step_data(e, actor, task.agency_id),
            }
            for e in session.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.dossier_id == task.dossier_id, AuditEvent.kind == "task_completed"
                )
                .order_by(AuditEvent.id)
            )
        ]
        return TaskDetail(row, task.form, dossier, previous, actor.can(task.role, task.agency_id))


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
        "portal_account_id": dossier.portal_account_id,
        "citizen_account_id": dossier.citizen_account_id,
    }


@dataclass(frozen=True)
class DossierDetail:
    dossier: dict[str, Any]
    tasks: list[TaskRow]
    events: list[dict[str, Any]]
    shipments: list[dict[str, Any]] = field(default_factory=list)


def dossier_detail(code: str, actor: Actor) -> DossierDetail:
    """Show one dossier to an officer who may see it: steps, history, documents."""
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        if dossier is None or not visibility.may_view(session, dossier, actor):
            raise NotFound(_l("Không tìm thấy hồ sơ %(code)s", code=code))
        tasks = task_rows(session, HumanTask.dossier_id == dossier.id)
        tasks.sort(key=lambda t: t.created_at)
        events = [
            {
                "id": e.id,
                "at": e.at,
                "actor": e.actor_name,
                "kind": e.kind,
                "data": {k: v for k, v in e.data.items() if k != "form"},
                "task_id": e.task_id,
                **(_step_data(e, actor, dossier.agency_id) if e.kind == "task_completed" else {}),
            }
            for e in session.scalars(
                select(AuditEvent)
                .where(AuditEvent.dossier_id == dossier.id)
                .order_by(AuditEvent.id)
            )
        ]
        return DossierDetail(
            _dossier_summary(dossier), tasks, events, _shipments(session, dossier.id)
        )


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


def _step_data(event: AuditEvent, actor: Actor, agency_id: int) -> dict[str, Any]:
    """A completed step's submitted data, or who may see it when this officer may not."""
    visible_to = event.data.get("visible_to")
    roles = {role for role, agency in actor.roles if agency == agency_id}
    if may_see_step_data(visible_to, roles, event.actor_id == actor.id):
        return {"form": event.data.get("form", {}), "hidden_for_roles": None}
    return {"form": None, "hidden_for_roles": visible_to}


def list_dossiers(actor: Actor, search: str = "", page: int = 1) -> tuple[list[dict], int]:
    """Dossiers of the actor's agencies, newest first; (page rows, total count)."""
    agencies = {agency for _, agency in actor.roles}
    if not agencies:
        return [], 0
    conditions = [or_(Dossier.agency_id.in_(agencies), Dossier.receiving_agency_id.in_(agencies))]
    if search.strip():
        like = f"%{search.strip()}%"
        conditions.append(
            or_(
                Dossier.code.ilike(like),
                Dossier.owner_name.ilike(like),
                Dossier.owner_id.ilike(like),
            )
        )
    with db.transaction() as session:
        total = session.scalar(select(func.count(Dossier.id)).where(*conditions)) or 0
        rows = session.scalars(
            select(Dossier)
            .where(*conditions)
            .order_by(Dossier.id.desc())
            .limit(PAGE_SIZE)
            .offset((max(page, 1) - 1) * PAGE_SIZE)
        ).all()
        return [_dossier_summary(d) for d in rows], total


def open_incidents(actor: Actor) -> list[dict[str, Any]]:
    """List the open incidents a supervisor can retry."""
    agencies = actor.agencies_for("supervisor")
    if not agencies:
        raise Forbidden(_l("Chỉ giám sát viên được xem sự cố"))
    with db.transaction() as session:
        rows = session.execute(
            select(Incident, Dossier.code)
            .outerjoin(Dossier, Dossier.id == Incident.dossier_id)
            .where(
                Incident.resolved_at.is_(None),
                or_(Dossier.agency_id.in_(agencies), Incident.dossier_id.is_(None)),
            )
            .order_by(Incident.id)
        ).all()
        return [
            {
                "id": i.id,
                "dossier_code": code,
                "operator": i.operator,
                "message": i.message,
                "created_at": i.created_at,
            }
            for i, code in rows
        ]


def agency_choices() -> list[tuple[str, str]]:
    """Active agencies as (code, name), for choosing where a dossier goes."""
    with db.transaction() as session:
        return [
            (code, name)
            for code, name in session.execute(
                select(Agency.code, Agency.name).where(Agency.active).order_by(Agency.name)
            )
        ]


def all_procedures() -> list[dict[str, Any]]:
    """List every procedure in force."""
    with db.transaction() as session:
        return [
            {"code": p.code, "name": p.name}
            for p in session.scalars(select(Procedure).order_by(Procedure.code))
        ]


def procedures_for(actor: Actor) -> list[dict[str, Any]]:
    """List the procedures an officer may receive dossiers for."""
    agencies = actor.agencies_for("reception")
    with db.transaction() as session:
        # the procedures of the officer's agencies, and those listing one of them among their
        # executing agencies (received, processed and returned there: path C2)
        executing = select(procedure_agency.c.procedure_id).where(
            procedure_agency.c.agency_id.in_(agencies)
        )
        rows = session.scalars(
            select(Procedure)
            .where(
                or_(Procedure.agency_id.in_(agencies), Procedure.id.in_(executing)),
                Procedure.active,
                Procedure.model_version_id.is_not(None),
            )
            .order_by(Procedure.code)
        ).all()
        listed = [{"code": p.code, "name": p.name, "for": None} for p in rows]
        # procedures received regardless of administrative boundaries (path C1): any counter
        # of the same province receives them for the competent agency
        provinces = {province_of(session, a) for a in agencies}
        known = {p.code for p in rows}
        for p in session.scalars(
            select(Procedure)
            .where(
                Procedure.receive_anywhere.is_(True),
                Procedure.active,
                Procedure.model_version_id.is_not(None),
            )
            .order_by(Procedure.code)
        ):
            if p.code not in known and province_of(session, p.agency_id) in provinces:
                listed.append({"code": p.code, "name": p.name, "for": p.agency.name})
        return sorted(listed, key=lambda p: p["code"])


@dataclass(frozen=True)
class Trace:
    xml: str
    done: list[str]
    waiting: list[str]


def dossier_trace(code: str, actor: Actor) -> Trace | None:
    """The dossier's model (its pinned version) with the path taken and where it waits."""
    from app.services import runtime  # here, not at the top: runtime's imports lead back here

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
        xml = next(
            (
                text
                for name, text in sorted(row.files.items())
                if name.endswith(".bpmn") and f'id="{row.process_id}"' in text
            ),
            None,
        )
        if xml is None:
            return None
        done, waiting = runtime.load_instance(session, row.id).run.trace()
        return Trace(xml, done, waiting)

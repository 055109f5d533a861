"""The supervisor's desk (giám sát): open steps against their deadlines, and reassignment.

A supervisor sees the agencies where they hold the role and those agencies' children.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.domain.messages import N_
from app.i18n import _l
from app.models import Agency, Dossier, HumanTask, Procedure, User, UserRole
from app.models.base import utcnow
from app.services.core import audit, notifications
from app.services.core.actors import Actor
from app.services.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.services.deadlines import diagram_steps
from app.services.deadlines.diagram_steps import Elsewhere
from app.services.dossiers.queries import PAGE_SIZE, TaskRow, count_tasks, task_rows
from app.storage.db import db

SORTS = {
    "due": (HumanTask.due_at.asc().nulls_last(),),
    "-due": (HumanTask.due_at.desc().nulls_last(),),
    "created": (HumanTask.created_at,),
    "-created": (HumanTask.created_at.desc(),),
}
STATES = ("on_time", "due_soon", "overdue")


def scope(session: Session, actor: Actor) -> set[int]:
    """The supervised agencies: where the actor is supervisor, and all their descendants."""
    agencies = set(actor.agencies_for("supervisor"))
    if not agencies:
        raise Forbidden(_l("Chỉ giám sát viên được xem"))
    frontier = set(agencies)
    while frontier:
        frontier = set(session.scalars(select(Agency.id).where(Agency.parent_id.in_(frontier))))
        frontier -= agencies
        agencies |= frontier
    return agencies


@dataclass(frozen=True)
class Count:
    key: Any
    label: str
    open: int
    due_soon: int
    overdue: int


def _counts(
    session: Session,
    agencies: set[int],
    key: Any,
    label: Any,
    join: Any = None,
    missing: str = "—",
) -> list:
    query = (
        select(
            key,
            label,
            func.count(HumanTask.id),
            func.sum(case((HumanTask.deadline_state == "due_soon", 1), else_=0)),
            func.sum(case((HumanTask.deadline_state == "overdue", 1), else_=0)),
        )
        .select_from(HumanTask)
        .join(Dossier, Dossier.id == HumanTask.dossier_id)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .join(Agency, Agency.id == HumanTask.agency_id)
        .where(HumanTask.state == "open", HumanTask.agency_id.in_(agencies))
        .group_by(key, label)
        .order_by(func.count(HumanTask.id).desc())
    )
    if join is not None:
        query = query.outerjoin(*join)
    return [
        Count(k, lbl or missing, n, int(soon or 0), int(late or 0))
        for k, lbl, n, soon, late in session.execute(query)
    ]


@dataclass(frozen=True)
class Overview:
    totals: Count
    by_agency: list[Count]
    by_procedure: list[Count]
    by_step: list[Count]
    by_officer: list[Count]


def overview(actor: Actor) -> Overview:
    """Show a supervisor the counts of steps on time, due soon and overdue, by agency."""
    with db.transaction() as session:
        agencies = scope(session, actor)
        by_agency = _counts(session, agencies, Agency.id, Agency.name)
        return Overview(
            totals=Count(
                None,
                "",
                sum(c.open for c in by_agency),
                sum(c.due_soon for c in by_agency),
                sum(c.overdue for c in by_agency),
            ),
            by_agency=by_agency,
            by_procedure=_counts(session, agencies, Procedure.code, Procedure.name),
            by_step=_counts(session, agencies, HumanTask.element_id, HumanTask.title),
            by_officer=_counts(
                session,
                agencies,
                HumanTask.assignee_id,
                User.full_name,
                join=(User, User.id == HumanTask.assignee_id),
                missing=N_("Chưa nhận"),
            ),
        )


@dataclass(frozen=True)
class TaskFilter:
    state: str = ""
    procedure: str = ""
    element: str = ""
    assignee: str = ""  # a user id, "none" for unclaimed, "" for all
    sort: str = "due"
    page: int = 1


def task_list(actor: Actor, f: TaskFilter) -> tuple[list[TaskRow], int]:
    """List the steps a supervisor oversees, filtered and sorted."""
    if f.state and f.state not in STATES:
        raise InvalidInput(_l("Trạng thái thời hạn không hợp lệ: %(state)s", state=f.state))
    if f.sort not in SORTS:
        raise InvalidInput(_l("Cách sắp xếp không hợp lệ: %(sort)s", sort=f.sort))
    with db.transaction() as session:
        conditions = [HumanTask.state == "open", HumanTask.agency_id.in_(scope(session, actor))]
        if f.state:
            conditions.append(HumanTask.deadline_state == f.state)
        if f.procedure:
            procedure_id = session.scalar(select(Procedure.id).where(Procedure.code == f.procedure))
            conditions.append(HumanTask.procedure_id == procedure_id)
        if f.element:
            conditions.append(HumanTask.element_id == f.element)
        if f.assignee == "none":
            conditions.append(HumanTask.assignee_id.is_(None))
        elif f.assignee:
            # an officer's id: ASCII digits that fit the database's 64-bit integers
            if not (f.assignee.isascii() and f.assignee.isdigit() and len(f.assignee) <= 18):
                raise InvalidInput(_l("Cán bộ không hợp lệ"))
            conditions.append(HumanTask.assignee_id == int(f.assignee))
        total = count_tasks(session, conditions)
        rows = task_rows(
            session,
            *conditions,
            order_by=SORTS[f.sort],
            limit=PAGE_SIZE,
            offset=(max(f.page, 1) - 1) * PAGE_SIZE,
        )
        return rows, total


def officers_for(task_id: str, actor: Actor) -> list[dict[str, Any]]:
    """Who may take the task: active officers holding its role in its agency."""
    with db.transaction() as session:
        task = _supervised_task(session, task_id, actor)
        return [{"id": u.id, "name": u.full_name} for u in _candidates(session, task)]


def reassign_task(task_id: str, user_id: int, actor: Actor) -> None:
    """A supervisor hands an open step to another officer with the right role."""
    with db.transaction() as session:
        task = _supervised_task(session, task_id, actor)
        if task.state != "open":
            raise Conflict(_l("Công việc đã kết thúc"))
        target = next((u for u in _candidates(session, task) if u.id == user_id), None)
        if target is None:
            raise InvalidInput(
                _l("Cán bộ này không có vai trò xử lý bước này tại cơ quan"),
                fields={"user_id": _l("Chọn cán bộ có vai trò phù hợp")},
            )
        previous = task.assignee_id
        task.assignee_id, task.claimed_at = target.id, utcnow()
        audit.record(
            session,
            "task_reassigned",
            actor,
            dossier_id=task.dossier_id,
            instance_id=task.instance_id,
            task_id=task.id,
            title=task.title,
            previous_assignee=previous,
            assignee=target.id,
            assignee_name=target.full_name,
        )


def _supervised_task(session: Session, task_id: str, actor: Actor) -> HumanTask:
    task = session.get(HumanTask, task_id)
    if task is None or task.agency_id not in scope(session, actor):
        raise NotFound(_l("Không tìm thấy công việc"))
    return task


def nudge(task_id: str, actor: Actor) -> int:
    """A supervisor's reminder to whoever holds the step (or its whole pool if unclaimed)."""
    with db.transaction() as session:
        task: HumanTask = _supervised_task(session, task_id, actor)
        if task.state != "open":
            raise NotFound(_l("Công việc đã kết thúc"))
        dossier = session.get(Dossier, task.dossier_id)
        users = (
            [task.assignee_id]
            if task.assignee_id
            else notifications.holders(session, task.role, task.agency_id)
        )
        notifications.notify(
            session,
            users,
            "nudge",
            f"{actor.name} nhắc xử lý «{task.title}» của hồ sơ {dossier.code}",
            dossier_id=task.dossier_id,
            task_id=task.id,
        )
        audit.record(
            session,
            "task_nudged",
            actor,
            dossier_id=task.dossier_id,
            instance_id=task.instance_id,
            task_id=task.id,
            title=task.title,
        )
        return len(users)


def _candidates(session: Session, task: HumanTask) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == task.role, UserRole.agency_id == task.agency_id, User.active)
            .order_by(User.full_name)
        )
    )


@dataclass(frozen=True)
class Diagram:
    procedure_code: str
    procedure_name: str
    xml: str
    # drawn element id → open, due_soon, overdue and the task list's step ids it stands for
    counts: dict[str, dict[str, Any]]
    elsewhere: list[Elsewhere]


def procedure_diagram(code: str, actor: Actor) -> Diagram:
    """The deployed model of a procedure with, per step, its open and late tasks."""
    with db.transaction() as session:
        agencies = scope(session, actor)
        procedure = session.scalar(select(Procedure).where(Procedure.code == code))
        if procedure is None or procedure.model_version is None:
            raise NotFound(_l("Không tìm thấy quy trình của thủ tục %(code)s", code=code))
        version = procedure.model_version
        xml = next(
            (
                text
                for name, text in sorted(version.files.items())
                if name.endswith(".bpmn") and f'id="{version.process_id}"' in text
            ),
            None,
        )
        if xml is None:
            raise NotFound(_l("Không tìm thấy sơ đồ BPMN của quy trình"))
        rows = session.execute(
            select(
                HumanTask.element_id,
                func.count(HumanTask.id),
                func.sum(case((HumanTask.deadline_state == "due_soon", 1), else_=0)),
                func.sum(case((HumanTask.deadline_state == "overdue", 1), else_=0)),
            )
            .where(
                HumanTask.procedure_id == procedure.id,
                HumanTask.state == "open",
                HumanTask.agency_id.in_(agencies),
            )
            .group_by(HumanTask.element_id)
        ).all()
        counts = {
            element: {"open": n, "due_soon": int(soon or 0), "overdue": int(late or 0)}
            for element, n, soon, late in rows
        }
        placement = diagram_steps.place(version.files, version.process_id, counts)
        return Diagram(procedure.code, procedure.name, xml, placement.counts, placement.elsewhere)

"""The supervisor's desk (giám sát): open steps against their deadlines, and reassignment.

A supervisor sees the agencies where they hold the role and those agencies' children.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.domain.messages import N_
from app.domain.model_files import process_xml
from app.i18n import _l
from app.models import Agency, HumanTask, Procedure, User, UserRole
from app.models import TaskCountUnit as Unit
from app.services.core.actors import Actor
from app.services.core.errors import Forbidden, NotFound
from app.services.deadlines import diagram_steps
from app.services.deadlines.diagram_steps import Elsewhere
from app.services.dossiers import task_counts, task_pages, task_search
from app.services.dossiers.queries import PAGE_SIZE, TaskRow, load_rows
from app.services.dossiers.task_search import Choice, Scope, TaskQuery
from app.storage.db import db

STATES = task_search.DEADLINE_STATES


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


@dataclass(frozen=True)
class Overview:
    totals: Count
    by_agency: list[Count]
    by_procedure: list[Count]
    by_step: list[Count]
    by_officer: list[Count]


def overview(actor: Actor) -> Overview:
    """Show a supervisor the counts of steps on time, due soon and overdue, by agency,
    procedure, step and officer. All but the officers' come from the kept counts
    (app/models/task_counts.py), not from every open task of a province; each list is
    largest first."""
    with db.transaction() as session:
        agencies = scope(session, actor)

        def in_scope(t: Any) -> list[Any]:
            return [t.agency_id.in_(agencies)]

        per_agency = _tallied(session, task_counts.with_states(("agency_id",), in_scope, Unit))
        names = dict(
            session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(agencies))).all()
        )
        by_agency = _largest([Count(a, names.get(a, "—"), *n) for (a,), n in per_agency.items()])
        per_procedure = _tallied(
            session, task_counts.with_states(("procedure_id",), in_scope, Unit)
        )
        procedures = {
            id_: (code, name)
            for id_, code, name in session.execute(
                select(Procedure.id, Procedure.code, Procedure.name).where(
                    Procedure.id.in_([p for (p,) in per_procedure])
                )
            )
        }
        by_procedure = _largest(
            [Count(*procedures[p], *n) for (p,), n in per_procedure.items() if p in procedures]
        )
        return Overview(
            totals=Count(None, "", *(sum(c[i] for c in per_agency.values()) for i in range(3))),
            by_agency=by_agency,
            by_procedure=by_procedure,
            by_step=_by_step(session, in_scope),
            by_officer=_by_officer(session, agencies, in_scope),
        )


def _tallied(session: Session, statement: Any) -> dict[tuple, tuple[int, int, int]]:
    """{key: (open, due soon, overdue)} from a `task_counts.with_states` statement, the keys
    with open steps only."""
    return {
        tuple(row[:-3]): (int(row[-3]), int(row[-2] or 0), int(row[-1] or 0))
        for row in session.execute(statement)
        if row[-3]
    }


def _largest(counts: list[Count]) -> list[Count]:
    return sorted(counts, key=lambda c: (-c.open, c.label))


def _by_step(session: Session, in_scope: Any) -> list[Count]:
    """Per step (element): the kept counts per procedure and step, each step's title read from
    one of its open tasks (an index seek per step of each procedure)."""
    steps = task_counts.with_states(("procedure_id", "element_id"), in_scope).subquery()
    title = (
        select(HumanTask.title)
        .where(
            task_search.IS_OPEN,
            HumanTask.procedure_id == steps.c.procedure_id,
            HumanTask.element_id == steps.c.element_id,
        )
        .limit(1)
        .scalar_subquery()
    )
    merged: dict[str, list[Any]] = {}
    for element, label, open_, soon, late in session.execute(
        select(steps.c.element_id, title, steps.c.open, steps.c.due_soon, steps.c.overdue)
    ):
        if not open_:
            continue
        step = merged.setdefault(element, [label or element, 0, 0, 0])
        if step[0] == element and label:
            step[0] = label
        step[1] += int(open_)
        step[2] += int(soon or 0)
        step[3] += int(late or 0)
    return _largest([Count(e, *values) for e, values in merged.items()])


def _by_officer(session: Session, agencies: set[int], in_scope: Any) -> list[Count]:
    """Per officer holding steps (read from the tasks: the kept counts know only "claimed"),
    and the unclaimed ones from the kept counts."""

    def of(state: str) -> Any:
        return func.sum(case((HumanTask.deadline_state == state, 1), else_=0))

    held = {
        officer: (int(n), int(soon or 0), int(late or 0))
        for officer, n, soon, late in session.execute(
            select(HumanTask.assignee_id, func.count(), of("due_soon"), of("overdue"))
            .where(
                task_search.IS_OPEN,
                HumanTask.assignee_id.is_not(None),
                HumanTask.agency_id.in_(agencies),
            )
            .group_by(HumanTask.assignee_id)
        )
    }
    names = dict(session.execute(select(User.id, User.full_name).where(User.id.in_(held))).all())
    counts = [Count(u, names.get(u, "—"), *n) for u, n in held.items()]
    unclaimed = _tallied(
        session,
        task_counts.with_states(("claimed",), lambda t: [*in_scope(t), t.claimed == 0], Unit),
    )
    if (0,) in unclaimed:
        counts.append(Count(None, N_("Chưa nhận"), *unclaimed[(0,)]))
    return _largest(counts)


# The supervisor's list reads the same query as the inbox (search, filters, sort).
TaskFilter = TaskQuery


@dataclass(frozen=True)
class TaskList:
    rows: list[TaskRow]
    total: int
    states: list[Choice] = field(default_factory=list)
    procedures: list[Choice] = field(default_factory=list)
    steps: list[Choice] = field(default_factory=list)
    agencies: list[Choice] = field(default_factory=list)
    officers: list[dict[str, Any]] = field(default_factory=list)


def task_list(actor: Actor, f: TaskQuery) -> tuple[list[TaskRow], int]:
    """List the steps a supervisor oversees, filtered and sorted (a page and the total)."""
    listed = task_list_page(actor, f, choices=False)
    return listed.rows, listed.total


def task_list_page(actor: Actor, f: TaskQuery, choices: bool = True) -> TaskList:
    """A page of the steps a supervisor oversees with its total and, with `choices`, each
    filter's choices counted within the supervisor's scope and the officers to hand steps to."""
    f = task_search.check(f)
    with db.transaction() as session:
        agencies = scope(session, actor)
        in_scope = [task_search.IS_OPEN, HumanTask.agency_id.in_(agencies)]
        chosen = task_search.filters(session, f)
        counted = task_counts.counts(
            session,
            [Scope(in_scope, lambda t: [t.agency_id.in_(agencies)], by_unit=True)],
            f,
            chosen,
            task_search.all_procedures(session) if choices else None,
        )
        total = counted.totals[0]
        offset = (max(f.page, 1) - 1) * PAGE_SIZE
        ids = task_pages.page_ids(
            session, [*in_scope, *chosen.where()], f, PAGE_SIZE, offset, total
        )
        rows = load_rows(session, ids)
        if not choices:
            return TaskList(rows, total)
        return TaskList(
            rows,
            total,
            states=counted.states,
            procedures=counted.procedures,
            steps=task_search.step_choices(session, f),
            agencies=task_search.agency_choices(session, agencies),
            officers=_officers_in(session, agencies),
        )


def _officers_in(session: Session, agencies: set[int]) -> list[dict[str, Any]]:
    """Active officers holding a role in one of `agencies`, for handing steps over."""
    users = session.execute(
        select(User.id, User.full_name, Agency.name)
        .join(UserRole, UserRole.user_id == User.id)
        .join(Agency, Agency.id == UserRole.agency_id)
        .where(UserRole.agency_id.in_(agencies), User.active, UserRole.role != "supervisor")
        .distinct()
        .order_by(User.full_name, Agency.name)
    ).all()
    seen: dict[int, dict[str, Any]] = {}
    for user_id, name, agency in users:
        seen.setdefault(user_id, {"id": user_id, "name": name, "agencies": []})["agencies"].append(
            agency
        )
    return list(seen.values())


def supervised_task(session: Session, task_id: str, actor: Actor) -> HumanTask:
    """The task if it is in the supervisor's scope; NotFound otherwise (as if absent)."""
    task = session.get(HumanTask, task_id)
    if task is None or task.agency_id not in scope(session, actor):
        raise NotFound(_l("Không tìm thấy công việc"))
    return task


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
        xml = process_xml(version.files, version.process_id)
        if xml is None:
            raise NotFound(_l("Không tìm thấy sơ đồ BPMN của quy trình"))
        counts = task_counts.per_element(session, procedure.id, agencies)
        placement = diagram_steps.place(version.files, version.process_id, counts)
        return Diagram(procedure.code, procedure.name, xml, placement.counts, placement.elsewhere)

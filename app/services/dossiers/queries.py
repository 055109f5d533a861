"""Read-only queries for the screens: task lists and inboxes, incidents, the procedures and
agencies to choose from (the pages of one dossier or task are `queries_dossiers`).

Each checks the actor's permission and returns plain values, never session-bound objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select

from app.i18n import _l
from app.models import (
    Agency,
    Dossier,
    HumanTask,
    Incident,
    Procedure,
    User,
)
from app.models.catalog import procedure_agency
from app.services.core.actors import Actor
from app.services.core.agencies import province_of
from app.services.core.errors import Forbidden
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
    agency_name: str = ""


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
    Agency.name,
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
        return load_rows(session, ids)
    rows = session.execute(
        select(*_ROW_COLUMNS)
        .select_from(HumanTask)
        .join(Dossier, Dossier.id == HumanTask.dossier_id)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .outerjoin(User, User.id == HumanTask.assignee_id)
        .join(Agency, Agency.id == HumanTask.agency_id)
        .where(*conditions)
        .order_by(*order_by, HumanTask.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [TaskRow(*row) for row in rows]


def load_rows(session: Any, ids: list[str]) -> list[TaskRow]:
    """The rows of the tasks `ids` (a page already chosen), in that order."""
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
            .join(Agency, Agency.id == HumanTask.agency_id)
            .where(HumanTask.id.in_(ids))
        )
    }
    return [TaskRow(*joined[i]) for i in ids]


# Totals of long lists are counted up to this; beyond it the screens say "more than" (counting a
# province's whole backlog on every page view would cost more than the page itself).
COUNT_CAP = 1000


def count_tasks(session: Any, conditions: tuple | list, cap: int = COUNT_CAP) -> int:
    """How many tasks match, counted up to `cap` + 1 (more than `cap` means "over `cap`")."""
    return count_up_to(session, HumanTask.id, conditions, cap)


def count_up_to(session: Any, column: Any, conditions: tuple | list, cap: int = COUNT_CAP) -> int:
    """How many rows of `column`'s table match, counted up to `cap` + 1 (more than `cap` means
    "over `cap`": the rest are never read)."""
    inner = select(column).where(*conditions).limit(cap + 1).subquery()
    return session.scalar(select(func.count()).select_from(inner)) or 0


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

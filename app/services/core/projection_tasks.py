"""The task projection (bảng công việc): one row per waiting human task, mirrored from what the
engine did in a step; its agency, named officer, prefilled form and due time.

Runs inside the caller's transaction, as part of `projection.apply_changes`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.orm import Session

from app import settings
from app.domain.deadlines import due_soon_at, next_local_midnight
from app.domain.roles import role_for_lane
from app.domain.worktime import DurationUnit, WorkCalendar
from app.engine import Changes, UserTaskView
from app.i18n import _
from app.models import Agency, HumanTask, User, UserRole
from app.models.base import utcnow
from app.services.core import audit, calendars, notifications
from app.services.core.actors import Actor

if TYPE_CHECKING:
    from app.services.core.runtime import DossierRef

_TASKS = HumanTask.__table__
# Built once with bind parameters: these run on every step.
_TASKS_DONE = (
    update(_TASKS)
    .where(_TASKS.c.id.in_(bindparam("b_ids", expanding=True)))
    .values(
        state="completed",
        completed_at=bindparam("b_now"),
        completed_by_id=bindparam("b_by"),
        assignee_id=func.coalesce(_TASKS.c.assignee_id, bindparam("b_by")),
        # Late after the due time; early when the due time falls on a later Vietnam day.
        outcome=case(
            (_TASKS.c.due_at.is_(None), None),
            (_TASKS.c.due_at < bindparam("b_now"), "late"),
            (_TASKS.c.due_at >= bindparam("b_tomorrow"), "early"),
            else_="on_time",
        ),
    )
    .returning(
        _TASKS.c.id,
        _TASKS.c.title,
        _TASKS.c.agency_id,
        _TASKS.c.created_at,
        _TASKS.c.due_at,
        _TASKS.c.outcome,
    )
)
_TASKS_CANCELLED = (
    update(_TASKS)
    .where(_TASKS.c.id.in_(bindparam("b_ids", expanding=True)))
    .values(state="cancelled", completed_at=bindparam("b_now"))
)
_INSERT_TASKS = _TASKS.insert()

DURATION_PROPERTY = "durationDays"
# A user task's property naming the process variable that holds its agency's code.
AGENCY_PROPERTY = "agencyVariable"
# A user task's property naming an earlier step (element id) whose last performer gets it.
PERFORMER_PROPERTY = "assignToPerformerOf"


def sync(
    session: Session,
    instance_id: int,
    dossier: DossierRef,
    changes: Changes,
    completed_by: Actor,
) -> list:
    """Mirror the engine's waiting tasks; returns the rows of the tasks finished now."""
    # The projection mirrors the engine's waiting tasks exactly, so what left and what entered
    # the waiting set is all it needs: no read of the projection is required.
    now = utcnow()
    completed_ids = {element.task_id for element in changes.completed}
    done = [task_id for task_id in changes.left if task_id in completed_ids]
    cancelled = [task_id for task_id in changes.left if task_id not in completed_ids]
    finished: list = []
    if done:
        finished = (
            session.connection()
            .execute(
                _TASKS_DONE,
                {
                    "b_ids": done,
                    "b_now": now,
                    "b_by": completed_by.id,
                    "b_tomorrow": next_local_midnight(now),
                },
            )
            .all()
        )
    if cancelled:
        session.connection().execute(_TASKS_CANCELLED, {"b_ids": cancelled, "b_now": now})
        for task_id in cancelled:
            audit.record(
                session,
                "task_cancelled",
                completed_by,
                dossier_id=dossier.id,
                instance_id=instance_id,
                task_id=task_id,
            )
    if changes.entered:
        calendar = calendars.work_calendar(session)
        departments = _departments(session, dossier, changes.entered)
        rows = [
            _new_task(instance_id, dossier, view, calendar, departments) for view in changes.entered
        ]
        _assign_named_officers(session, dossier, rows)
        _assign_performers(session, instance_id, dossier, changes.entered, rows)
        session.connection().execute(_INSERT_TASKS, rows)
        for view in changes.entered:
            audit.record(
                session,
                "task_created",
                completed_by,
                dossier_id=dossier.id,
                instance_id=instance_id,
                task_id=view.id,
                title=view.title,
                role=role_for_lane(view.lane),
            )
    return finished


# Steps of these roles go to the department the process chose (`department_code`, e.g. from
# the DMN table choose_department); reception and the rest stay with the dossier's agency.
DEPARTMENT_ROLES = ("processing", "leader")


def _departments(session: Session, dossier: DossierRef, entered: list) -> dict[str, int]:
    """Agency ids of the departments named by the entered steps' data: active units directly
    under the dossier's agency (a code naming anything else is ignored)."""
    codes = {v.data.get("department_code") for v in entered if v.data.get("department_code")}
    consulted = {v.data.get("consult_agency") for v in entered if v.data.get("consult_agency")}
    named = {code for v in entered if (code := _named_agency(v))}
    found: dict[str, int] = {}
    if named:
        # a step whose model names the variable holding its agency (e.g. the commune counter
        # that received a C1 dossier, or the two ends of a BCCI transfer)
        rows = session.execute(
            select(Agency.code, Agency.id).where(Agency.code.in_(named), Agency.active.is_(True))
        ).all()
        found |= {f"named:{code}": agency_id for code, agency_id in rows}
    if codes:
        found |= dict(
            session.execute(
                select(Agency.code, Agency.id).where(
                    Agency.code.in_(codes),
                    Agency.parent_id == dossier.agency_id,
                    Agency.active.is_(True),
                )
            ).all()
        )
    if consulted:
        # a consultation step (multi-instance, one per agency) goes to the consulted agency
        rows = session.execute(
            select(Agency.code, Agency.id).where(
                Agency.code.in_(consulted), Agency.active.is_(True)
            )
        ).all()
        found |= {f"consult:{code}": agency_id for code, agency_id in rows}
    return found


def _assign_named_officers(session: Session, dossier: DossierRef, rows: list[dict]) -> None:
    """A step for which the procedure names exactly one officer goes straight to that officer,
    when the officer is active and holds the step's role in the step's agency; several named
    officers (or none) leave it in the role's pool."""
    named = {
        row["id"]: officers[0]
        for row in rows
        if len(officers := (dossier.step_officers or {}).get(row["element_id"]) or []) == 1
    }
    for row in rows:
        row["assignee_id"], row["claimed_at"] = None, None
    if not named:
        return
    found = session.execute(
        select(User.username, User.id, UserRole.role, UserRole.agency_id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.username.in_(set(named.values())), User.active.is_(True))
    ).all()
    for row in rows:
        username = named.get(row["id"])
        for name, user_id, role, agency_id in found:
            if name == username and str(role) == row["role"] and agency_id == row["agency_id"]:
                row["assignee_id"], row["claimed_at"] = user_id, row["created_at"]
                break


def _assign_performers(
    session: Session,
    instance_id: int,
    dossier: DossierRef,
    entered: list[UserTaskView],
    rows: list[dict],
) -> None:
    """A step whose model says `assignToPerformerOf: <element id>` goes straight to the officer
    who last completed that step of this instance (e.g. the appraisal that asked for a
    supplement), when the officer is still active and holds the step's role in the step's
    agency, and the officer is told; otherwise it stays as the procedure's named officer or
    the pool left it."""
    targets = {
        view.id: target
        for view in entered
        if (target := (view.properties.get(PERFORMER_PROPERTY) or "").strip())
    }
    if not targets:
        return
    last: dict[str, int] = {}
    for element_id, user_id in session.execute(
        select(HumanTask.element_id, HumanTask.completed_by_id)
        .where(
            HumanTask.instance_id == instance_id,
            HumanTask.element_id.in_(set(targets.values())),
            HumanTask.state == "completed",
            HumanTask.completed_by_id.is_not(None),
        )
        .order_by(HumanTask.completed_at, HumanTask.id)
    ):
        last[element_id] = user_id
    wanted = {row["id"]: last[t] for row in rows if (t := targets.get(row["id"])) in last}
    if not wanted:
        return
    eligible = {
        (user_id, str(role), agency_id)
        for user_id, role, agency_id in session.execute(
            select(UserRole.user_id, UserRole.role, UserRole.agency_id)
            .join(User, User.id == UserRole.user_id)
            .where(UserRole.user_id.in_(set(wanted.values())), User.active.is_(True))
        )
    }
    for row in rows:
        user_id = wanted.get(row["id"])
        if (user_id, row["role"], row["agency_id"]) in eligible:
            row["assignee_id"], row["claimed_at"] = user_id, row["created_at"]
            notifications.notify(
                session,
                [user_id],
                "task_returned",
                _(
                    "Hồ sơ %(code)s quay lại với bạn: «%(title)s»",
                    code=dossier.code,
                    title=row["title"],
                ),
                dossier_id=dossier.id,
                task_id=row["id"],
            )


def _named_agency(view: UserTaskView) -> str | None:
    variable = view.properties.get(AGENCY_PROPERTY)
    value = view.data.get(variable) if variable else None
    return value if isinstance(value, str) and value else None


def prefilled(form: dict | None, data: dict) -> dict | None:
    """The step's form with each field's default taken from the process variable of the same
    name, when there is one (the account's profile, an earlier round's answers)."""
    if not form or not isinstance(form.get("properties"), dict):
        return form
    properties = {}
    for name, spec in form["properties"].items():
        value = data.get(name)
        if isinstance(value, str | int | float | bool) and isinstance(spec, dict):
            spec = {**spec, "default": value}
        properties[name] = spec
    return {**form, "properties": properties}


def _new_task(
    instance_id: int,
    dossier: DossierRef,
    view: UserTaskView,
    calendar: WorkCalendar,
    departments: dict[str, int] | None = None,
) -> dict:
    """A projection row; its due time is the step's duration in working days from now."""
    created = utcnow()
    days = dossier.step_durations.get(view.element_id) or view.properties.get(DURATION_PROPERTY)
    due = calendar.due(created, float(days), DurationUnit.WORKING_DAYS) if days else None
    soon = due_soon_at(created, due, calendar, settings.current.DUE_SOON_FRACTION) if due else None
    role = role_for_lane(view.lane) or "reception"
    agency_id = dossier.agency_id
    named = _named_agency(view)
    if departments and named:
        agency_id = departments.get(f"named:{named}", agency_id)
    elif departments and view.data.get("consult_agency"):
        agency_id = departments.get(f"consult:{view.data['consult_agency']}", agency_id)
    elif role in DEPARTMENT_ROLES and departments:
        agency_id = departments.get(view.data.get("department_code") or "", agency_id)
    return {
        "id": view.id,
        "instance_id": instance_id,
        "dossier_id": dossier.id,
        "dossier_code": dossier.code,
        "owner_name": dossier.owner_name,
        "procedure_id": dossier.procedure_id,
        "channel": dossier.channel,
        "received_at": dossier.received_at,
        "element_id": view.element_id,
        "title": view.title,
        "role": role,
        "agency_id": agency_id,
        "state": "open",
        "form": prefilled(view.form, view.data),
        "created_at": created,
        "due_at": due,
        "due_soon_at": soon,
        "deadline_state": "on_time",
    }

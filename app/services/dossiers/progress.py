"""Where a dossier stands (hồ sơ đang ở đâu): its steps with the unit of each, whether the
process waits for the worker, and, after an officer's step, the step that officer goes on with.

The rule for "the same officer's next step" (`after_step`): an open step of the dossier that
is assigned to the officer; otherwise an unclaimed step of the very role and unit of the step
just done (the same desk keeps the dossier it has in hand, as the counter does from reception
to the citizen's account); it is taken for the officer. A step of another role, even one the
officer also holds, stays in its pool for whoever is on duty there: the officer is told where
the dossier went.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.status import DossierStatus
from app.i18n import _l
from app.models import Agency, Dossier, HumanTask, OutboxMessage
from app.services.core import visibility
from app.services.core.actors import Actor
from app.services.core.errors import NotFound
from app.services.documents import results
from app.services.dossiers.queries import TaskRow, task_rows
from app.storage.db import db


@dataclass(frozen=True)
class OpenStep:
    id: str
    title: str
    role: str
    unit: str
    assignee_id: int | None


@dataclass(frozen=True)
class Standing:
    """A dossier's position: its open steps and what else it waits for."""

    code: str
    status: int | None
    finished: bool
    waiting_service: bool
    open_steps: list[OpenStep] = field(default_factory=list)
    # the call waited for is the e-result's issuing: the officer reads "being signed"
    signing: bool = False


@dataclass(frozen=True)
class Steps:
    """The steps table of a dossier page: rows, the unit of each, and the standing."""

    rows: list[TaskRow]
    units: dict[str, str]
    standing: Standing


def _waits_for_worker(session: Session, dossier_id: int) -> set[str]:
    # the operators of the service tasks' calls (task_id set) not yet handed back: the
    # process waits on them
    return set(
        session.scalars(
            select(OutboxMessage.operator)
            .where(
                OutboxMessage.dossier_id == dossier_id,
                OutboxMessage.task_id.is_not(None),
                OutboxMessage.state.in_(("pending", "running")),
            )
            .distinct()
        )
    )


def _units(session: Session, dossier_id: int) -> dict[str, str]:
    return dict(
        session.execute(
            select(HumanTask.id, Agency.name)
            .join(Agency, Agency.id == HumanTask.agency_id)
            .where(HumanTask.dossier_id == dossier_id)
        ).all()
    )


def _standing(session: Session, dossier: Dossier, units: dict[str, str]) -> Standing:
    open_steps = [
        OpenStep(t.id, t.title, t.role, units.get(t.id, ""), t.assignee_id)
        for t in session.scalars(
            select(HumanTask)
            .where(HumanTask.dossier_id == dossier.id, HumanTask.state == "open")
            .order_by(HumanTask.created_at, HumanTask.id)
        )
    ]
    status = dossier.status
    finished = dossier.finished_at is not None or (
        status is not None and DossierStatus(status).is_final
    )
    calls = _waits_for_worker(session, dossier.id)
    return Standing(dossier.code, status, finished, bool(calls), open_steps, results.ISSUE in calls)


def dossier_steps(code: str, actor: Actor) -> Steps:
    """The steps of a dossier the actor may see, each with its unit, and where it stands."""
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        if dossier is None or not visibility.may_view(session, dossier, actor):
            raise NotFound(_l("Không tìm thấy hồ sơ %(code)s", code=code))
        rows = task_rows(session, HumanTask.dossier_id == dossier.id)
        rows.sort(key=lambda t: t.created_at)
        units = _units(session, dossier.id)
        return Steps(rows, units, _standing(session, dossier, units))


@dataclass(frozen=True)
class AfterStep:
    """After an officer's step: the step to open for them (`take` when it is still to be
    claimed for them), or where the dossier stands."""

    standing: Standing
    next_step: OpenStep | None = None
    take: bool = False


def after_step(done_task_id: str, actor: Actor) -> AfterStep:
    """Where the dossier of a step the actor just completed went, and the actor's next step."""
    with db.transaction() as session:
        done = session.get(HumanTask, done_task_id)
        if done is None or not actor.sees(done.agency_id):
            raise NotFound(_l("Không tìm thấy công việc"))
        dossier = session.get(Dossier, done.dossier_id)
        units = _units(session, done.dossier_id)
        standing = _standing(session, dossier, units)
        mine = [s for s in standing.open_steps if s.assignee_id == actor.id]
        if mine:
            return AfterStep(standing, mine[0])
        agency_of = dict(
            session.execute(
                select(HumanTask.id, HumanTask.agency_id).where(
                    HumanTask.id.in_([s.id for s in standing.open_steps])
                )
            ).all()
        )
        same_desk = [
            s
            for s in standing.open_steps
            if s.assignee_id is None
            and s.role == done.role
            and agency_of[s.id] == done.agency_id
            and actor.can(s.role, done.agency_id)
        ]
        if same_desk:
            return AfterStep(standing, same_desk[0], take=True)
        return AfterStep(standing)


def describe(standing: Standing, role_name: Any) -> str:
    """Where the dossier is, in words: what the citizen must do, its open steps' units and
    roles, the worker, or its end. `role_name` turns a role code into its label."""
    code = standing.code
    places = "; ".join(f"{s.unit} — {role_name(s.role)}" for s in standing.open_steps)
    citizen = {
        DossierStatus.SUPPLEMENT_REQUESTED: _l(
            "Hồ sơ %(code)s đang chờ công dân bổ sung", code=code
        ),
        DossierStatus.PAYMENT_REQUESTED: _l(
            "Hồ sơ %(code)s đang chờ công dân thực hiện nghĩa vụ tài chính", code=code
        ),
    }.get(standing.status)
    if citizen is not None:
        if places:
            return str(_l("%(wait)s; bước tiếp theo tại: %(places)s", wait=citizen, places=places))
        return str(citizen)
    if places:
        return str(_l("Hồ sơ %(code)s đã chuyển đến: %(places)s", code=code, places=places))
    if standing.signing:
        return str(
            _l(
                "Kết quả của hồ sơ %(code)s đang được ký số; bước tiếp theo sẽ hiện khi ký xong",
                code=code,
            )
        )
    if standing.waiting_service:
        return str(
            _l(
                "Hồ sơ %(code)s đang được hệ thống chuyển tiếp; bước tiếp theo sẽ hiện trên "
                "trang hồ sơ",
                code=code,
            )
        )
    if standing.finished:
        return str(_l("Hồ sơ %(code)s đã kết thúc", code=code))
    return str(_l("Hồ sơ %(code)s đang chờ sự kiện tiếp theo của quy trình", code=code))

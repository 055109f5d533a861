"""Applying a reorganisation plan: recorded, cut over once, then every listed dossier
transferred in its own transaction; resumable (run it again after a crash: the dossiers done
are not touched twice) and reconciled at the end (before = moved + finished + refused)."""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import delete, func, insert, literal, select, update
from sqlalchemy.orm import Session

from app import settings
from app.domain.reorganisation import Plan
from app.i18n import _l
from app.models import (
    Agency,
    Dossier,
    HumanTask,
    Procedure,
    ReorgItem,
    ReorgPlan,
    User,
    UserRole,
)
from app.models.base import utcnow
from app.models.catalog import procedure_agency
from app.services.core import agencies, audit, notifications
from app.services.core.actors import SYSTEM, Actor
from app.services.core.errors import Conflict, InvalidInput, NotFound
from app.services.reorganisation.moves import BATCH, pending_in
from app.services.reorganisation.reports import Report, plan_of, report, since
from app.services.reorganisation.shape import Shape, check, shape_of
from app.services.reorganisation.transfer import transfer_batch
from app.storage.db import db
from app.storage.forking import forked_pool


class PlanRefused(InvalidInput):
    def __init__(self, problems: list[str]) -> None:
        problems = [str(p) for p in problems]
        super().__init__(
            _l("Phương án chưa áp dụng được: %(problems)s", problems="; ".join(problems))
        )
        self.problems = problems


def record_plan(plan: Plan, actor: Actor) -> int:
    """Store a plan that passes every check; PlanRefused lists the problems otherwise."""
    with db.transaction() as session:
        problems = check(session, plan)
        if problems:
            raise PlanRefused(problems)
        row = ReorgPlan(
            name=plan.name, body=plan.as_json(), cutover_at=plan.cutover_at, created_by_id=actor.id
        )
        session.add(row)
        session.flush()
        audit.record(session, "reorganisation_planned", actor, dossier_id=None, plan=plan.name)
        return row.id


def schedule(plan_id: int, actor: Actor) -> datetime:
    """The administrator confirms the plan: the scheduler applies it at its cut-over time (or
    at once when that has passed), and resumes it if a run stops. Returns the time."""
    with db.transaction() as session:
        row = session.get(ReorgPlan, plan_id, with_for_update=True)
        if row is None:
            raise NotFound(_l("Không có phương án số %(plan_id)s", plan_id=plan_id))
        if row.state != "draft":
            raise Conflict(_l("Phương án đã được xác nhận áp dụng"))
        problems = check(session, plan_of(row))
        if problems:
            raise PlanRefused(problems)
        row.state = "scheduled"
        audit.record(session, "reorganisation_scheduled", actor, dossier_id=None, plan=row.name)
        return row.cutover_at


def due_plans(now: datetime | None = None) -> list[int]:
    """Plans the scheduler should run: confirmed and past their time, or stopped half-way."""
    now = now or utcnow()
    with db.transaction() as session:
        return list(
            session.scalars(
                select(ReorgPlan.id)
                .where(
                    ReorgPlan.state.in_(("scheduled", "transferring")),
                    ReorgPlan.cutover_at <= now,
                )
                .order_by(ReorgPlan.id)
            )
        )


def apply(
    plan_id: int, actor: Actor = SYSTEM, *, limit: int | None = None, part: tuple[int, int] = (0, 1)
) -> Report:
    """Cut over (once) and transfer the listed dossiers still pending; `limit` stops after that
    many (a run can be split; the next call goes on where it stopped). Several runs may work
    at once, each on its `part` (k of n: the dossiers whose id is k modulo n); the first to
    start cuts over, the others wait for it."""
    k, n = part
    if not 0 <= k < n:
        raise InvalidInput(_l("Phần %(k)s/%(n)s không hợp lệ", k=k, n=n))
    problems: list[str] = []
    with db.transaction() as session:
        row = session.get(ReorgPlan, plan_id, with_for_update=True)
        if row is None:
            raise NotFound(_l("Không có phương án số %(plan_id)s", plan_id=plan_id))
        plan = plan_of(row)
        if row.state in ("draft", "scheduled"):
            if utcnow() < row.cutover_at:
                raise Conflict(
                    _l("Chưa đến thời điểm chuyển đổi (%(since)s)", since=since(row.cutover_at))
                )
            problems = check(session, plan)
            if problems:
                # the organisation changed since the plan was confirmed: back to the
                # administrator, with the reasons on the plan's page, not retried in silence
                row.state = "draft"
                audit.record(
                    session,
                    "reorganisation_refused",
                    actor,
                    dossier_id=None,
                    plan_id=plan_id,
                    plan=plan.name,
                    problems=problems,
                )
            else:
                _cut_over(session, plan, row, actor)
    if problems:
        raise PlanRefused(problems)
    with db.transaction() as session:
        shape = shape_of(session, plan)
        ids = agencies.ids_by_code(session)
    throttle = settings.current.REORG_THROTTLE_MS / 1000
    done = 0
    while limit is None or done < limit:
        with db.transaction() as session:
            pending = select(ReorgItem.dossier_id).where(
                ReorgItem.plan_id == plan_id, ReorgItem.outcome == "pending"
            )
            if n > 1:
                pending = pending.where(ReorgItem.dossier_id % n == k)
            batch = session.scalars(
                pending.order_by(ReorgItem.dossier_id).limit(
                    BATCH if limit is None else min(BATCH, limit - done)
                )
            ).all()
        if not batch:
            _finish(plan_id, plan)
            break
        # a pause between dossiers asks for one per transaction; otherwise a few per commit
        size = 1 if throttle else max(1, settings.current.MIGRATION_BATCH)
        for start in range(0, len(batch), size):
            transfer_batch(plan_id, plan, shape, ids, list(batch[start : start + size]))
            done += len(batch[start : start + size])
            if throttle:
                time.sleep(throttle)
    return report(plan_id)


def apply_in_parallel(plan_id: int, workers: int, actor: Actor = SYSTEM) -> Report:
    """`apply` in `workers` processes, each on its part; the cut-over is made first, here."""
    if workers <= 1:
        return apply(plan_id, actor)
    apply(plan_id, actor, limit=0)  # the cut-over, once, before the parts start
    with forked_pool(workers) as pool:
        pool.starmap(_apply_part, [(plan_id, k, workers) for k in range(workers)])
    return apply(plan_id, actor)  # nothing left: marks the plan applied, tells the pools


def _apply_part(plan_id: int, k: int, n: int) -> None:
    apply(plan_id, part=(k, n))


def _cut_over(session: Session, plan: Plan, row: ReorgPlan, actor: Actor) -> None:
    """The plan's shape made real in one transaction: the new agencies, the officers' roles,
    the procedures' agencies, the abolished units retired and their open dossiers listed for
    transfer."""
    now = utcnow()
    ids = _create_agencies(session, plan)
    shape = shape_of(session, plan)
    officers = _reassign_officers(session, plan, shape, ids, actor)
    session.flush()
    _release_claims(session, plan, shape, officers)
    _move_procedures(session, plan, shape, ids)
    session.execute(update(Agency).where(Agency.id.in_(list(shape.units))).values(active=False))
    listed = session.execute(
        insert(ReorgItem).from_select(
            ["plan_id", "dossier_id", "outcome", "reason"],
            select(literal(row.id), Dossier.id, literal("pending"), literal("")).where(
                pending_in(shape.units)
            ),
        )
    ).rowcount
    row.state, row.cut_over_at = "transferring", now
    audit.record(
        session,
        "reorganisation_cut_over",
        actor,
        dossier_id=None,
        plan=plan.name,
        agencies=sorted(shape.codes.values()),
        dossiers=listed,
    )


def _create_agencies(session: Session, plan: Plan) -> dict[str, int]:
    """The plan's new agencies, parents first (a new department under a new commune);
    returns every agency's id by code, the new ones included."""
    ids = agencies.ids_by_code(session)
    waiting = list(plan.new_agencies)
    while waiting:
        ready = [a for a in waiting if not a.parent or a.parent in ids]
        if not ready:
            raise PlanRefused(
                [
                    _l(
                        "Cơ quan mới %(code)s: cấp trên %(parent)s không có",
                        code=a.code,
                        parent=a.parent,
                    )
                    for a in waiting
                ]
            )
        for new in ready:
            agency = Agency(
                code=new.code,
                name=new.name,
                parent_id=ids.get(new.parent),
                level=new.level,
                admin_unit_code=new.admin_unit_code or None,
            )
            session.add(agency)
            session.flush()
            ids[new.code] = agency.id
            waiting.remove(new)
    return ids


def _reassign_officers(
    session: Session, plan: Plan, shape: Shape, ids: dict[str, int], actor: Actor
) -> list[int]:
    """Officers the plan names hold exactly its roles; the others lose the abolished units
    (and are deactivated when nothing is left). Returns the ids of every officer touched."""
    moved = {o.username: o for o in plan.officers}
    users = session.scalars(
        select(User).where(
            (User.username.in_(moved))
            | User.id.in_(select(UserRole.user_id).where(UserRole.agency_id.in_(list(shape.units))))
        )
    ).all()
    for user in users:
        move = moved.get(user.username)
        before = sorted(f"{r.role}@{r.agency_id}" for r in user.roles)
        if move is not None:
            user.agency_id = ids[move.agency]
            user.roles = [UserRole(role=r, agency_id=ids[move.agency]) for r in move.roles]
        else:
            user.roles = [r for r in user.roles if r.agency_id not in shape.units]
            if user.agency_id in shape.units:
                if user.roles:
                    user.agency_id = user.roles[0].agency_id
                else:
                    user.active = False
        audit.record(
            session,
            "officer_reorganised",
            actor,
            dossier_id=None,
            username=user.username,
            roles_before=before,
            agency=move.agency if move else None,
            active=user.active,
        )
    return [u.id for u in users]


def _move_procedures(session: Session, plan: Plan, shape: Shape, ids: dict[str, int]) -> None:
    """Each procedure of an abolished unit goes to the plan's choice or the unit's successor,
    and so do the executing agencies listed for it (once each)."""
    sources = list(shape.units)
    for procedure in session.scalars(
        select(Procedure).where(
            (Procedure.agency_id.in_(sources)) | Procedure.code.in_(plan.procedures)
        )
    ):
        target = plan.procedures.get(procedure.code) or shape.units[procedure.agency_id]
        procedure.agency_id = ids[target]
    for procedure_id, agency_id in session.execute(
        select(procedure_agency.c.procedure_id, procedure_agency.c.agency_id).where(
            procedure_agency.c.agency_id.in_(sources)
        )
    ).all():
        session.execute(
            delete(procedure_agency).where(
                procedure_agency.c.procedure_id == procedure_id,
                procedure_agency.c.agency_id == agency_id,
            )
        )
        successor = ids[shape.units[agency_id]]
        present = session.scalar(
            select(func.count()).where(
                procedure_agency.c.procedure_id == procedure_id,
                procedure_agency.c.agency_id == successor,
            )
        )
        if not present:
            session.execute(
                insert(procedure_agency).values(procedure_id=procedure_id, agency_id=successor)
            )


def _release_claims(session: Session, plan: Plan, shape: Shape, officers: list[int]) -> None:
    """Steps outside the abolished units held by an officer who no longer has the role there
    go back to their pool, and the officer is told (those inside move with their dossier)."""
    claimed = session.execute(
        select(
            HumanTask.id,
            HumanTask.title,
            HumanTask.role,
            Agency.code.label("agency_code"),
            HumanTask.assignee_id,
            HumanTask.dossier_id,
            Dossier.code,
        )
        .join(Dossier, Dossier.id == HumanTask.dossier_id)
        .join(Agency, Agency.id == HumanTask.agency_id)
        .where(
            HumanTask.state == "open",
            HumanTask.assignee_id.in_(officers),
            HumanTask.agency_id.not_in(list(shape.units)),
        )
    ).all()
    for task in claimed:
        if (task.role, task.agency_code) in shape.holds.get(task.assignee_id, set()):
            continue
        session.execute(
            update(HumanTask)
            .where(HumanTask.id == task.id)
            .values(assignee_id=None, claimed_at=None)
        )
        notifications.notify(
            session,
            [task.assignee_id],
            "released",
            f"«{task.title}» của hồ sơ {task.code} trả về nhóm xử lý"
            f" do sắp xếp cơ quan ({plan.name})",
            dossier_id=task.dossier_id,
            task_id=task.id,
        )


def _finish(plan_id: int, plan: Plan) -> None:
    """Mark the plan applied once nothing is pending, and tell each pool what it received."""
    with db.transaction() as session:
        row = session.get(ReorgPlan, plan_id, with_for_update=True)
        if row.state == "applied" or session.scalar(
            select(ReorgItem.dossier_id)
            .where(ReorgItem.plan_id == plan_id, ReorgItem.outcome == "pending")
            .limit(1)
        ):
            return  # done already, or other parts still at work: the last one finishes
        row.state, row.finished_at = "applied", utcnow()
        received: dict[tuple[str, int], int] = {}
        for (detail,) in session.execute(
            select(ReorgItem.detail).where(
                ReorgItem.plan_id == plan_id, ReorgItem.outcome == "moved"
            )
        ).yield_per(1000):
            for step in (detail or {}).get("steps", []):
                key = (step["role"], step["target"])
                received[key] = received.get(key, 0) + 1
        ids = agencies.ids_by_code(session)
        for (role, code), count in received.items():
            notifications.notify(
                session,
                notifications.holders(session, role, ids[code]),
                "transferred",
                f"{count} bước xử lý được chuyển đến nhóm của bạn do sắp xếp cơ quan ({plan.name})",
            )
        audit.record(session, "reorganisation_applied", SYSTEM, dossier_id=None, plan=plan.name)

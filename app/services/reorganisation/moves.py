"""Reorganisation (sắp xếp đơn vị hành chính): a plan, checked against the database by
`reorg_shape`, is dry-run dossier by dossier here; `cutover` applies it (the cut-over once,
then each listed dossier through `reorg_transfer` in its own transaction), `reorg_reports`
says what it did.

The dry run and the apply share `judge`, which decides what happens to one dossier from the
organisation *after* the plan (`Shape`), so what the dry run shows is what apply does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, joinedload

from app.domain.reorganisation import Plan, role_label
from app.models import (
    Dossier,
    HumanTask,
    PaperShipment,
    ProcessInstance,
    User,
)
from app.services.reorganisation.shape import Shape, check, shape_of
from app.storage.db import db

BATCH = 200


@dataclass
class Step:
    id: str
    title: str
    role: str
    source: str
    target: str
    assignee: str = ""
    assignee_id: int | None = None
    released: bool = False


@dataclass
class Entry:
    """What happens to one dossier: moved (with its steps), finished already, or refused."""

    dossier_id: int
    code: str
    outcome: str  # moved | finished | refused
    source: str = ""
    target: str = ""
    reason: str = ""
    steps: list[Step] = field(default_factory=list)
    due_at: str | None = None
    timer_at: str | None = None
    # paper in transit (BCCI) addressed to an abolished unit: redirected to its successor
    shipments: list[int] = field(default_factory=list)
    instance_id: int | None = field(default=None, compare=False)

    def detail(self) -> dict:
        """This entry as a JSON-ready dict for the plan's item row."""
        return {
            "source": self.source,
            "shipments": self.shipments,
            "steps": [asdict(s) for s in self.steps],
            "due_at": self.due_at,
            "timer_at": self.timer_at,
        }


# ---------------------------------------------------------------- one dossier


def pending_in(units: dict[int, str]):  # noqa: ANN202
    """The condition on dossiers a plan must move: unfinished, and held, received or with an
    open step in one of the abolished units."""
    ids = list(units)
    return and_(
        Dossier.finished_at.is_(None),
        or_(
            Dossier.agency_id.in_(ids),
            Dossier.receiving_agency_id.in_(ids),
            exists().where(
                HumanTask.dossier_id == Dossier.id,
                HumanTask.state == "open",
                HumanTask.agency_id.in_(ids),
            ),
        ),
    )


def judge(session: Session, shape: Shape, dossier: Dossier) -> Entry:
    """Decide whether a dossier can move under a plan, and what moves with it."""
    return judge_many(session, shape, [dossier])[0]


def judge_many(session: Session, shape: Shape, dossiers: list[Dossier]) -> list[Entry]:
    """`judge` for several dossiers, with three queries for them all (their instances, open
    steps in the abolished units, paper in transit) instead of three each."""
    ids = [d.id for d in dossiers]
    instances = {
        row.dossier_id: row
        for row in session.execute(
            select(
                ProcessInstance.dossier_id,
                ProcessInstance.id,
                ProcessInstance.status,
                ProcessInstance.next_timer_at,
            ).where(ProcessInstance.dossier_id.in_(ids))
        )
    }
    steps: dict[int, list[tuple[HumanTask, str | None]]] = {i: [] for i in ids}
    for task, holder in session.execute(
        select(HumanTask, User.full_name)
        .outerjoin(User, User.id == HumanTask.assignee_id)
        .where(
            HumanTask.dossier_id.in_(ids),
            HumanTask.state == "open",
            HumanTask.agency_id.in_(shape.units),
        )
        .order_by(HumanTask.created_at, HumanTask.id)
    ):
        steps[task.dossier_id].append((task, holder))
    shipments: dict[int, list[int]] = {i: [] for i in ids}
    for dossier_id, shipment_id in session.execute(
        select(PaperShipment.dossier_id, PaperShipment.id)
        .where(
            PaperShipment.dossier_id.in_(ids),
            PaperShipment.received_at.is_(None),
            PaperShipment.to_agency_id.in_(shape.units),
        )
        .order_by(PaperShipment.id)
    ):
        shipments[dossier_id].append(shipment_id)
    return [_judge(shape, d, instances.get(d.id), steps[d.id], shipments[d.id]) for d in dossiers]


def _judge(
    shape: Shape,
    dossier: Dossier,
    instance,  # noqa: ANN001 - a row (id, status, next_timer_at) or None
    tasks: list[tuple[HumanTask, str | None]],
    shipments: list[int],
) -> Entry:
    entry = Entry(dossier.id, dossier.code, "moved")
    entry.source = shape.codes.get(dossier.agency_id) or dossier.agency.code
    entry.target = shape.target(dossier.agency_id) or dossier.agency.code
    entry.due_at = dossier.due_at.isoformat() if dossier.due_at else None
    if dossier.finished_at is not None:
        entry.outcome = "finished"
        return entry
    if instance is None or instance.status != "running":
        entry.outcome = "refused"
        entry.reason = (
            "Tiến trình của hồ sơ không chạy (đang lỗi hoặc đã dừng); xử lý sự cố rồi chạy lại"
        )
        return entry
    entry.instance_id = instance.id
    entry.timer_at = instance.next_timer_at.isoformat() if instance.next_timer_at else None
    for task, holder in tasks:
        target = shape.units[task.agency_id]
        kept = task.assignee_id is not None and (task.role, target) in shape.holds.get(
            task.assignee_id, set()
        )
        entry.steps.append(
            Step(
                task.id,
                task.title,
                task.role,
                shape.codes[task.agency_id],
                target,
                holder or "",
                task.assignee_id,
                released=task.assignee_id is not None and not kept,
            )
        )
    entry.shipments = list(shipments)
    unstaffed = sorted({(s.role, s.target) for s in entry.steps} - shape.staffed)
    if unstaffed:
        entry.outcome = "refused"
        entry.reason = "; ".join(
            f"{shape.names.get(code, code)} không có cán bộ giữ vai trò {role_label(role)}"
            for role, code in unstaffed
        )
    return entry


# ---------------------------------------------------------------- dry run


def dry_run(plan: Plan) -> tuple[list[str], Iterator[Entry]]:
    """The problems of the plan, and — when there are none — what would happen to each pending
    dossier, streamed in id order (a page of dossiers at a time, never all in memory)."""
    with db.transaction() as session:
        problems = check(session, plan)
        shape = None if problems else shape_of(session, plan)
    if shape is None:
        return problems, iter(())
    return [], _stream(shape)


def _stream(shape: Shape) -> Iterator[Entry]:
    last = 0
    while True:
        with db.transaction() as session:
            dossiers = session.scalars(
                select(Dossier)
                .options(joinedload(Dossier.agency))
                .where(pending_in(shape.units), Dossier.id > last)
                .order_by(Dossier.id)
                .limit(BATCH)
            ).all()
            entries = judge_many(session, shape, list(dossiers))
        if not entries:
            return
        yield from entries
        last = entries[-1].dossier_id

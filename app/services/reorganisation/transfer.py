"""Dossiers moved by a reorganisation, a batch per transaction (all or nothing per batch; a
batch that meets a concurrent change is redone one dossier per transaction): instance
variables, dossier, open steps, paper in transit, audit, the portal, and the outcome recorded
with each."""

from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, joinedload

from app.domain.reorganisation import Plan
from app.models import Dossier, HumanTask, PaperShipment, ReorgItem
from app.models.base import utcnow
from app.services.core import audit, notifications, portal_sync, runtime
from app.services.core.actors import SYSTEM
from app.services.core.errors import Conflict
from app.services.reorganisation.moves import Entry, judge, judge_many
from app.services.reorganisation.shape import Shape
from app.storage.db import db

TITLE = "Chuyển hồ sơ do sắp xếp đơn vị hành chính"


def transfer_batch(
    plan_id: int, plan: Plan, shape: Shape, ids: dict[str, int], dossier_ids: list[int]
) -> None:
    """Move pending dossiers to their successor agencies in one transaction; when one of them
    is being changed meanwhile, each is moved on its own instead (retried on conflict)."""
    if len(dossier_ids) > 1:
        try:
            with db.transaction() as session:
                _transfer_many(session, plan_id, plan, shape, ids, dossier_ids)
            return
        except Conflict:
            pass
    for dossier_id in dossier_ids:
        transfer_dossier(plan_id, plan, shape, ids, dossier_id)


def transfer_dossier(
    plan_id: int, plan: Plan, shape: Shape, ids: dict[str, int], dossier_id: int
) -> None:
    """Move one pending dossier to its successor agency under a plan (retried on conflict)."""
    for attempt in range(3):
        try:
            with db.transaction() as session:
                _transfer(session, plan_id, plan, shape, ids, dossier_id)
                return
        except Conflict:
            if attempt == 2:
                with db.transaction() as session:
                    session.execute(
                        update(ReorgItem)
                        .where(ReorgItem.plan_id == plan_id, ReorgItem.dossier_id == dossier_id)
                        .values(
                            outcome="refused",
                            reason="Hồ sơ đang được cập nhật liên tục; chuyển thủ công",
                            done_at=utcnow(),
                        )
                    )


def _transfer_many(
    session: Session,
    plan_id: int,
    plan: Plan,
    shape: Shape,
    ids: dict[str, int],
    dossier_ids: list[int],
) -> None:
    """`_transfer` for a batch, reading with a few queries for all and writing the instance
    states in one round trip: the items still pending (locked), their dossiers, what `judge`
    needs, the instances."""
    items = {
        item.dossier_id: item
        for item in session.scalars(
            select(ReorgItem)
            .where(
                ReorgItem.plan_id == plan_id,
                ReorgItem.dossier_id.in_(dossier_ids),
                ReorgItem.outcome == "pending",
            )
            .with_for_update()
        )
    }
    if not items:
        return  # other runs took them all
    dossiers = session.scalars(
        select(Dossier)
        .options(joinedload(Dossier.agency))
        .where(Dossier.id.in_(list(items)))
        .order_by(Dossier.id)
    ).all()
    entries = judge_many(session, shape, list(dossiers))
    moving = [(d, e) for d, e in zip(dossiers, entries, strict=True) if e.outcome == "moved"]
    loaded = runtime.load_instances(session, [e.instance_id for _d, e in moving])
    codes = _codes(shape)
    runs = []
    for each in loaded:
        data = each.run.latest_data()
        values = {k: codes[v] for k, v in data.items() if isinstance(v, str) and v in codes}
        runs.append((each, each.run.update_data(values)))
    # saved even with nothing to rename: see `_move`
    runtime.save_many(session, runs)
    _move_steps(session, ids, [e for _d, e in moving])
    for dossier, entry in moving:
        _move_rows(session, plan, shape, ids, dossier, entry)
    for dossier, entry in zip(dossiers, entries, strict=True):
        item = items[dossier.id]
        item.outcome, item.reason = entry.outcome, entry.reason
        item.target_agency_id = ids.get(entry.target)
        item.detail, item.done_at = entry.detail(), utcnow()


def _codes(shape: Shape) -> dict[str, str]:
    """Each abolished unit's code → its successor's code (renamed in instance variables)."""
    return {code: shape.units[agency_id] for agency_id, code in shape.codes.items()}


def _transfer(
    session: Session, plan_id: int, plan: Plan, shape: Shape, ids: dict[str, int], dossier_id: int
) -> None:
    item = session.get(ReorgItem, (plan_id, dossier_id), with_for_update=True)
    if item is None or item.outcome != "pending":
        return  # another run took it
    dossier = session.get(Dossier, dossier_id, options=[joinedload(Dossier.agency)])
    entry = judge(session, shape, dossier)
    if entry.outcome == "moved":
        _move(session, plan, shape, ids, dossier, entry)
    item.outcome, item.reason = entry.outcome, entry.reason
    item.target_agency_id = ids.get(entry.target)
    item.detail, item.done_at = entry.detail(), utcnow()


def _move(
    session: Session, plan: Plan, shape: Shape, ids: dict[str, int], dossier: Dossier, entry: Entry
) -> None:
    codes = _codes(shape)
    loaded = runtime.load_instance(session, entry.instance_id)
    data = loaded.run.latest_data()
    values = {k: codes[v] for k, v in data.items() if isinstance(v, str) and v in codes}
    # saved even with nothing to rename: the versioned write orders this move with an
    # officer completing a step of the same dossier at the same moment
    runtime.save(session, loaded, loaded.run.update_data(values))
    _move_steps(session, ids, [entry])
    _move_rows(session, plan, shape, ids, dossier, entry)


_TASKS = HumanTask.__table__
_MOVE_STEP = (
    update(_TASKS).where(_TASKS.c.id == bindparam("b_id")).values(agency_id=bindparam("b_agency"))
)
_RELEASE_STEP = _MOVE_STEP.values(assignee_id=None, claimed_at=None)


def _move_steps(session: Session, ids: dict[str, int], entries: list[Entry]) -> None:
    """The open steps of the moved dossiers go to their new agencies (those whose holder has
    no role there go back to the pool), in one round trip for steps kept and one for released."""
    for statement, released in ((_MOVE_STEP, False), (_RELEASE_STEP, True)):
        rows = [
            {"b_id": step.id, "b_agency": ids[step.target]}
            for entry in entries
            for step in entry.steps
            if step.released is released
        ]
        if rows:
            session.connection().execute(statement, rows)


def _move_rows(
    session: Session, plan: Plan, shape: Shape, ids: dict[str, int], dossier: Dossier, entry: Entry
) -> None:
    """Everything but the instance state: the dossier's agencies, its open steps, paper in
    transit, the officers told, the audit and the portal."""
    instance_id = entry.instance_id
    source = dossier.agency.name
    if dossier.agency_id in shape.units:
        dossier.agency_id = ids[shape.units[dossier.agency_id]]
    if dossier.receiving_agency_id in shape.units:
        dossier.receiving_agency_id = ids[shape.units[dossier.receiving_agency_id]]
    if entry.shipments:
        for shipment in session.scalars(
            select(PaperShipment).where(PaperShipment.id.in_(entry.shipments))
        ):
            shipment.to_agency_id = ids[shape.units[shipment.to_agency_id]]
    released = [s for s in entry.steps if s.released]
    for step in released:
        # the officer who held it is told; the pool hears once, at the end of the run
        notifications.notify(
            session,
            [step.assignee_id],
            "released",
            f"«{step.title}» của hồ sơ {dossier.code} trả về nhóm xử lý của "
            f"{shape.names.get(step.target, step.target)} do sắp xếp cơ quan",
            dossier_id=dossier.id,
            task_id=step.id,
        )
    target = shape.names.get(entry.target, entry.target)
    audit.record(
        session,
        "dossier_reorganised",
        SYSTEM,
        dossier_id=dossier.id,
        instance_id=instance_id,
        plan=plan.name,
        source=source,
        target=target,
        steps=len(entry.steps),
        released=len(released),
    )
    portal_sync.tell_progress(
        session,
        dossier_id=dossier.id,
        code=dossier.code,
        status=dossier.status,
        title=f"{TITLE}: đến {target}",
        officer=SYSTEM.name,
        department=source,
        content=plan.name,
    )

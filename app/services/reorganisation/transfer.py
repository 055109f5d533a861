"""Dossiers moved by a reorganisation, a batch per transaction (all or nothing per batch; a
batch that meets a concurrent change is redone one dossier per transaction): instance
variables, dossier, open steps, paper in transit, audit, the portal, and the outcome recorded
with each."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from app.domain.reorganisation import Plan
from app.models import Dossier, HumanTask, PaperShipment, ReorgItem
from app.models.base import utcnow
from app.services.core import audit, notifications, portal_sync, runtime
from app.services.core.actors import SYSTEM
from app.services.core.errors import Conflict
from app.services.reorganisation.moves import Entry, judge
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
                for dossier_id in dossier_ids:
                    _transfer(session, plan_id, plan, shape, ids, dossier_id)
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
    codes = {code: shape.units[agency_id] for agency_id, code in shape.codes.items()}
    instance_id = entry.instance_id
    loaded = runtime.load_instance(session, instance_id)
    data = loaded.run.latest_data()
    values = {k: codes[v] for k, v in data.items() if isinstance(v, str) and v in codes}
    # saved even with nothing to rename: the versioned write orders this move with an
    # officer completing a step of the same dossier at the same moment
    runtime.save(session, loaded, loaded.run.update_data(values))
    source = dossier.agency.name
    if dossier.agency_id in shape.units:
        dossier.agency_id = ids[shape.units[dossier.agency_id]]
    if dossier.receiving_agency_id in shape.units:
        dossier.receiving_agency_id = ids[shape.units[dossier.receiving_agency_id]]
    for step in entry.steps:
        session.execute(
            update(HumanTask)
            .where(HumanTask.id == step.id)
            .values(
                agency_id=ids[step.target],
                **({"assignee_id": None, "claimed_at": None} if step.released else {}),
            )
        )
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

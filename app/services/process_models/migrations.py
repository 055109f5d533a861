"""Moving running dossiers to a newer model version: a dry run per instance, then apply, each
instance in its own transaction; blocked ones stay on their version, with the reason."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from app.engine import Definition
from app.engine.migration import migrate, plan
from app.i18n import _, _l
from app.models import Dossier, ModelVersion, ProcessInstance
from app.services.core import audit, projection, runtime
from app.services.core.actors import Actor
from app.services.core.errors import Conflict, InvalidInput, NotFound
from app.services.process_models.models_repo import _require_modeller
from app.storage.db import db


@dataclass(frozen=True)
class InstancePlan:
    instance_id: int
    dossier_code: str
    movable: bool
    reasons: list[str]


@dataclass(frozen=True)
class Report:
    moved: list[str]
    blocked: list[InstancePlan]


def _versions(session, source: int, target: int) -> Definition:  # noqa: ANN001
    found = {
        v.id: v
        for v in session.scalars(select(ModelVersion).where(ModelVersion.id.in_([source, target])))
    }
    if source not in found or target not in found:
        raise NotFound(_l("Không tìm thấy phiên bản"))
    if source == target or found[source].process_id != found[target].process_id:
        raise InvalidInput(_l("Chọn hai phiên bản khác nhau của cùng một quy trình"))
    return runtime.definition_by_id(session, target)


def _running(session, source: int) -> list[tuple[int, str]]:  # noqa: ANN001
    return list(
        session.execute(
            select(ProcessInstance.id, Dossier.code)
            .join(Dossier)
            .where(ProcessInstance.model_version_id == source, ProcessInstance.status == "running")
            .order_by(ProcessInstance.id)
        ).all()
    )


def dry_run(source: int, target: int, actor: Actor) -> list[InstancePlan]:
    """Show, without changing anything, how each instance would move to another model version."""
    _require_modeller(actor)
    with db.transaction() as session:
        definition = _versions(session, source, target)
        plans = []
        for instance_id, code in _running(session, source):
            result = plan(runtime.load_instance(session, instance_id).run, definition)
            plans.append(InstancePlan(instance_id, code, result.movable, result.reasons))
        return plans


def apply(source: int, target: int, actor: Actor) -> Report:
    """Move every movable instance; safe to run again (moved ones are no longer on `source`)."""
    _require_modeller(actor)
    with db.transaction() as session:
        _versions(session, source, target)
        running = _running(session, source)
    moved, blocked = [], []
    for instance_id, code in running:
        try:
            outcome = _move_one(instance_id, source, target, actor)
        except Conflict:
            outcome = InstancePlan(instance_id, code, False, [_("hồ sơ vừa thay đổi, chạy lại")])
        if outcome.movable:
            moved.append(code)
        else:
            blocked.append(outcome)
    return Report(moved, blocked)


def _move_one(instance_id: int, source: int, target: int, actor: Actor) -> InstancePlan:
    with db.transaction() as session:
        loaded = runtime.load_instance(session, instance_id)
        if loaded.instance.model_version_id != source:
            return InstancePlan(instance_id, loaded.dossier.code, True, [])
        definition = runtime.definition_by_id(session, target)
        result = plan(loaded.run, definition)
        if not result.movable:
            return InstancePlan(instance_id, loaded.dossier.code, False, result.reasons)
        changes = migrate(loaded.run, definition)
        runtime.save(session, loaded, changes)
        session.execute(
            update(ProcessInstance)
            .where(ProcessInstance.id == instance_id)
            .values(model_version_id=target)
        )
        projection.apply_changes(
            session, instance_id, loaded.dossier, changes, actor, completed_by=actor
        )
        audit.record(
            session,
            "instance_migrated",
            actor,
            dossier_id=loaded.dossier.id,
            instance_id=instance_id,
            source=source,
            target=target,
        )
        return InstancePlan(instance_id, loaded.dossier.code, True, [])

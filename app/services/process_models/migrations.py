"""Moving running dossiers to a newer model version: a dry run per instance, then apply, a
batch of instances per transaction (all or nothing per batch; a batch that meets a concurrent
change is redone one instance per transaction), in several processes on PostgreSQL; blocked
ones stay on their version, with the reason."""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy import select, update

from app import settings
from app.engine import Changes, Definition
from app.engine.migration import element_reasons, migrate, plan
from app.engine.migration_rules import Reason, version_reasons
from app.i18n import _, _l
from app.models import Dossier, ModelVersion, ProcessInstance
from app.services.core import audit, projection, runtime
from app.services.core.actors import Actor
from app.services.core.errors import Conflict, InvalidInput, NotFound
from app.services.process_models.models_repo import _require_modeller
from app.storage.db import db
from app.storage.forking import forked_pool


@dataclass(frozen=True)
class InstancePlan:
    instance_id: int
    dossier_code: str
    movable: bool
    reasons: list[str]
    details: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Preview:
    """A dry run that always answers: why nothing can move (same version, another process,
    a version that does not exist), the elements whose type changed, and each instance."""

    source: int
    target: int
    blocked_all: list[Reason]
    elements: list[Reason]
    plans: list[InstancePlan]
    running: int

    @property
    def movable(self) -> list[InstancePlan]:
        """The running instances the dry run would move to the target version."""
        return [p for p in self.plans if p.movable]


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


def preview(source: int, target: int, actor: Actor) -> Preview:
    """Dry run from one version to another that explains, element by element, why instances
    cannot move, instead of refusing the question (Camunda 7's migration rules)."""
    _require_modeller(actor)
    with db.transaction() as session:
        found = {
            v.id: v
            for v in session.scalars(
                select(ModelVersion).where(ModelVersion.id.in_([source, target]))
            )
        }
        running = _running(session, source)
        missing = [i for i in dict.fromkeys((source, target)) if i not in found]
        if missing:
            reasons = [_missing(i) for i in missing]
            return Preview(source, target, reasons, [], [], len(running))
        reasons = version_reasons(
            source, target, found[source].process_id, found[target].process_id
        )
        if reasons:
            return Preview(source, target, reasons, [], [], len(running))
        old = runtime.definition_by_id(session, source)
        new = runtime.definition_by_id(session, target)
        plans = []
        for instance_id, code in running:
            result = plan(runtime.load_instance(session, instance_id).run, new)
            plans.append(
                InstancePlan(
                    instance_id, code, result.movable, result.reasons, tuple(result.details)
                )
            )
        return Preview(source, target, [], element_reasons(old, new), plans, len(running))


def _missing(version_id: int) -> Reason:
    return Reason(
        _("Không có phiên bản #%(id)s", id=version_id),
        _("Chọn một phiên bản có trong danh sách phiên bản đã triển khai."),
    )


def apply(
    source: int,
    target: int,
    actor: Actor,
    update_timers: bool = False,
    *,
    processes: int | None = None,
) -> Report:
    """Move every movable instance; safe to run again (moved ones are no longer on `source`),
    and while another run works on the same versions (each instance moves once). Waiting
    timers keep when they are due unless `update_timers`."""
    _require_modeller(actor)
    with db.transaction() as session:
        _versions(session, source, target)
        running = _running(session, source)
    size = max(1, settings.current.MIGRATION_BATCH)
    workers = _processes(processes, len(running), size)
    if workers > 1:
        parts = [
            (running[k::workers], source, target, actor, update_timers) for k in range(workers)
        ]
        with forked_pool(workers) as pool:
            outcomes = [o for part in pool.starmap(_apply_part, parts) for o in part]
    else:
        outcomes = _apply_batches(running, source, target, actor, update_timers)
    return Report(
        [o.dossier_code for o in outcomes if o.movable], [o for o in outcomes if not o.movable]
    )


def _processes(asked: int | None, count: int, size: int) -> int:
    """How many processes share the work: MIGRATION_PROCESSES (0: one per core), at most one
    per batch, and one on SQLite (a single writer at a time)."""
    wanted = asked if asked is not None else settings.current.MIGRATION_PROCESSES
    wanted = wanted or os.cpu_count() or 1
    if db.engine.dialect.name == "sqlite":
        return 1
    return max(1, min(wanted, -(-count // size)))


def _apply_part(
    running: list[tuple[int, str]],
    source: int,
    target: int,
    actor: Actor,
    update_timers: bool = False,
) -> list[InstancePlan]:
    return _apply_batches(running, source, target, actor, update_timers)


def _apply_batches(
    running: list[tuple[int, str]],
    source: int,
    target: int,
    actor: Actor,
    update_timers: bool = False,
) -> list[InstancePlan]:
    size = max(1, settings.current.MIGRATION_BATCH)
    outcomes: list[InstancePlan] = []
    for start in range(0, len(running), size):
        batch = [instance_id for instance_id, _code in running[start : start + size]]
        try:
            outcomes += _move_batch(batch, source, target, actor, update_timers)
        except Conflict:
            # someone changed one of them meanwhile: redo this batch one instance at a time so
            # that a single busy dossier holds back only itself
            outcomes += [
                _move_alone(i, code, source, target, actor, update_timers)
                for i, code in running[start : start + size]
            ]
    return outcomes


def _move_alone(
    instance_id: int, code: str, source: int, target: int, actor: Actor, update_timers: bool
) -> InstancePlan:
    try:
        return _move_batch([instance_id], source, target, actor, update_timers)[0]
    except Conflict:
        return InstancePlan(instance_id, code, False, [_("hồ sơ vừa thay đổi, chạy lại")])


def _move_batch(
    instance_ids: list[int], source: int, target: int, actor: Actor, update_timers: bool = False
) -> list[InstancePlan]:
    """Move the instances in one transaction: loaded in one query, every state saved with its
    version check in one round trip, then one UPDATE of their model version."""
    with db.transaction() as session:
        definition = runtime.definition_by_id(session, target)
        outcomes, moved = [], []
        for loaded in runtime.load_instances(session, instance_ids):
            outcome, changes = _plan_one(loaded, source, definition, update_timers)
            outcomes.append(outcome)
            if changes is not None:
                moved.append((loaded, changes))
        runtime.save_many(session, moved)
        for loaded, changes in moved:
            projection.apply_changes(
                session, loaded.instance.id, loaded.dossier, changes, actor, completed_by=actor
            )
            audit.record(
                session,
                "instance_migrated",
                actor,
                dossier_id=loaded.dossier.id,
                instance_id=loaded.instance.id,
                source=source,
                target=target,
            )
        if moved:
            session.execute(
                update(ProcessInstance)
                .where(ProcessInstance.id.in_([loaded.instance.id for loaded, _c in moved]))
                .values(model_version_id=target)
            )
        return outcomes


def _plan_one(
    loaded: runtime.Loaded, source: int, definition: Definition, update_timers: bool = False
) -> tuple[InstancePlan, Changes | None]:
    """The instance's outcome, and the changes when this call moves it (one no longer on
    `source` was moved by an earlier or concurrent run: its state is left alone)."""
    instance_id, code = loaded.instance.id, loaded.dossier.code
    if loaded.instance.model_version_id != source:
        return InstancePlan(instance_id, code, True, []), None
    result = plan(loaded.run, definition)
    if not result.movable:
        return InstancePlan(instance_id, code, False, result.reasons), None
    return InstancePlan(instance_id, code, True, []), migrate(loaded.run, definition, update_timers)

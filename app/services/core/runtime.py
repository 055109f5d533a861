"""Loading an instance for one use case and saving it back, with optimistic concurrency.

Reads are plain Core rows into small value objects (no ORM graph), because every officer's
action and every worker result passes through here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app import logs, metrics
from app.domain.deadlines import outcome
from app.engine import Changes, Definition, ProcessRun, definitions
from app.i18n import _l
from app.models import Agency, Dossier, HumanTask, ModelVersion, Procedure, ProcessInstance
from app.models.base import utcnow
from app.services.core import calendars, hooks, projection
from app.services.core.actors import SYSTEM, Actor
from app.services.core.errors import Conflict, NotFound
from app.services.core.runtime_refs import (  # noqa: F401 - part of this module's API
    DossierRef,
    InstanceRef,
    Loaded,
    LoadedTask,
    TaskRef,
)
from app.storage.db import after_commit

# Versions are immutable: their hash and process id never change once deployed.
_version_keys: dict[tuple[object, int], tuple[str, str]] = {}


def definition_by_id(session: Session, version_id: int) -> Definition:
    """The parsed model for a version; its files are read only when the cache misses."""
    cache_key = (session.get_bind().url, version_id)
    if cache_key not in _version_keys:
        row = session.execute(
            select(ModelVersion.content_hash, ModelVersion.process_id).where(
                ModelVersion.id == version_id
            )
        ).one()
        _version_keys[cache_key] = (row.content_hash, row.process_id)
    content_hash, process_id = _version_keys[cache_key]
    return definitions.get(
        content_hash,
        lambda: session.scalar(select(ModelVersion.files).where(ModelVersion.id == version_id)),
        process_id,
    )


_DOSSIER_COLUMNS = (
    Dossier.id,
    Dossier.code,
    Dossier.status,
    Dossier.agency_id,
    Agency.code.label("agency_code"),
    Dossier.procedure_id,
    Procedure.code.label("procedure_code"),
    Procedure.name.label("procedure_name"),
    Procedure.step_durations,
    Dossier.channel,
    Dossier.owner_type,
    Dossier.owner_id,
    Dossier.owner_name,
    Dossier.received_at,
    Dossier.due_at,
    Dossier.finished_at,
    Procedure.duration_days.label("duration"),
    Procedure.duration_unit,
    Procedure.supplement_clock,
    Dossier.clock_paused_at,
    Procedure.step_officers,
)
_INSTANCE_COLUMNS = (
    ProcessInstance.id.label("instance_id"),
    ProcessInstance.version,
    ProcessInstance.status.label("instance_status"),
    ProcessInstance.model_version_id,
    ProcessInstance.state,
    ProcessInstance.next_timer_at,
)


# Built once: statements are immutable and SQLAlchemy caches their compiled form.
_BY_INSTANCE = (
    select(*_INSTANCE_COLUMNS, *_DOSSIER_COLUMNS)
    .select_from(ProcessInstance)
    .join(Dossier, Dossier.id == ProcessInstance.dossier_id)
    .join(Procedure, Procedure.id == Dossier.procedure_id)
    .join(Agency, Agency.id == Dossier.agency_id)
)
_BY_TASK = _BY_INSTANCE.add_columns(
    HumanTask.id.label("task_id"),
    HumanTask.role,
    HumanTask.agency_id.label("task_agency_id"),
    HumanTask.state.label("task_state"),
    HumanTask.assignee_id,
    HumanTask.form,
    HumanTask.title,
    HumanTask.element_id,
).join(HumanTask, HumanTask.instance_id == ProcessInstance.id)


_LOAD_INSTANCE = _BY_INSTANCE.where(ProcessInstance.id == bindparam("instance_id"))
_LOAD_TASK = _BY_TASK.where(HumanTask.id == bindparam("task_id"))
_INSTANCES = ProcessInstance.__table__
_INSERT = _INSTANCES.insert().returning(_INSTANCES.c.id)
# Optimistic concurrency: the row must still carry the version this run was loaded from.
_SAVE = (
    update(_INSTANCES)
    .where(_INSTANCES.c.id == bindparam("b_id"), _INSTANCES.c.version == bindparam("b_version"))
    .values(
        state=bindparam("b_state"),
        version=bindparam("b_new_version"),
        next_timer_at=bindparam("b_timer"),
        updated_at=bindparam("b_now"),
        status=bindparam("b_status"),
    )
)


def _refs(row: Any) -> tuple[InstanceRef, DossierRef]:
    m = row._mapping
    instance = InstanceRef(
        m["instance_id"],
        m["version"],
        m["instance_status"],
        m["model_version_id"],
        m["state"],
        m["next_timer_at"],
    )
    dossier = DossierRef(**{c.key: m[c.key] for c in _DOSSIER_COLUMNS})
    # what this process logs from here on is about this dossier (app.logs; reset per request/job)
    logs.set_field("dossier", dossier.code)
    logs.set_field("instance", instance.id)
    return instance, dossier


def load_instance(session: Session, instance_id: int, actor: Actor = SYSTEM) -> Loaded:
    """The instance with its dossier; `actor` is who the step's local calls act for."""
    row = session.connection().execute(_LOAD_INSTANCE, {"instance_id": instance_id}).one_or_none()
    if row is None:
        raise NotFound(_l("Không tìm thấy phiên xử lý"))
    instance, dossier = _refs(row)
    return Loaded(instance, dossier, _run(session, instance, dossier, actor))


def load_instances(
    session: Session, instance_ids: list[int], actor: Actor = SYSTEM
) -> list[Loaded]:
    """Several instances with their dossiers in one query, in the order of `instance_ids`
    (batch work such as a model migration); NotFound if one of them is gone."""
    rows = session.connection().execute(_BY_INSTANCE.where(ProcessInstance.id.in_(instance_ids)))
    found = {}
    for row in rows:
        instance, dossier = _refs(row)
        found[instance.id] = (instance, dossier)
    if len(found) != len(set(instance_ids)):
        raise NotFound(_l("Không tìm thấy phiên xử lý"))
    return [
        Loaded(instance, dossier, _run(session, instance, dossier, actor))
        for instance, dossier in (found[i] for i in instance_ids)
    ]


def load_task(session: Session, task_id: str, actor: Actor = SYSTEM) -> LoadedTask:
    """A task with its instance and dossier in one query; the engine state is loaded too."""
    row = session.connection().execute(_LOAD_TASK, {"task_id": task_id}).one_or_none()
    if row is None:
        raise NotFound(_l("Không tìm thấy công việc"))
    instance, dossier = _refs(row)
    m = row._mapping
    task = TaskRef(
        m["task_id"],
        m["role"],
        m["task_agency_id"],
        m["task_state"],
        m["assignee_id"],
        m["form"],
        m["title"],
        m["element_id"],
        instance.id,
        dossier.id,
    )
    return LoadedTask(instance, dossier, _run(session, instance, dossier, actor), task)


def dossier_ref(dossier: Dossier) -> DossierRef:
    """The value object for a dossier the caller holds as an ORM object (a new receipt)."""
    return DossierRef(
        dossier.id,
        dossier.code,
        dossier.status,
        dossier.agency_id,
        dossier.agency.code,
        dossier.procedure_id,
        dossier.procedure.code,
        dossier.procedure.name,
        dossier.procedure.step_durations,
        dossier.channel,
        dossier.owner_type,
        dossier.owner_id,
        dossier.owner_name,
        dossier.received_at,
        dossier.due_at,
        dossier.finished_at,
        dossier.procedure.duration_days,
        dossier.procedure.duration_unit,
        dossier.procedure.supplement_clock,
        dossier.clock_paused_at,
        dossier.procedure.step_officers,
    )


def _run(session: Session, instance: InstanceRef, dossier: DossierRef, actor: Actor) -> ProcessRun:
    return ProcessRun.load(
        definition_by_id(session, instance.model_version_id),
        instance.state,
        hooks.current.local_operators(session, dossier, actor),
        calendar_of(session),
    )


def calendar_of(session: Session):  # noqa: ANN201
    """The office calendar, read only if a timer in working time asks for it (and once per
    transaction: `calendars.work_calendar` keeps it in the session)."""
    return lambda: calendars.work_calendar(session)


def commit_run(
    session: Session, loaded: Loaded, changes: Changes, actor: Actor, *, completed_by: Actor
) -> None:
    """Save the state first (the versioned UPDATE is what serialises concurrent writers),
    then project the changes."""
    save(session, loaded, changes)
    projection.apply_changes(
        session, loaded.instance.id, loaded.dossier, changes, actor, completed_by=completed_by
    )


def save(session: Session, loaded: Loaded, changes: Changes) -> None:
    """Write the new state; a concurrent writer that got there first turns this into Conflict."""
    instance = loaded.instance
    result = session.connection().execute(
        _SAVE,
        {
            "b_id": instance.id,
            "b_version": instance.version,
            "b_state": loaded.run.dump(),
            "b_new_version": instance.version + 1,
            "b_timer": changes.next_timer_at,
            "b_now": utcnow(),
            "b_status": "completed" if changes.finished else instance.status,
        },
    )
    if result.rowcount != 1:
        raise Conflict(_l("Hồ sơ vừa được người khác cập nhật; vui lòng tải lại"))
    instance.version += 1
    if changes.finished:
        _finish(session, loaded.dossier)


def save_many(session: Session, runs: list[tuple[Loaded, Changes]]) -> None:
    """Write several new states in one round trip (an executemany of the versioned UPDATE);
    Conflict when any of them was changed meanwhile (the caller's transaction rolls back)."""
    if not runs:
        return
    now = utcnow()
    result = session.connection().execute(
        _SAVE,
        [
            {
                "b_id": loaded.instance.id,
                "b_version": loaded.instance.version,
                "b_state": loaded.run.dump(),
                "b_new_version": loaded.instance.version + 1,
                "b_timer": changes.next_timer_at,
                "b_now": now,
                "b_status": "completed" if changes.finished else loaded.instance.status,
            }
            for loaded, changes in runs
        ],
    )
    if result.rowcount != len(runs):
        raise Conflict(_l("Hồ sơ vừa được người khác cập nhật; vui lòng tải lại"))
    for loaded, changes in runs:
        loaded.instance.version += 1
        if changes.finished:
            _finish(session, loaded.dossier)


def commit_new(
    session: Session,
    dossier: DossierRef,
    model_version_id: int,
    run: ProcessRun,
    changes: Changes,
    actor: Actor,
) -> int:
    """Insert a just-started instance with its first state (version 1: one write, no
    placeholder row to update), then project the changes; returns the instance id."""
    status = "completed" if changes.finished else "running"
    instance_id = (
        session.connection()
        .execute(
            _INSERT,
            {
                "dossier_id": dossier.id,
                "model_version_id": model_version_id,
                "state": run.dump(),
                "version": 1,
                "status": status,
                "next_timer_at": changes.next_timer_at,
            },
        )
        .scalar_one()
    )
    if changes.finished:
        _finish(session, dossier)
    projection.apply_changes(session, instance_id, dossier, changes, actor, completed_by=actor)
    return instance_id


def _finish(session: Session, dossier: DossierRef) -> None:
    """The dossier's end time and outcome, once, when its process has finished."""
    if dossier.finished_at is not None:
        return
    finished = dossier.finished_at = utcnow()
    after_commit(session, metrics.DOSSIERS_FINISHED.inc)
    result_outcome = outcome(finished, dossier.due_at)
    session.connection().execute(
        update(Dossier.__table__)
        .where(Dossier.id == dossier.id)
        .values(finished_at=finished, outcome=result_outcome and str(result_outcome))
    )

"""What every engine-touching use case shares: load an instance, apply its changes, save it.

`apply_changes` keeps the task projection, dossier status, audit log and outbox in step with
the engine, inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, joinedload

from app.domain.calendar import add_working_days
from app.domain.roles import role_for_lane
from app.domain.status import DossierStatus, parse_status
from app.engine import Changes, Definition, ProcessRun, UserTaskView, definitions
from app.models import Dossier, HumanTask, ModelVersion, ProcessInstance
from app.models.base import utcnow
from app.services import audit, outbox
from app.services.actors import Actor
from app.services.errors import Conflict, NotFound
from app.services.portal_sync import status_record

STATUS_PROPERTY = "dossierStatus"
DURATION_PROPERTY = "durationDays"


def definition_of(version: ModelVersion) -> Definition:
    return definitions.get(version.content_hash, version.files, version.process_id)


# Versions are immutable: their hash and process id never change once deployed.
_version_keys: dict[tuple[str, int], tuple[str, str]] = {}


def definition_by_id(session: Session, version_id: int) -> Definition:
    """The parsed model for a version; its files are read only when the cache misses."""
    cache_key = (str(session.get_bind().url), version_id)
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


@dataclass
class Loaded:
    instance: ProcessInstance
    dossier: Dossier
    run: ProcessRun


def _instance_query():  # noqa: ANN202
    return (
        select(ProcessInstance, Dossier)
        .join(Dossier, Dossier.id == ProcessInstance.dossier_id)
        .options(joinedload(Dossier.procedure), joinedload(Dossier.agency))
    )


def load_instance(session: Session, instance_id: int) -> Loaded:
    row = session.execute(_instance_query().where(ProcessInstance.id == instance_id)).one_or_none()
    if row is None:
        raise NotFound("Không tìm thấy phiên xử lý / process instance not found")
    return _loaded(session, *row)


def load_task(session: Session, task_id: str) -> tuple[HumanTask, ProcessInstance, Dossier]:
    """A task with its instance and dossier in one query (the engine state is not parsed)."""
    row = session.execute(
        _instance_query()
        .add_columns(HumanTask)
        .join(HumanTask, HumanTask.instance_id == ProcessInstance.id)
        .where(HumanTask.id == task_id)
    ).one_or_none()
    if row is None:
        raise NotFound("Không tìm thấy công việc / task not found")
    instance, dossier, task = row
    return task, instance, dossier


def run_of(session: Session, instance: ProcessInstance, dossier: Dossier) -> Loaded:
    return _loaded(session, instance, dossier)


def _loaded(session: Session, instance: ProcessInstance, dossier: Dossier) -> Loaded:
    run = ProcessRun.load(definition_by_id(session, instance.model_version_id), instance.state)
    return Loaded(instance, dossier, run)


def save(session: Session, loaded: Loaded, changes: Changes) -> None:
    """Write the new state; a concurrent writer that got there first turns this into Conflict."""
    instance = loaded.instance
    if changes.finished:
        loaded.dossier.finished_at = loaded.dossier.finished_at or utcnow()
    # Optimistic concurrency: the row must still carry the version this run was loaded from.
    result = session.execute(
        update(ProcessInstance)
        .where(ProcessInstance.id == instance.id, ProcessInstance.version == instance.version)
        .values(
            state=loaded.run.dump(),
            version=instance.version + 1,
            next_timer_at=changes.next_timer_at,
            updated_at=utcnow(),
            status="completed" if changes.finished else instance.status,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(
            "Hồ sơ vừa được người khác cập nhật; vui lòng tải lại / "
            "the dossier was changed by someone else, reload and retry"
        )


def commit_run(
    session: Session, loaded: Loaded, changes: Changes, actor: Actor, *, completed_by: Actor
) -> None:
    """Save the state first (the versioned UPDATE is what serialises concurrent writers),
    then project the changes."""
    save(session, loaded, changes)
    apply_changes(session, loaded, changes, actor, completed_by=completed_by)


def apply_changes(
    session: Session, loaded: Loaded, changes: Changes, actor: Actor, *, completed_by: Actor
) -> None:
    """Project what the engine did: tasks, dossier status, audit events and outbox rows."""
    instance, dossier = loaded.instance, loaded.dossier
    _sync_tasks(session, instance, dossier, changes, completed_by)
    for element in changes.completed:
        if STATUS_PROPERTY in element.properties:
            set_status(
                session,
                dossier,
                parse_status(element.properties[STATUS_PROPERTY]),
                actor,
                instance_id=instance.id,
                element=element.name,
            )
    for call in changes.service_calls:
        outbox.add(
            session,
            call.operator,
            call.params,
            instance_id=instance.id,
            dossier_id=dossier.id,
            task_id=call.task_id,
        )
        audit.record(
            session,
            "service_call_requested",
            actor,
            dossier_id=dossier.id,
            instance_id=instance.id,
            task_id=call.task_id,
            operator=call.operator,
            element=call.element_id,
        )
    if changes.finished:
        audit.record(
            session, "process_completed", actor, dossier_id=dossier.id, instance_id=instance.id
        )


def set_status(
    session: Session, dossier: Dossier, status: DossierStatus, actor: Actor, **detail: object
) -> None:
    """Change the dossier's status and queue its sync to the portal, in order, once."""
    if dossier.status == status:
        return
    previous = dossier.status
    dossier.status = int(status)
    audit.record(
        session,
        "status_changed",
        actor,
        dossier_id=dossier.id,
        previous=previous,
        status=int(status),
        label=status.label_vi,
        **detail,
    )
    outbox.add(
        session,
        "portal.sync_status",
        status_record(dossier),
        dossier_id=dossier.id,
        ordering_key=f"dossier:{dossier.id}",
    )


def _sync_tasks(
    session: Session,
    instance: ProcessInstance,
    dossier: Dossier,
    changes: Changes,
    completed_by: Actor,
) -> None:
    # The projection mirrors the engine's waiting tasks exactly, so what left and what entered
    # the waiting set is all it needs: no read of the projection is required.
    now = utcnow()
    completed_ids = {element.task_id for element in changes.completed}
    done = [task_id for task_id in changes.left if task_id in completed_ids]
    cancelled = [task_id for task_id in changes.left if task_id not in completed_ids]
    if done:
        session.execute(
            update(HumanTask)
            .where(HumanTask.id.in_(done))
            .values(
                state="completed",
                completed_at=now,
                completed_by_id=completed_by.id,
                assignee_id=func.coalesce(HumanTask.assignee_id, completed_by.id),
            )
            .execution_options(synchronize_session=False)
        )
    if cancelled:
        session.execute(
            update(HumanTask)
            .where(HumanTask.id.in_(cancelled))
            .values(state="cancelled", completed_at=now)
            .execution_options(synchronize_session=False)
        )
        for task_id in cancelled:
            audit.record(
                session,
                "task_cancelled",
                completed_by,
                dossier_id=dossier.id,
                instance_id=instance.id,
                task_id=task_id,
            )
    if changes.entered:
        session.execute(
            insert(HumanTask), [_new_task(instance, dossier, v) for v in changes.entered]
        )
        for view in changes.entered:
            audit.record(
                session,
                "task_created",
                completed_by,
                dossier_id=dossier.id,
                instance_id=instance.id,
                task_id=view.id,
                title=view.title,
                role=role_for_lane(view.lane),
            )


def _new_task(instance: ProcessInstance, dossier: Dossier, view: UserTaskView) -> dict:
    created = utcnow()
    days = dossier.procedure.step_durations.get(view.element_id) or view.properties.get(
        DURATION_PROPERTY
    )
    return {
        "id": view.id,
        "instance_id": instance.id,
        "dossier_id": dossier.id,
        "element_id": view.element_id,
        "title": view.title,
        "role": role_for_lane(view.lane) or "reception",
        "agency_id": dossier.agency_id,
        "state": "open",
        "form": view.form,
        "created_at": created,
        "due_at": add_working_days(created, float(days)) if days else None,
    }

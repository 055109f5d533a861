"""What every engine-touching use case shares: load an instance, apply its changes, save it.

`apply_changes` keeps the task projection, dossier status, audit log and outbox in step with
the engine, inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

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


@dataclass
class Loaded:
    instance: ProcessInstance
    dossier: Dossier
    run: ProcessRun


def load_instance(session: Session, instance_id: int) -> Loaded:
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound("Không tìm thấy phiên xử lý / process instance not found")
    dossier = session.get(Dossier, instance.dossier_id)
    assert dossier is not None
    version = session.get(ModelVersion, instance.model_version_id)
    assert version is not None
    run = ProcessRun.load(definition_of(version), instance.state)
    return Loaded(instance, dossier, run)


def save(session: Session, loaded: Loaded, changes: Changes) -> None:
    """Write the new state; a concurrent writer that got there first turns this into Conflict."""
    instance = loaded.instance
    instance.state = loaded.run.dump()
    instance.next_timer_at = changes.next_timer_at
    instance.updated_at = utcnow()
    if changes.finished:
        instance.status = "completed"
        loaded.dossier.finished_at = loaded.dossier.finished_at or utcnow()
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(
            "Hồ sơ vừa được người khác cập nhật; vui lòng tải lại / "
            "the dossier was changed by someone else, reload and retry"
        ) from exc


def apply_changes(
    session: Session, loaded: Loaded, changes: Changes, actor: Actor, *, completed_by: Actor
) -> None:
    """Project what the engine did: tasks, dossier status, audit events and outbox rows."""
    instance, dossier = loaded.instance, loaded.dossier
    _sync_tasks(session, instance, dossier, changes, completed_by)
    for element in changes.completed:
        if STATUS_PROPERTY in element.properties:
            set_status(session, dossier, parse_status(element.properties[STATUS_PROPERTY]), actor,
                       instance_id=instance.id, element=element.name)
    for call in changes.service_calls:
        outbox.add(session, call.operator, call.params, instance_id=instance.id,
                   dossier_id=dossier.id, task_id=call.task_id)
        audit.record(session, "service_call_requested", actor, dossier_id=dossier.id,
                     instance_id=instance.id, task_id=call.task_id, operator=call.operator,
                     element=call.element_id)
    if changes.finished:
        audit.record(session, "process_completed", actor, dossier_id=dossier.id,
                     instance_id=instance.id)


def set_status(
    session: Session, dossier: Dossier, status: DossierStatus, actor: Actor, **detail: object
) -> None:
    """Change the dossier's status and queue its sync to the portal, in order, once."""
    if dossier.status == status:
        return
    previous = dossier.status
    dossier.status = int(status)
    session.flush()
    audit.record(session, "status_changed", actor, dossier_id=dossier.id,
                 previous=previous, status=int(status), label=status.label_vi, **detail)
    outbox.add(session, "portal.sync_status", status_record(dossier), dossier_id=dossier.id,
               ordering_key=f"dossier:{dossier.id}")


def _sync_tasks(
    session: Session, instance: ProcessInstance, dossier: Dossier, changes: Changes,
    completed_by: Actor,
) -> None:
    open_rows = {
        row.id: row
        for row in session.scalars(
            select(HumanTask).where(HumanTask.instance_id == instance.id,
                                    HumanTask.state == "open")
        )
    }
    ready = {view.id: view for view in changes.ready}
    completed_ids = {element.task_id for element in changes.completed}
    now = utcnow()
    for task_id, row in open_rows.items():
        if task_id in ready:
            continue
        if task_id in completed_ids:
            row.state, row.completed_at, row.completed_by_id = "completed", now, completed_by.id
        else:
            row.state, row.completed_at = "cancelled", now
            audit.record(session, "task_cancelled", completed_by, dossier_id=dossier.id,
                         instance_id=instance.id, task_id=task_id, title=row.title)
    for task_id, view in ready.items():
        if task_id not in open_rows:
            session.add(_new_task(instance, dossier, view))
            audit.record(session, "task_created", completed_by, dossier_id=dossier.id,
                         instance_id=instance.id, task_id=task_id, title=view.title,
                         role=role_for_lane(view.lane))


def _new_task(instance: ProcessInstance, dossier: Dossier, view: UserTaskView) -> HumanTask:
    created = utcnow()
    days = dossier.procedure.step_durations.get(view.element_id) or view.properties.get(
        DURATION_PROPERTY
    )
    return HumanTask(
        id=view.id,
        instance_id=instance.id,
        dossier_id=dossier.id,
        element_id=view.element_id,
        title=view.title,
        role=role_for_lane(view.lane) or "reception",
        agency_id=dossier.agency_id,
        form=view.form,
        created_at=created,
        due_at=add_working_days(created, float(days)) if days else None,
    )

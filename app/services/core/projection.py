"""Projecting what the engine did: dossier status, audit events, outbox rows, the follow-ups
of `hooks`; the task rows themselves are `projection_tasks`.

Everything here runs inside the caller's transaction, after the versioned state UPDATE.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app.domain.status import DossierStatus, parse_status, portal_time
from app.engine import Changes
from app.models import Agency, Document, Dossier
from app.models.base import utcnow
from app.services.core import audit, fees, hooks, outbox, portal_sync, projection_tasks
from app.services.core.actors import Actor
from app.services.core.portal_sync import status_record

if TYPE_CHECKING:
    from app.services.core.runtime import DossierRef

_DOSSIERS = Dossier.__table__
# Built once with bind parameters: these run on every step.
_SET_STATUS = (
    update(_DOSSIERS)
    .where(_DOSSIERS.c.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"),
        due_at=bindparam("b_due"),
        clock_paused_at=bindparam("b_paused"),
    )
)
STATUS_PROPERTY = "dossierStatus"


def apply_changes(
    session: Session,
    instance_id: int,
    dossier: DossierRef,
    changes: Changes,
    actor: Actor,
    *,
    completed_by: Actor,
) -> None:
    """Update the task projection, audit and outbox after an engine run (same transaction)."""
    """Bring the projection, the dossier's status, the audit log and the outbox in line with
    one engine step (`actor` acted; `completed_by` finished the user tasks)."""
    finished = projection_tasks.sync(session, instance_id, dossier, changes, completed_by)
    before = dossier.status
    portal_fees = None  # read once for the statuses of one step: nothing here changes them
    for element in changes.completed:
        if STATUS_PROPERTY in element.properties:
            status = parse_status(element.properties[STATUS_PROPERTY])
            if portal_fees is None and status != dossier.status:
                portal_fees = fees.portal_fees(session, dossier.id)
            record_status(
                session,
                dossier,
                status,
                actor,
                fees_now=portal_fees,
                instance_id=instance_id,
                element=element.name,
            )
    if dossier.status != before:
        _write_status(session, dossier)
    if finished:
        # after the statuses: each finished step is reported with the status it led to
        _sync_progress(session, dossier, finished, completed_by, utcnow())
    for element in changes.completed:
        for name, follow_up in hooks.current.on_property.items():
            if name in element.properties:
                follow_up(
                    session, instance_id, dossier, element.properties[name], actor, element.name
                )
    for call in changes.service_calls:
        outbox.add(
            session,
            call.operator,
            call.params,
            instance_id=instance_id,
            dossier_id=dossier.id,
            task_id=call.task_id,
        )
        audit.record(
            session,
            "service_call_requested",
            actor,
            dossier_id=dossier.id,
            instance_id=instance_id,
            task_id=call.task_id,
            operator=call.operator,
            element=call.element_id,
        )
    if changes.finished:
        audit.record(
            session, "process_completed", actor, dossier_id=dossier.id, instance_id=instance_id
        )


def set_status(
    session: Session, dossier: DossierRef, status: DossierStatus, actor: Actor, **detail: object
) -> None:
    """Change the dossier's status and queue its sync to the portal, in order, once."""
    if dossier.status != status:
        record_status(session, dossier, status, actor, **detail)
        _write_status(session, dossier)


def _write_status(session: Session, dossier: DossierRef) -> None:
    session.connection().execute(
        _SET_STATUS,
        {
            "b_id": dossier.id,
            "b_status": dossier.status,
            "b_due": dossier.due_at,
            "b_paused": dossier.clock_paused_at,
        },
    )


def record_status(
    session: Session,
    dossier: DossierRef,
    status: DossierStatus,
    actor: Actor,
    *,
    fees_now: list[dict[str, object]] | None = None,
    **detail: object,
) -> None:
    """Audit and queue the portal sync of one status step; the dossier row is written once.
    `fees_now`: the dossier's portal fees when the caller has read them (read here if not)."""
    if dossier.status == status:
        return
    previous, dossier.status = dossier.status, int(status)
    for follow_up in hooks.current.before_status:
        follow_up(session, dossier, previous, status, actor)
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
        status_record(
            dossier, fees.portal_fees(session, dossier.id) if fees_now is None else fees_now
        ),
        dossier_id=dossier.id,
        ordering_key=f"dossier:{dossier.id}",
    )
    if status == DossierStatus.RETURNED:
        _publish_results(session, dossier)
    for follow_up in hooks.current.after_status:
        follow_up(session, dossier, previous, status, actor)


def _publish_results(session: Session, dossier: DossierRef) -> None:
    """Once the result is returned the e-results go to the citizen's Kho DL and show on the
    portal under "Dịch vụ công của tôi" (002 §4 step 4)."""
    for doc in session.scalars(
        select(Document).where(Document.dossier_id == dossier.id, Document.source == "result")
    ):
        outbox.add(
            session,
            "portal.publish_result",
            {
                "dossier_code": dossier.code,
                "owner_id": dossier.owner_id,
                "document": {
                    "storage_key": doc.storage_key,
                    "type_code": doc.type_code,
                    "name": doc.name,
                    "sha256": doc.file_sha256,
                    "warehouse_id": doc.warehouse_id,
                },
            },
            dossier_id=dossier.id,
            ordering_key=f"dossier:{dossier.id}",
        )


def _sync_progress(
    session: Session, dossier: DossierRef, finished: list, officer: Actor, now: datetime
) -> None:
    """Each finished step goes to the portal as a progress entry (who, what, when, which
    department, start and due), in the dossier's order with its statuses."""
    names = dict(
        session.execute(
            select(Agency.id, Agency.name).where(Agency.id.in_({r.agency_id for r in finished}))
        ).all()
    )
    for row in sorted(finished, key=lambda r: r.created_at):
        portal_sync.tell_progress(
            session,
            dossier_id=dossier.id,
            code=dossier.code,
            status=dossier.status,
            title=row.title,
            officer=officer.name,
            department=names.get(row.agency_id, ""),
            content=f"Hoàn thành: {row.title}",
            finished_at=now,
            outcome=row.outcome,
            started_at=portal_time(row.created_at),
            due_at=portal_time(row.due_at) if row.due_at else None,
        )

"""Firing due BPMN timers (hẹn giờ), found through an index, never by scanning instances."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.engine import WorkflowFailed
from app.models import ProcessInstance
from app.models.base import utcnow
from app.services.core import audit, outbox, runtime
from app.services.core.actors import SYSTEM
from app.services.core.errors import Conflict
from app.storage.db import db


def due_instances(now: datetime, limit: int) -> list[int]:
    """List the instances whose next timer is due at `now`."""
    with db.transaction() as session:
        return list(
            session.scalars(
                select(ProcessInstance.id)
                .where(ProcessInstance.next_timer_at <= now, ProcessInstance.status == "running")
                .order_by(ProcessInstance.next_timer_at)
                .limit(limit)
            )
        )


def fire_due_timers(now: datetime | None = None, limit: int = 200) -> int:
    """Advance every instance whose next timer is due; safe to run in several processes."""
    now = now or utcnow()
    fired = 0
    for instance_id in due_instances(now, limit):
        try:
            fired += _fire(instance_id, now)
        except Conflict:
            continue  # another scheduler or an officer moved it first; it is re-read next pass
    return fired


def _fire(instance_id: int, now: datetime) -> int:
    with db.transaction() as session:
        loaded = runtime.load_instance(session, instance_id)
        due = loaded.instance.next_timer_at
        if due is None or due > now or loaded.instance.status != "running":
            return 0
        try:
            changes = loaded.run.fire_timers()
        except WorkflowFailed as exc:
            # The model failed on this path (a script over its limits, say): supervisors see an
            # incident, the timer stops being retried every pass, and the other instances fire.
            outbox.timer_incident(session, loaded.dossier.id, instance_id, due, str(exc))
            return 0
        audit.record(
            session,
            "timer_fired",
            SYSTEM,
            dossier_id=loaded.dossier.id,
            instance_id=instance_id,
            due=due.isoformat(),
        )
        runtime.commit_run(session, loaded, changes, SYSTEM, completed_by=SYSTEM)
        return 1

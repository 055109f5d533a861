"""Appending to the audit log (nhật ký xử lý): the only way rows get into it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.models import AuditEvent
from app.services.actors import Actor


def record(
    session: Session,
    kind: str,
    actor: Actor,
    *,
    dossier_id: int | None,
    instance_id: int | None = None,
    task_id: str | None = None,
    **data: Any,
) -> None:
    session.add(
        AuditEvent(
            kind=kind,
            actor_id=actor.id,
            actor_name=actor.name,
            dossier_id=dossier_id,
            instance_id=instance_id,
            task_id=task_id,
            data=data,
        )
    )

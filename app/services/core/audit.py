"""Appending to the audit log (nhật ký xử lý): the only way rows get into it.

Rows are collected during the transaction and written in one batched INSERT just before
commit, in the order they were recorded.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.i18n import text
from app.models import AuditEvent
from app.models.base import utcnow
from app.services.core.actors import Actor
from app.storage.db import before_commit


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
    """Append one event to a dossier's processing history (append-only audit log)."""
    rows = session.info.get("audit_rows")
    if rows is None:
        rows = session.info["audit_rows"] = []
        before_commit(session, _write)
    rows.append(
        {
            "at": utcnow(),
            "kind": kind,
            "actor_id": actor.id,
            "actor_name": actor.name,
            "dossier_id": dossier_id,
            "instance_id": instance_id,
            "task_id": task_id,
            "data": text(data),  # a lazy message is stored as text, never as an object
        }
    )


def _write(session: Session) -> None:
    rows = session.info.pop("audit_rows", [])
    if rows:
        session.connection().execute(AuditEvent.__table__.insert(), rows)

"""The append-only audit log: the legal processing history of each dossier."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Json, UtcDateTime, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_dossier", "dossier_id", "id"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # No foreign keys (migration 0017): the log records, it does not constrain; a lookup per
    # row would slow every step, and a mass sweep most of all.
    dossier_id: Mapped[int | None] = mapped_column()
    instance_id: Mapped[int | None] = mapped_column()
    task_id: Mapped[str | None] = mapped_column(String(36))
    actor_id: Mapped[int | None] = mapped_column()
    actor_name: Mapped[str] = mapped_column(String(255), default="system")
    kind: Mapped[str] = mapped_column(String(48))
    data: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)

"""The human-task projection: one row per user task, what inboxes and supervisors query."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Json, UtcDateTime, utcnow
from app.models.dossier import Dossier

_OPEN = text("state = 'open'")
_UNCLAIMED = text("state = 'open' AND assignee_id IS NULL")
_SWEEP_OVERDUE = text("state = 'open' AND deadline_state <> 'overdue'")
_SWEEP_SOON = text("state = 'open' AND deadline_state = 'on_time'")


class HumanTask(Base):
    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_pool", "agency_id", "role", "state"),
        Index("ix_human_task_assignee", "assignee_id", "state"),
        Index("ix_human_task_due", "state", "due_at"),
        # Partial indexes (migration 0007): what the sweep, the desk and the pools read.
        Index(
            "ix_human_task_sweep_overdue",
            "due_at",
            postgresql_where=_SWEEP_OVERDUE,
            sqlite_where=_SWEEP_OVERDUE,
        ),
        Index(
            "ix_human_task_sweep_due_soon",
            "due_soon_at",
            postgresql_where=_SWEEP_SOON,
            sqlite_where=_SWEEP_SOON,
        ),
        Index(
            "ix_human_task_open_deadline",
            "deadline_state",
            "due_at",
            postgresql_where=_OPEN,
            sqlite_where=_OPEN,
        ),
        Index(
            "ix_human_task_open_unclaimed",
            "due_at",
            postgresql_where=_UNCLAIMED,
            sqlite_where=_UNCLAIMED,
        ),
        Index(
            "ix_human_task_open_procedure",
            "procedure_id",
            "element_id",
            postgresql_where=_OPEN,
            sqlite_where=_OPEN,
        ),
        # Migration 0019: the task lists' filters and sorts (bench/task_lists.py).
        Index(
            "ix_human_task_open_channel",
            "channel",
            "due_at",
            postgresql_where=_OPEN,
            sqlite_where=_OPEN,
        ),
        Index(
            "ix_human_task_open_received", "received_at", postgresql_where=_OPEN, sqlite_where=_OPEN
        ),
        Index(
            "ix_human_task_open_created", "created_at", postgresql_where=_OPEN, sqlite_where=_OPEN
        ),
        Index("ix_human_task_open_title", "title", postgresql_where=_OPEN, sqlite_where=_OPEN),
        # the inbox's counts per choice read these alone (no table row): my open tasks, and the
        # unclaimed ones of a pool, by deadline state and procedure
        Index(
            "ix_human_task_open_mine",
            "assignee_id",
            "procedure_id",
            "deadline_state",
            postgresql_where=_OPEN,
            sqlite_where=_OPEN,
        ),
        Index(
            "ix_human_task_open_pool",
            "agency_id",
            "role",
            "procedure_id",
            "deadline_state",
            postgresql_where=_UNCLAIMED,
            sqlite_where=_UNCLAIMED,
        ),
        # the default order's first segment, escalated steps (few): a seek, not a scan
        Index(
            "ix_human_task_open_priority",
            "priority",
            "due_at",
            postgresql_where=_OPEN,
            sqlite_where=_OPEN,
        ),
    )

    # The engine's task id (a UUID string): stable across load/save.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    # Copied from the dossier so per-procedure counts need no join.
    procedure_id: Mapped[int | None] = mapped_column()
    # Copied from the dossier (neither changes after reception) so that the task lists filter
    # and sort on them without a join (migration 0019).
    channel: Mapped[str | None] = mapped_column(String(16))
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    element_id: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # open → completed | cancelled
    state: Mapped[str] = mapped_column(String(16), default="open")
    form: Mapped[dict[str, Any] | None] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    due_soon_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # on_time → due_soon → overdue, moved forward by the deadline sweep
    # (app.services.deadlines.overdue)
    deadline_state: Mapped[str] = mapped_column(String(16), default="on_time")
    # early | on_time | late, recorded when the step is completed
    outcome: Mapped[str | None] = mapped_column(String(16))
    # 1 once escalated: such steps sort first in inboxes and lists
    priority: Mapped[int] = mapped_column(SmallInteger, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    dossier: Mapped[Dossier] = relationship()

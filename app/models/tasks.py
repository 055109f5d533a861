"""The human-task projection: one row per user task, what inboxes and supervisors query.

Triggers on this table keep the lists' counts (app/models/task_counts.py, migration 0020): a
migration that rebuilds the table (Alembic's SQLite batch mode, for a changed column) must
create them again.
"""

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
_ESCALATED = text("state = 'open' AND priority > 0")
_WHERE_OPEN: dict = {"postgresql_where": _OPEN, "sqlite_where": _OPEN}
# What the lists' filters and counts name (`app.services.dossiers.task_search`), so that an index
# holding them all answers a count without reading the table (migration 0019).
_COVER = (
    "deadline_state",
    "procedure_id",
    "element_id",
    "channel",
    "received_at",
    "dossier_id",
    "state",
)
# ... and what a page of my tasks or of a pool is sorted by (a few thousand at most), so that
# the page is sorted from the index alone (the dossier's code and owner since migration 0020)
_PAGE = ("priority", "due_at", "created_at", "title", "id", "dossier_code", "owner_name")
# the columns a list names besides the one an index is led by (channel, day received)
_REST = (
    "deadline_state",
    "procedure_id",
    "element_id",
    "dossier_id",
    "agency_id",
    "assignee_id",
    "role",
    "priority",
    "state",
    "id",
)


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
        # Migration 0019: the task lists' filters and sorts (bench/task_lists.py).
        # a filter by channel or by day received, walked in order and counted from the index
        Index("ix_human_task_list_channel", "channel", "due_at", *_REST, **_WHERE_OPEN),
        Index("ix_human_task_list_received", "received_at", *_REST, **_WHERE_OPEN),
        Index(
            "ix_human_task_open_created", "created_at", postgresql_where=_OPEN, sqlite_where=_OPEN
        ),
        # the sorts by step, code and owner, ended by the tie-break (migration 0020)
        Index("ix_human_task_open_title", "title", "id", **_WHERE_OPEN),
        Index("ix_human_task_open_code", "dossier_code", "id", **_WHERE_OPEN),
        Index("ix_human_task_open_owner", "owner_name", "id", **_WHERE_OPEN),
        # The lists' counts and searches read these alone, never a table row: each holds every
        # column a filter or a count names, led by a scope (my tasks, a pool) or by a choice
        # counted (a deadline state, a procedure and its steps).
        Index(
            "ix_human_task_list_mine", "assignee_id", *_COVER, "agency_id", *_PAGE, **_WHERE_OPEN
        ),
        Index(
            "ix_human_task_list_pool",
            "agency_id",
            "role",
            *_COVER,
            "assignee_id",
            *_PAGE,
            postgresql_where=_UNCLAIMED,
            sqlite_where=_UNCLAIMED,
        ),
        Index(
            "ix_human_task_list_state", *_COVER, "agency_id", "assignee_id", "role", **_WHERE_OPEN
        ),
        Index(
            "ix_human_task_list_procedure",
            "procedure_id",
            "element_id",
            "deadline_state",
            "channel",
            "received_at",
            "dossier_id",
            "agency_id",
            "assignee_id",
            "role",
            "state",
            **_WHERE_OPEN,
        ),
        # the sorts by procedure, unit and officer: a segment per name, each walked by task id
        Index("ix_human_task_open_procedure_id", "procedure_id", "id", **_WHERE_OPEN),
        Index("ix_human_task_open_agency_id", "agency_id", "id", **_WHERE_OPEN),
        Index("ix_human_task_open_assignee_id", "assignee_id", "id", **_WHERE_OPEN),
        # the default order's first segment, escalated steps (few), with every column a list
        # filters by: read from this index alone, whatever the filters (migration 0020)
        Index(
            "ix_human_task_open_escalated",
            "priority",
            "due_at",
            *(c for c in _REST if c not in ("priority", "state", "id")),
            "channel",
            "received_at",
            "state",
            "id",
            postgresql_where=_ESCALATED,
            sqlite_where=_ESCALATED,
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
    # Copied from the dossier (kept in step by a trigger, migration 0020) so that the lists sort
    # by them without a join.
    dossier_code: Mapped[str | None] = mapped_column(String(64))
    owner_name: Mapped[str | None] = mapped_column(String(255))
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

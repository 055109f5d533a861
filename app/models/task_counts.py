"""How many open tasks there are per list key, kept by the database itself (migration 0020).

The supervisor's list and the pools count their tasks by deadline state and by procedure; read
from the tasks, that is every open task of a province. Triggers on `human_task` append one row
to `task_count_change` (+1 or -1) for each open task that appears, goes or changes key, without
ever updating a shared row, so concurrent transactions never wait on (or deadlock over) a counter.
The scheduler folds the changes into `task_count` (one writer at a time); a count is the sum of
both tables, exact at every moment (app/services/dossiers/task_counts.py).
"""

from __future__ import annotations

from sqlalchemy import Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

# The key of a count: what the lists' scopes and the filters that a count can serve name.
# A task without procedure or channel is counted under 0 and "" (a key column is never NULL, so
# that one key is one row).
KEY_COLUMNS = (
    "agency_id",
    "role",
    "claimed",
    "procedure_id",
    "element_id",
    "channel",
    "deadline_state",
)


class _Key:
    agency_id: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))
    # 1: the task has an assignee; 0: it waits in its role's pool
    claimed: Mapped[int] = mapped_column(SmallInteger)
    procedure_id: Mapped[int] = mapped_column(Integer)
    element_id: Mapped[str] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(16))
    deadline_state: Mapped[str] = mapped_column(String(16))
    n: Mapped[int] = mapped_column(Integer)


class TaskCount(_Key, Base):
    """Open tasks per key, as of the last fold."""

    __tablename__ = "task_count"
    # a procedure's steps (the step filter, the steps offered for a procedure)
    __table_args__ = (Index("ix_task_count_procedure", "procedure_id", "element_id"),)

    agency_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    claimed: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    procedure_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    element_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    deadline_state: Mapped[str] = mapped_column(String(16), primary_key=True)


# The key of the per-unit counts: what a supervisor's list names when no filter needs a role
# or a step (a province's whole scope is then a few thousand rows, not one per step and role).
UNIT_KEY_COLUMNS = ("agency_id", "claimed", "procedure_id", "channel", "deadline_state")


class TaskCountUnit(Base):
    """Open tasks per unit, claimed or not, procedure, channel and deadline state, as of the
    last fold (folded from the same changes as `task_count`)."""

    __tablename__ = "task_count_unit"

    agency_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claimed: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    procedure_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    deadline_state: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class TaskCountChange(_Key, Base):
    """One change of a key's count (+1 or -1), appended by the triggers, folded away later."""

    __tablename__ = "task_count_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)

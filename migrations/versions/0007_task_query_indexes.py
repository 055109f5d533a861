"""Indexes for the desk and the sweep at scale; the procedure on each task row

- partial indexes holding only the sweep's candidates (open and not yet overdue / on time);
- open tasks by deadline state and due time (the overdue list walks it in order);
- open unclaimed tasks by due time (the pools);
- human_task.procedure_id (denormalised from the dossier) for per-step counts.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OPEN = sa.text("state = 'open'")


def _partial(name: str, columns: list[str], where: str) -> None:
    condition = sa.text(where)
    op.create_index(name, "human_task", columns, postgresql_where=condition,
                    sqlite_where=condition)


def upgrade() -> None:
    with op.batch_alter_table("human_task") as batch:
        batch.add_column(sa.Column("procedure_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE human_task SET procedure_id = "
        "(SELECT procedure_id FROM dossier WHERE dossier.id = human_task.dossier_id)"
    )
    _partial("ix_human_task_sweep_overdue", ["due_at"],
             "state = 'open' AND deadline_state <> 'overdue'")
    _partial("ix_human_task_sweep_due_soon", ["due_soon_at"],
             "state = 'open' AND deadline_state = 'on_time'")
    _partial("ix_human_task_open_deadline", ["deadline_state", "due_at"], "state = 'open'")
    _partial("ix_human_task_open_unclaimed", ["due_at"],
             "state = 'open' AND assignee_id IS NULL")
    _partial("ix_human_task_open_procedure", ["procedure_id", "element_id"], "state = 'open'")


def downgrade() -> None:
    for name in ("ix_human_task_open_procedure", "ix_human_task_open_unclaimed",
                 "ix_human_task_open_deadline", "ix_human_task_sweep_due_soon",
                 "ix_human_task_sweep_overdue"):
        op.drop_index(name, table_name="human_task")
    with op.batch_alter_table("human_task") as batch:
        batch.drop_column("procedure_id")

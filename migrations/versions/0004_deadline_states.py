"""Deadline states: when a step becomes due soon, its current state, and outcomes

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_task") as batch:
        batch.add_column(sa.Column("due_soon_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("deadline_state", sa.String(length=16), nullable=False,
                                   server_default="on_time"))
        batch.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))
        batch.create_index("ix_human_task_due_soon", ["state", "due_soon_at"])
    with op.batch_alter_table("dossier") as batch:
        batch.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dossier") as batch:
        batch.drop_column("outcome")
    with op.batch_alter_table("human_task") as batch:
        batch.drop_index("ix_human_task_due_soon")
        batch.drop_column("outcome")
        batch.drop_column("deadline_state")
        batch.drop_column("due_soon_at")

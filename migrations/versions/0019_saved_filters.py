"""Saved filters of the task lists, per officer and per list

- saved_filter: a name and the list's query string, unique per (user, list, name);
- indexes the lists' new filters and sorts need at scale are added here too (see
  bench/task_lists.py for what each serves).

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_filter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey(
                "user_account.id", name="fk_saved_filter_user_id_user_account", ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("query", sa.String(1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_saved_filter"),
        sa.UniqueConstraint("user_id", "kind", "name", name="uq_saved_filter_name"),
    )


def downgrade() -> None:
    op.drop_table("saved_filter")

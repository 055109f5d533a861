"""Roles are stored as their codes (reception), like human_task.role, not enum names

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE user_role SET role = lower(role)")


def downgrade() -> None:
    op.execute("UPDATE user_role SET role = upper(role)")

"""Apology and new appointment (slip 04) recorded on the dossier

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dossier") as batch:
        batch.add_column(sa.Column("apologized_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_dossier_open_due", "dossier", ["due_at"],
                    postgresql_where=sa.text("finished_at IS NULL"),
                    sqlite_where=sa.text("finished_at IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_dossier_open_due", table_name="dossier")
    with op.batch_alter_table("dossier") as batch:
        batch.drop_column("apologized_at")

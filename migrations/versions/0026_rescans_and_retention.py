"""Sticky-note rescans and retention periods (001 §II.2.c, §II.1)

- document.rescans: the positions (1-based, in the stored file) of images declared as rescans
  of a page with a sticky note, which the "images = pages" rule does not count;
- document_type.retention_years / retention_permanent: how long documents of the type are kept
  (thời hạn lưu trữ), in years or permanently; neither set means not yet decided.

Revision ID: 0026
Revises: 0025
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("rescans", JSON, nullable=False, server_default="[]"))
    with op.batch_alter_table("document_type") as batch:
        batch.add_column(sa.Column("retention_years", sa.Integer()))
        batch.add_column(
            sa.Column(
                "retention_permanent", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("document_type") as batch:
        batch.drop_column("retention_permanent")
        batch.drop_column("retention_years")
    with op.batch_alter_table("document") as batch:
        batch.drop_column("rescans")

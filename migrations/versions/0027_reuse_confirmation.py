"""The citizen's confirmation of a reused component (002 §5.b Bước 2, 001 §II.1 Bước 3)

- dossier_component.citizen_confirmation: who confirmed that the found document is used (the
  owner, or the proxy who filed), when, and how (at the counter / online), beside the officer
  who attached it (confirmed_by_id). Empty for components attached before this revision.

Revision ID: 0027
Revises: 0026
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("dossier_component") as batch:
        batch.add_column(
            sa.Column("citizen_confirmation", JSON, nullable=False, server_default="{}")
        )


def downgrade() -> None:
    with op.batch_alter_table("dossier_component") as batch:
        batch.drop_column("citizen_confirmation")

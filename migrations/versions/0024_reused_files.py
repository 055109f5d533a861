"""Reuse by content (001 §II.1 Bước 3): a component reused from Kho DL or a national database
keeps the background fetch of its file until the file is stored as a document of its own.

- dossier_component.fetch_outbox_id: the outbox row fetching the file (its attempts, last error
  and incident say why a component still waits);
- document.origin_system, document.origin_ref: where a reused document's file came from.

Revision ID: 0024
Revises: 0023
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dossier_component") as batch:
        batch.add_column(sa.Column("fetch_outbox_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_dossier_component_fetch_outbox_id_outbox", "outbox", ["fetch_outbox_id"], ["id"]
        )
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("origin_system", sa.String(16), nullable=True))
        batch.add_column(sa.Column("origin_ref", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.drop_column("origin_ref")
        batch.drop_column("origin_system")
    with op.batch_alter_table("dossier_component") as batch:
        batch.drop_constraint("fk_dossier_component_fetch_outbox_id_outbox", type_="foreignkey")
        batch.drop_column("fetch_outbox_id")

"""Sector databases: the one a procedure's result is registered in, and the registrations

- procedure.sector_database: the code of a sector database (app/domain/sector_databases.py),
  none when the result goes to the warehouse alone (001 §II.1 Bước 5);
- sector_registration: each issued result registered in a sector database, with the record id
  and link the database answered (001 §II.2.c Bước 3), once per (database, document).

Revision ID: 0025
Revises: 0024
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("procedure", sa.Column("sector_database", sa.String(16)))
    op.create_table(
        "sector_registration",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "dossier_id",
            sa.Integer(),
            sa.ForeignKey("dossier.id", name="fk_sector_registration_dossier_id_dossier"),
            nullable=False,
        ),
        sa.Column(
            "document_id",
            sa.Integer(),
            sa.ForeignKey("document.id", name="fk_sector_registration_document_id_document"),
            nullable=False,
        ),
        sa.Column("database", sa.String(16), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "outbox_id",
            sa.Integer(),
            sa.ForeignKey("outbox.id", name="fk_sector_registration_outbox_id_outbox"),
        ),
        sa.UniqueConstraint("database", "document_id", name="uq_sector_registration_database"),
    )
    op.create_index("ix_sector_registration_dossier_id", "sector_registration", ["dossier_id"])


def downgrade() -> None:
    op.drop_index("ix_sector_registration_dossier_id", table_name="sector_registration")
    op.drop_table("sector_registration")
    with op.batch_alter_table("procedure") as batch:
        batch.drop_column("sector_database")

"""Citizens' local accounts linked to dossiers; paper shipments (BCCI) and reception anywhere (C1)

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "citizen_account",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("portal_account_id", sa.String(64), nullable=False),
        sa.Column("identifier_type", sa.String(16), nullable=False),
        sa.Column("identifier", sa.String(32), nullable=False),
        sa.Column("full_name", sa.String(255), nullable=False),
        sa.Column("gender", sa.String(16)),
        sa.Column("birth_date", sa.String(10)),
        sa.Column("address", sa.String(500)),
        sa.Column("phone", sa.String(32)),
        sa.Column("email", sa.String(255)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("portal_account_id", name="uq_citizen_account_portal_account_id"),
    )
    op.create_index("ix_citizen_account_identifier", "citizen_account", ["identifier"])
    op.create_table(
        "paper_shipment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "dossier_id",
            sa.Integer(),
            sa.ForeignKey("dossier.id", name="fk_paper_shipment_dossier_id_dossier"),
            nullable=False,
        ),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("tracking_code", sa.String(32), nullable=False),
        sa.Column(
            "from_agency_id",
            sa.Integer(),
            sa.ForeignKey("agency.id", name="fk_paper_shipment_from_agency_id_agency"),
            nullable=False,
        ),
        sa.Column(
            "to_agency_id",
            sa.Integer(),
            sa.ForeignKey("agency.id", name="fk_paper_shipment_to_agency_id_agency"),
            nullable=False,
        ),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(1000), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True)),
        sa.Column("received_note", sa.String(1000)),
        sa.CheckConstraint(
            "direction IN ('dossier', 'result')", name="ck_paper_shipment_direction"
        ),
    )
    op.create_index("ix_paper_shipment_dossier_id", "paper_shipment", ["dossier_id"])
    with op.batch_alter_table("procedure") as batch:
        batch.add_column(
            sa.Column("receive_anywhere", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("dossier") as batch:
        batch.add_column(sa.Column("citizen_account_id", sa.Integer()))
        batch.add_column(sa.Column("receiving_agency_id", sa.Integer()))
        batch.create_foreign_key(
            "fk_dossier_citizen_account_id_citizen_account",
            "citizen_account",
            ["citizen_account_id"],
            ["id"],
        )
        batch.create_foreign_key(
            "fk_dossier_receiving_agency_id_agency", "agency", ["receiving_agency_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("dossier") as batch:
        batch.drop_constraint("fk_dossier_receiving_agency_id_agency", type_="foreignkey")
        batch.drop_constraint("fk_dossier_citizen_account_id_citizen_account", type_="foreignkey")
        batch.drop_column("receiving_agency_id")
        batch.drop_column("citizen_account_id")
    with op.batch_alter_table("procedure") as batch:
        batch.drop_column("receive_anywhere")
    op.drop_table("paper_shipment")
    op.drop_table("citizen_account")

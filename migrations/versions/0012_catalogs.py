"""Catalogs: document types, fees, executing agencies per procedure, agency levels and units

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "document_type",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.String(1000), nullable=False, server_default=""),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.UniqueConstraint("code", name="uq_document_type_code"),
    )
    op.create_table(
        "fee",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("note", sa.String(500), nullable=False, server_default=""),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.UniqueConstraint("code", name="uq_fee_code"),
        sa.CheckConstraint("amount >= 0", name="ck_fee_amount"),
    )
    op.create_table(
        "procedure_agency",
        sa.Column("procedure_id", sa.Integer(), sa.ForeignKey("procedure.id", name="fk_procedure_agency_procedure_id_procedure"), primary_key=True),
        sa.Column("agency_id", sa.Integer(), sa.ForeignKey("agency.id", name="fk_procedure_agency_agency_id_agency"), primary_key=True),
    )
    with op.batch_alter_table("procedure") as batch:
        batch.add_column(sa.Column("fee_codes", JSON, nullable=True))
        batch.add_column(sa.Column("duration_online_days", sa.Float(), nullable=True))
        batch.add_column(sa.Column("step_officers", JSON, nullable=True))
        batch.add_column(sa.Column("sector", sa.String(255), nullable=False, server_default=""))
    with op.batch_alter_table("agency") as batch:
        batch.add_column(sa.Column("level", sa.Integer(), nullable=False, server_default="2"))
        batch.add_column(sa.Column("admin_unit_code", sa.String(8), nullable=True))
        batch.add_column(sa.Column("treasury_account", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agency") as batch:
        batch.drop_column("treasury_account")
        batch.drop_column("admin_unit_code")
        batch.drop_column("level")
    with op.batch_alter_table("procedure") as batch:
        batch.drop_column("sector")
        batch.drop_column("step_officers")
        batch.drop_column("duration_online_days")
        batch.drop_column("fee_codes")
    op.drop_table("procedure_agency")
    op.drop_table("fee")
    op.drop_table("document_type")

"""Administrative units synced from the portal; reorganisation plans and their dossiers

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "admin_unit",
        sa.Column("code", sa.String(8), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("province_code", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("successor_code", sa.String(8)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "reorg_plan",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("body", JSON, nullable=False),
        sa.Column("cutover_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column(
            "created_by_id",
            sa.Integer(),
            sa.ForeignKey("user_account.id", name="fk_reorg_plan_created_by_id_user_account"),
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cut_over_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "reorg_item",
        sa.Column(
            "plan_id",
            sa.Integer(),
            sa.ForeignKey("reorg_plan.id", name="fk_reorg_item_plan_id_reorg_plan"),
            primary_key=True,
        ),
        sa.Column(
            "dossier_id",
            sa.Integer(),
            sa.ForeignKey("dossier.id", name="fk_reorg_item_dossier_id_dossier"),
            primary_key=True,
        ),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "target_agency_id",
            sa.Integer(),
            sa.ForeignKey("agency.id", name="fk_reorg_item_target_agency_id_agency"),
        ),
        sa.Column("detail", JSON),
        sa.Column("done_at", sa.DateTime(timezone=True)),
    )
    op.create_index(
        "ix_reorg_item_plan_outcome", "reorg_item", ["plan_id", "outcome", "dossier_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_reorg_item_plan_outcome", table_name="reorg_item")
    op.drop_table("reorg_item")
    op.drop_table("reorg_plan")
    op.drop_table("admin_unit")

"""Components attached to dossiers by reuse (own warehouse, portal Kho DL, national DB)

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "dossier_component",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dossier_id", sa.Integer(), sa.ForeignKey("dossier.id", name="fk_dossier_component_dossier_id_dossier"), nullable=False),
        sa.Column("type_code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("document.id", name="fk_dossier_component_document_id_document")),
        sa.Column("data", JSON, nullable=False),
        sa.Column("mismatch", JSON, nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), sa.ForeignKey("user_account.id", name="fk_dossier_component_confirmed_by_id_user_account")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source IN ('own', 'portal', 'national')", name="ck_dossier_component_source"),
    )
    op.create_index("ix_dossier_component_dossier_id", "dossier_component", ["dossier_id"])


def downgrade() -> None:
    op.drop_table("dossier_component")

"""Digitized documents: metadata, files by SHA-256, signatures, warehouse push

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dossier_id", sa.Integer(), sa.ForeignKey("dossier.id", name="fk_document_dossier_id_dossier"), nullable=True),
        sa.Column("agency_id", sa.Integer(), sa.ForeignKey("agency.id", name="fk_document_agency_id_agency"), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, server_default="draft"),
        sa.Column("source", sa.String(16), nullable=False, server_default="scan"),
        sa.Column("classification", sa.String(24), nullable=False, server_default="required_by_law"),
        sa.Column("paper_form", sa.String(16), nullable=False, server_default="original"),
        sa.Column("paper_count", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("type_code", sa.String(32), nullable=False),
        sa.Column("owner_id_type", sa.String(16)),
        sa.Column("owner_id", sa.String(32)),
        sa.Column("owner_name", sa.String(255)),
        sa.Column("name", sa.String(255)),
        sa.Column("summary", sa.String(2000), nullable=False, server_default=""),
        sa.Column("valid_until", sa.Date()),
        sa.Column("validity_scope", sa.String(255), nullable=False, server_default=""),
        sa.Column("fields", JSON, nullable=False),
        sa.Column("storage_key", sa.String(128)),
        sa.Column("repeat", sa.Integer()),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("scan_sha256", sa.String(64), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("originals", JSON, nullable=False),
        sa.Column("rotations", JSON, nullable=False),
        sa.Column("ocr_text", sa.Text(), nullable=False, server_default=""),
        sa.Column("suggested", JSON, nullable=False),
        sa.Column("incoming_signatures", JSON, nullable=False),
        sa.Column("fee_code", sa.String(16)),
        sa.Column("fee_amount", sa.Integer()),
        sa.Column("origin_id", sa.Integer(), sa.ForeignKey("document.id", name="fk_document_origin_id_document")),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("user_account.id", name="fk_document_created_by_id_user_account")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stored_by_id", sa.Integer(), sa.ForeignKey("user_account.id", name="fk_document_stored_by_id_user_account")),
        sa.Column("stored_at", sa.DateTime(timezone=True)),
        sa.Column("warehouse_id", sa.String(64)),
        sa.Column("pushed_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("storage_key", name="uq_document_storage_key"),
        sa.CheckConstraint("state IN ('draft', 'stored', 'discarded')", name="ck_document_state"),
        sa.CheckConstraint("pages > 0", name="ck_document_pages"),
        sa.CheckConstraint("state <> 'stored' OR storage_key IS NOT NULL", name="ck_document_key"),
    )
    op.create_index("ix_document_dossier_id", "document", ["dossier_id"])
    op.create_index("ix_document_owner_type", "document", ["owner_id", "type_code"])


def downgrade() -> None:
    op.drop_table("document")

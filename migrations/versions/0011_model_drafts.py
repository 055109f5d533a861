"""Draft revisions of process model bundles edited in the browser

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "model_draft",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("process_id", sa.String(128), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("files", JSON, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("problems", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("comment", sa.Text(), nullable=False, server_default=""),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("user_account.id", name="fk_model_draft_author_id_user_account")),
        sa.Column("author_name", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("base_version_id", sa.Integer(), sa.ForeignKey("model_version.id", name="fk_model_draft_base_version_id_model_version")),
        sa.Column("deployed_version_id", sa.Integer(), sa.ForeignKey("model_version.id", name="fk_model_draft_deployed_version_id_model_version")),
        sa.UniqueConstraint("process_id", "revision", name="uq_model_draft_process_id"),
    )
    op.create_index("ix_model_draft_process_id", "model_draft", ["process_id"])


def downgrade() -> None:
    op.drop_table("model_draft")

"""Result templates and result drafts (001 §II.2.b Bước 5, 004 §2)

- procedure.result_template: the result's title, fields and layout, per procedure;
- result_draft: each version of a dossier's result before signing (filled or uploaded).

Revision ID: 0029
Revises: 0026
"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0027"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("procedure") as batch:
        batch.add_column(sa.Column("result_template", JSON))
    op.create_table(
        "result_draft",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dossier_id", sa.Integer(), sa.ForeignKey("dossier.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("values", JSON, nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("signatures", JSON, nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("user_account.id")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), sa.ForeignKey("user_account.id")),
        sa.Column("approved_at", sa.DateTime(timezone=True)),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("document.id")),
        sa.UniqueConstraint("dossier_id", "version"),
    )
    op.create_index("ix_result_draft_dossier_id", "result_draft", ["dossier_id"])


def downgrade() -> None:
    op.drop_index("ix_result_draft_dossier_id", "result_draft")
    op.drop_table("result_draft")
    with op.batch_alter_table("procedure") as batch:
        batch.drop_column("result_template")

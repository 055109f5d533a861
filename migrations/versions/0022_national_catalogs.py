"""The national catalogues kept in step (003 §III.2.b Bước 1–3, 001 §II.2.b Bước 1–2)

- national_entry: each procedure, online service, agency, document type and fee as last taken
  from the portal's catalogue, and since when the portal no longer lists it (flagged, never
  deleted);
- catalog_sync: each applied sync, chained by `after_id` (unique) so that two administrators
  applying the same diff at once cannot both commit.

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "national_entry",
        sa.Column("catalog", sa.String(16), nullable=False),
        sa.Column("code", sa.String(80), nullable=False),
        sa.Column("payload", _json(), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("missing_since", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("catalog", "code", name="pk_national_entry"),
    )
    op.create_table(
        "catalog_sync",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("after_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("etag", sa.String(80), nullable=False),
        sa.Column("fingerprint", sa.String(32), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_by", sa.String(64), nullable=False),
        sa.Column("counts", _json(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_catalog_sync"),
        sa.UniqueConstraint("after_id", name="uq_catalog_sync_after_id"),
    )


def downgrade() -> None:
    op.drop_table("catalog_sync")
    op.drop_table("national_entry")

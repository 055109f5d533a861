"""The officers' dossier list read from indexes

- dossier.receiving_agency_id indexed where set (the dossiers a counter received for another
  agency, path C1): the list's scope, "handled or received by my agencies", was a scan of
  every dossier (250k dossiers: the list's count 45-53 ms, its search 100-500 ms).

Revision ID: 0032
Revises: 0031
"""

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

WHERE = sa.text("receiving_agency_id IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_dossier_receiving_agency",
        "dossier",
        ["receiving_agency_id"],
        postgresql_where=WHERE,
        sqlite_where=WHERE,
    )


def downgrade() -> None:
    op.drop_index("ix_dossier_receiving_agency", table_name="dossier")

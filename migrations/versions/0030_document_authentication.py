"""Documents sent for e-authentication, and the copies made of them (001 §II.2.c Bước 1,
§III.1 case 2)

- document_authentication: one request to e-authenticate one out-of-scope document of a
  dossier, sent as a signed file to its managing agency or made at the counter from the
  original; its state, the service's reference and answer, and the stored copy.

Revision ID: 0030
Revises: 0026
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def _fk(column: str, target: str) -> sa.Column:
    name = f"fk_document_authentication_{column}_{target.split('.')[0]}"
    return sa.Column(column, sa.Integer(), sa.ForeignKey(target, name=name))


def upgrade() -> None:
    op.create_table(
        "document_authentication",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "dossier_id",
            sa.Integer(),
            sa.ForeignKey("dossier.id", name="fk_document_authentication_dossier_id_dossier"),
            nullable=False,
        ),
        sa.Column(
            "document_id",
            sa.Integer(),
            sa.ForeignKey("document.id", name="fk_document_authentication_document_id_document"),
            nullable=False,
        ),
        sa.Column("route", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("sent_sha256", sa.String(64), nullable=False),
        sa.Column("ref", sa.String(64)),
        sa.Column("authority_code", sa.String(64), nullable=False),
        sa.Column("authority_name", sa.String(255), nullable=False),
        sa.Column("reason", sa.String(2000), nullable=False),
        sa.Column("note", sa.String(1000), nullable=False),
        _fk("copy_id", "document.id"),
        _fk("send_outbox_id", "outbox.id"),
        _fk("answer_outbox_id", "outbox.id"),
        _fk("requested_by_id", "user_account.id"),
        _fk("decided_by_id", "user_account.id"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("answered_at", sa.DateTime(timezone=True)),
    )
    op.create_index(
        "ix_document_authentication_dossier_id", "document_authentication", ["dossier_id"]
    )
    op.create_index(
        "ix_document_authentication_document_id", "document_authentication", ["document_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_document_authentication_document_id", table_name="document_authentication")
    op.drop_index("ix_document_authentication_dossier_id", table_name="document_authentication")
    op.drop_table("document_authentication")

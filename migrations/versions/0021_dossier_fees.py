"""The fees of each dossier, and procedures whose online applicants pay at submission

- dossier_fee: one row per fee code per dossier (code, amount, state, method, payer, paid_at,
  receipt, exemption reason, the payment platform's order and transaction), letter 4725 §II.1.b;
- procedure.pay_at_submission (002 §4.a Bước 1).

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dossier_fee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "dossier_id",
            sa.Integer(),
            sa.ForeignKey("dossier.id", name="fk_dossier_fee_dossier_id_dossier", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "agency_id",
            sa.Integer(),
            sa.ForeignKey("agency.id", name="fk_dossier_fee_agency_id_agency"),
            nullable=False,
        ),
        sa.Column("fee_code", sa.String(16), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("method", sa.String(8)),
        sa.Column("payer", sa.String(255)),
        sa.Column("paid_at", sa.DateTime(timezone=True)),
        sa.Column("receipt_no", sa.String(64)),
        sa.Column("exemption_reason", sa.String(1000)),
        sa.Column("order_id", sa.String(64)),
        sa.Column("transaction_id", sa.String(64)),
        sa.Column(
            "recorded_by_id",
            sa.Integer(),
            sa.ForeignKey("user_account.id", name="fk_dossier_fee_recorded_by_id_user_account"),
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dossier_fee"),
        sa.UniqueConstraint("dossier_id", "fee_code", name="uq_dossier_fee_code"),
        sa.CheckConstraint("amount >= 0", name="ck_dossier_fee_amount_not_negative"),
    )
    op.create_index("ix_dossier_fee_receipt", "dossier_fee", ["agency_id", "receipt_no"])
    op.create_index("ix_dossier_fee_paid", "dossier_fee", ["paid_at", "agency_id", "fee_code"])
    op.create_index("ix_dossier_fee_order_id", "dossier_fee", ["order_id"])
    with op.batch_alter_table("procedure") as batch:
        batch.add_column(
            sa.Column("pay_at_submission", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("procedure") as batch:
        batch.drop_column("pay_at_submission")
    op.drop_table("dossier_fee")

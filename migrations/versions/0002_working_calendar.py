"""Working calendar: overrides per day; procedure duration unit and supplement clock

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=255), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('day_off', 'working_day')", name=op.f("ck_calendar_override_kind")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name="fk_calendar_override_created_by_id_user_account",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_calendar_override"),
        sa.UniqueConstraint("day", name="uq_calendar_override_day"),
    )
    with op.batch_alter_table("procedure") as batch:
        batch.alter_column(
            "duration_days", type_=sa.Float(), existing_type=sa.Integer(), existing_nullable=False
        )
        batch.add_column(
            sa.Column(
                "duration_unit", sa.String(length=16), nullable=False, server_default="working_days"
            )
        )
        batch.add_column(
            sa.Column(
                "supplement_clock", sa.String(length=8), nullable=False, server_default="pause"
            )
        )
        batch.create_check_constraint("duration_positive", "duration_days > 0")
        batch.create_check_constraint(
            "duration_unit", "duration_unit IN ('working_days', 'working_hours', 'calendar_days')"
        )
        batch.create_check_constraint(
            "supplement_clock", "supplement_clock IN ('pause', 'restart')"
        )


def downgrade() -> None:
    with op.batch_alter_table("procedure") as batch:
        batch.drop_constraint(op.f("ck_procedure_supplement_clock"), type_="check")
        batch.drop_constraint(op.f("ck_procedure_duration_unit"), type_="check")
        batch.drop_constraint(op.f("ck_procedure_duration_positive"), type_="check")
        batch.drop_column("supplement_clock")
        batch.drop_column("duration_unit")
        batch.alter_column(
            "duration_days", type_=sa.Integer(), existing_type=sa.Float(), existing_nullable=False
        )
    op.drop_table("calendar_override")

"""Server-side sign-in sessions: logout and a password change end a session for good

The session cookie is signed, not stored: until now a copy of it stayed valid after logout.
Each sign-in (officer or citizen) now has a row here keyed by the SHA-256 of a random token
the cookie carries; no row, no session.

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_session",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey(
                "user_account.id",
                name="fk_login_session_user_id_user_account",
                ondelete="CASCADE",
            ),
        ),
        sa.Column(
            "citizen_id",
            sa.Integer(),
            sa.ForeignKey(
                "citizen_account.id",
                name="fk_login_session_citizen_id_citizen_account",
                ondelete="CASCADE",
            ),
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_session"),
        sa.CheckConstraint(
            "(user_id IS NULL) <> (citizen_id IS NULL)", name="ck_login_session_one_subject"
        ),
    )
    op.create_index("ix_login_session_user_id", "login_session", ["user_id"])
    op.create_index("ix_login_session_citizen_id", "login_session", ["citizen_id"])
    op.create_index("ix_login_session_expires_at", "login_session", ["expires_at"])


def downgrade() -> None:
    op.drop_table("login_session")

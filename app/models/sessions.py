"""Server-side sign-in sessions (phiên đăng nhập) of officers and citizens.

The browser's signed cookie carries a random token; the row, keyed by the token's SHA-256,
is what makes the cookie worth anything: logout and a password change delete it, so a copied
cookie stops working at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime


class LoginSession(Base):
    __tablename__ = "login_session"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (citizen_id IS NULL)", name="one_subject"),
    )

    # SHA-256 (hex) of the token in the cookie: a read of this table gives no usable session.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    citizen_id: Mapped[int | None] = mapped_column(
        ForeignKey("citizen_account.id", ondelete="CASCADE"), index=True
    )
    # Wall-clock time, not the domain clock: a session's life is not a matter of working days.
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)

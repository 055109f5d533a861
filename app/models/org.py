"""Agencies (cơ quan), officers and their roles scoped to an agency."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UtcDateTime, utcnow


class Role(enum.StrEnum):
    RECEPTION = "reception"
    PROCESSING = "processing"
    LEADER = "leader"
    SUPERVISOR = "supervisor"
    ANALYST = "analyst"
    ADMIN = "admin"


class Agency(Base):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    active: Mapped[bool] = mapped_column(default=True)
    # 1 ministry or province, 2 department (sở, ban, ngành), 3 commune or ward, 4 unit inside
    level: Mapped[int] = mapped_column(default=2)
    # Province (2 digits) or commune/ward (5 digits) code of the two-level list (from 1/7/2025).
    admin_unit_code: Mapped[str | None] = mapped_column(String(8))
    treasury_account: Mapped[str | None] = mapped_column(String(64))

    parent: Mapped[Agency | None] = relationship(remote_side=[id])


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    agency: Mapped[Agency] = relationship()
    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # The session-user protocol Flask-Login expects, without importing Flask into models.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return str(self.id)

    def has_role(self, role: Role | str, agency_id: int | None = None) -> bool:
        return any(
            r.role == role and (agency_id is None or r.agency_id == agency_id) for r in self.roles
        )


class UserRole(Base):
    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role", "agency_id", name="user_role_agency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    # Stored as the role code (`reception`), the same text human_task.role holds.
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)

    user: Mapped[User] = relationship(back_populates="roles")
    agency: Mapped[Agency] = relationship()

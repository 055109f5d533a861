"""Dossiers (hồ sơ) and the per-agency daily sequence behind their codes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Json, UtcDateTime, utcnow
from app.models.catalog import Procedure
from app.models.org import Agency


class Dossier(Base):
    __tablename__ = "dossier"
    __table_args__ = (
        Index("ix_dossier_agency_status", "agency_id", "status"),
        # the task lists' sort by owner walks dossiers in this order (migration 0019)
        Index("ix_dossier_owner_name", "owner_name"),
        # the officers' dossier list: those received here for another agency (path C1, few)
        Index(
            "ix_dossier_receiving_agency",
            "receiving_agency_id",
            postgresql_where=text("receiving_agency_id IS NOT NULL"),
            sqlite_where=text("receiving_agency_id IS NOT NULL"),
        ),
        Index(
            "ix_dossier_open_due",
            "due_at",
            postgresql_where=text("finished_at IS NULL"),
            sqlite_where=text("finished_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    channel: Mapped[str] = mapped_column(String(16), default="counter")
    # Portal status code 1..10 (TrangThaiHoSo), see app.domain.status.
    status: Mapped[int] = mapped_column(SmallInteger, default=1)
    owner_type: Mapped[int] = mapped_column(SmallInteger, default=1)
    owner_id_type: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[str] = mapped_column(String(32), index=True)
    owner_name: Mapped[str] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(255))
    summary: Mapped[str] = mapped_column(String(1000), default="")
    portal_account_id: Mapped[str | None] = mapped_column(String(64))
    # The local account linked at the account check (under a power of attorney: the grantor's).
    citizen_account_id: Mapped[int | None] = mapped_column(ForeignKey("citizen_account.id"))
    # Path C1: the counter that received the dossier when it is not the competent agency.
    receiving_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    data: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Set while the dossier waits for the citizen's supplement (the clock is stopped).
    clock_paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    outcome: Mapped[str | None] = mapped_column(String(16))
    # When the agency apologised and set a new appointment (slip 04) for a late dossier.
    apologized_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    procedure: Mapped[Procedure] = relationship()
    agency: Mapped[Agency] = relationship(foreign_keys=[agency_id])
    receiving_agency: Mapped[Agency | None] = relationship(foreign_keys=[receiving_agency_id])


class DossierSequence(Base):
    """Last number used per agency per day; bumped atomically to issue dossier codes."""

    __tablename__ = "dossier_sequence"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)

"""Citizens' local accounts (linked to their portal account) and paper shipments (BCCI)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime, utcnow


class CitizenAccount(Base):
    """The local account of a citizen or organisation, created or updated from the portal's
    profile at the account check (001 §II.2.a) and linked to the dossiers it submits."""

    __tablename__ = "citizen_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_account_id: Mapped[str] = mapped_column(String(64), unique=True)
    identifier_type: Mapped[str] = mapped_column(String(16))
    identifier: Mapped[str] = mapped_column(String(32), index=True)
    full_name: Mapped[str] = mapped_column(String(255))
    gender: Mapped[str | None] = mapped_column(String(16))
    birth_date: Mapped[str | None] = mapped_column(String(10))
    address: Mapped[str | None] = mapped_column(String(500))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class PaperShipment(Base):
    """Paper carried by the public postal service (BCCI) between two agencies (path C1): the
    dossier to the competent agency, its paper result back to the receiving counter."""

    __tablename__ = "paper_shipment"
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    # 'dossier' (counter → competent agency) or 'result' (back to the counter); CHECK in 0015
    direction: Mapped[str] = mapped_column(String(16))
    tracking_code: Mapped[str] = mapped_column(String(32))
    from_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    to_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    item_count: Mapped[int] = mapped_column(default=1)
    note: Mapped[str] = mapped_column(String(1000), default="")
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    received_note: Mapped[str | None] = mapped_column(String(1000))

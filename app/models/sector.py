"""Results registered in a sector database (kết quả đã ghi vào CSDL chuyên ngành)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime, utcnow


class SectorRegistration(Base):
    """One issued result registered in one sector database, with the database's record id and
    link (001 §II.2.c Bước 3: the system keeps the link to what the database stores)."""

    __tablename__ = "sector_registration"
    __table_args__ = (UniqueConstraint("database", "document_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    database: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(500), default="")
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))

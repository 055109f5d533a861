"""What this system last took from the national catalogue (CSDL quốc gia về TTHC, served by the
portal) and each sync applied: 003 §III.2.b Bước 1–3, 001 §II.2.b Bước 1–2."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Json, UtcDateTime, utcnow


class NationalEntry(Base):
    """One entry of a national catalogue (procedure, online service, agency, document type, fee)
    as last applied; `missing_since` flags an entry the portal no longer lists (never deleted)."""

    __tablename__ = "national_entry"

    catalog: Mapped[str] = mapped_column(String(16), primary_key=True)
    code: Mapped[str] = mapped_column(String(80), primary_key=True)
    payload: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    synced_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    missing_since: Mapped[datetime | None] = mapped_column(UtcDateTime())


class CatalogSync(Base):
    """One applied sync. `after_id` is the sync it follows (0 for the first), unique: of two
    administrators applying the same diff at once, one commits and the other is refused."""

    __tablename__ = "catalog_sync"

    id: Mapped[int] = mapped_column(primary_key=True)
    after_id: Mapped[int] = mapped_column(unique=True)
    version: Mapped[str] = mapped_column(String(64))
    etag: Mapped[str] = mapped_column(String(80))
    fingerprint: Mapped[str] = mapped_column(String(32))
    applied_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    applied_by: Mapped[str] = mapped_column(String(64))
    counts: Mapped[dict[str, int]] = mapped_column(Json, default=dict)

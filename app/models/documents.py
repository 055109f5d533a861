"""Digitized documents (giấy tờ điện tử): metadata, files by SHA-256, signatures, warehouse push."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Json, UtcDateTime, utcnow


class Document(Base):
    __tablename__ = "document"
    __table_args__ = (Index("ix_document_owner_type", "owner_id", "type_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossier.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    # draft (scanned, metadata not yet confirmed) → stored | discarded
    state: Mapped[str] = mapped_column(String(16), default="draft")
    # scan | certified_copy | result
    source: Mapped[str] = mapped_column(String(16), default="scan")
    # the row of DOMAIN.md §2.D: form, earlier_result, out_of_scope, required_by_law, on_demand
    classification: Mapped[str] = mapped_column(String(24), default="required_by_law")
    paper_form: Mapped[str] = mapped_column(String(16), default="original")
    paper_count: Mapped[int] = mapped_column(default=1)
    # The six mandatory fields (001 §II.2.c) and the type-specific ones in `fields`.
    type_code: Mapped[str] = mapped_column(String(32))
    owner_id_type: Mapped[str | None] = mapped_column(String(16))
    owner_id: Mapped[str | None] = mapped_column(String(32))
    owner_name: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    summary: Mapped[str] = mapped_column(String(2000), default="")
    valid_until: Mapped[date | None] = mapped_column(Date)
    validity_scope: Mapped[str] = mapped_column(String(255), default="")
    # (5) "until" valid_until or "indefinite" (chosen explicitly); None on rows stored before
    # it was asked. (2) without a CCCD: birth year, the identity paper's issue date and issuer.
    validity: Mapped[str | None] = mapped_column(String(16))
    valid_from: Mapped[date | None] = mapped_column(Date)
    owner_birth_year: Mapped[int | None] = mapped_column()
    owner_id_issued_on: Mapped[date | None] = mapped_column(Date)
    owner_id_issuer: Mapped[str | None] = mapped_column(String(255))
    fields: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    # `<owner>.<type>` (`.<n>` for the n-th), unique once stored.
    storage_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    repeat: Mapped[int | None] = mapped_column()
    pages: Mapped[int] = mapped_column()
    size: Mapped[int] = mapped_column(BigInteger)
    # The assembled scan as taken, and the file in force (signed once stored).
    scan_sha256: Mapped[str] = mapped_column(String(64))
    file_sha256: Mapped[str] = mapped_column(String(64))
    originals: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    rotations: Mapped[list[int]] = mapped_column(Json, default=list)
    # Images declared as rescans of a page with a sticky note (1-based positions in the file):
    # kept beside the pages, not counted by the "images = pages" rule (001 §II.2.c).
    rescans: Mapped[list[int]] = mapped_column(Json, default=list)
    ocr_text: Mapped[str] = mapped_column(Text, default="")
    suggested: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    # Verdicts on the signatures the file came with (incoming signed documents).
    incoming_signatures: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    fee_code: Mapped[str | None] = mapped_column(String(16))
    fee_amount: Mapped[int | None] = mapped_column()
    origin_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    stored_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    stored_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    warehouse_id: Mapped[str | None] = mapped_column(String(64))
    pushed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # A reused document (source "reused"): where its file was fetched from (portal | national)
    # and its id there (001 §II.1 Bước 3).
    origin_system: Mapped[str | None] = mapped_column(String(16))
    origin_ref: Mapped[str | None] = mapped_column(String(64))


class DossierComponent(Base):
    """A component (thành phần hồ sơ) attached to a dossier by reuse: from this system's own
    warehouse, the portal's Kho DL or a national database, after the citizen confirmed it."""

    __tablename__ = "dossier_component"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    type_code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    # own | portal | national
    source: Mapped[str] = mapped_column(String(16))
    ref: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    data: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    # fields where the paper differs from the national record; the paper is what is taken
    mismatch: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # The background fetch of its file (portal, national), while `document_id` is not set yet.
    fetch_outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    # The citizen's "use this one" (002 §5.b Bước 2): who (owner or proxy), when, how
    # (counter | online); empty for components attached before it was recorded.
    citizen_confirmation: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)

"""Result drafts (dự thảo kết quả): each version of the result document the processing officer
filled in from the procedure's template, or uploaded when the result was made elsewhere."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Json, UtcDateTime, utcnow


class ResultDraft(Base):
    """One version of a dossier's result before it is signed: the stored, unsigned PDF (what
    the leader reads and what is signed on approval, byte for byte), with the values it was
    filled from. A new save is a new version; an approval names the version it approves."""

    __tablename__ = "result_draft"
    __table_args__ = (UniqueConstraint("dossier_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    version: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(16))  # filled | uploaded
    title: Mapped[str] = mapped_column(String(300))
    values: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    file_sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(default=0)
    # an uploaded decision's signatures as found on upload (app.documents.signing.Verdict)
    signatures: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))

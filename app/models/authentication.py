"""Documents sent for e-authentication (xác thực điện tử giấy tờ ngoài phạm vi) and the copies
made of them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime, utcnow


class DocumentAuthentication(Base):
    """One request to e-authenticate one out-of-scope document of a dossier: sent as a signed
    file to its managing agency (001 §II.2.c Bước 1, route "managing_agency") or made by the
    officer at the counter from the original (001 §III.1 case 2, route "counter").

    state: queued (the send waits in the outbox) → sent (waiting for the answer) →
    authenticated (the copy is stored) | refused (the agency's reason) | invalid_answer (an
    answer that failed the checks) → resent | supplement (the officer's decision on a refusal).
    """

    __tablename__ = "document_authentication"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    route: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="queued")
    # the file sent (the officer-signed scan) and the service's reference for the request
    sent_sha256: Mapped[str] = mapped_column(String(64))
    ref: Mapped[str | None] = mapped_column(String(64))
    authority_code: Mapped[str] = mapped_column(String(64), default="")
    authority_name: Mapped[str] = mapped_column(String(255), default="")
    reason: Mapped[str] = mapped_column(String(2000), default="")
    note: Mapped[str] = mapped_column(String(1000), default="")
    copy_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    send_outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    answer_outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

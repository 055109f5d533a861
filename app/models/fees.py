"""The fees of each dossier (phí, lệ phí của hồ sơ): one row per fee code per dossier.

Letter 4725/VPCP-KSTT (003 §II.1.b) asks that every dossier's fee information be synced in full
to the portal, by the fee codes of Decision 4663/QĐ-KBNN; the rows are opened at registration
from the procedure's codes and the catalog's amounts, and settled at reception or by a payment.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime, utcnow

# due: not settled yet; online: to be paid on the portal's payment platform;
# paid: collected (with a receipt); exempt: not charged (with a reason).
FEE_STATES = ("due", "online", "paid", "exempt")
# cash and bank transfer or card at the counter, the portal's payment platform
FEE_METHODS = ("cash", "transfer", "card", "online")


class DossierFee(Base):
    __tablename__ = "dossier_fee"
    __table_args__ = (
        UniqueConstraint("dossier_id", "fee_code", name="uq_dossier_fee_code"),
        # a receipt number identifies one collection of the agency (checked against reuse)
        Index("ix_dossier_fee_receipt", "agency_id", "receipt_no"),
        # the statistics of fees collected per code and agency, by day paid
        Index("ix_dossier_fee_paid", "paid_at", "agency_id", "fee_code"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"))
    # the agency the fee is collected for (the dossier's executing agency)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    fee_code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(255))
    amount: Mapped[int] = mapped_column(default=0)  # VND
    state: Mapped[str] = mapped_column(String(8), default="due")
    method: Mapped[str | None] = mapped_column(String(8))
    payer: Mapped[str | None] = mapped_column(String(255))
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    receipt_no: Mapped[str | None] = mapped_column(String(64))
    exemption_reason: Mapped[str | None] = mapped_column(String(1000))
    # the payment platform's order and transaction, for an online payment
    order_id: Mapped[str | None] = mapped_column(String(64), index=True)
    transaction_id: Mapped[str | None] = mapped_column(String(64))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

"""What a procedure charges (phí, lệ phí): the sum of its fee codes' amounts in the catalog."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Fee, Procedure


def amount_due(session: Session, procedure: Procedure) -> int:
    """The fees a procedure charges, in VND."""
    codes = procedure.fee_codes or ([procedure.fee_code] if procedure.fee_code else [])
    if not codes:
        return 0
    return int(session.scalar(select(func.sum(Fee.amount)).where(Fee.code.in_(codes))) or 0)

"""What a procedure charges (phí, lệ phí) and what a dossier's fees say to the portal.

A procedure charges the sum of its fee codes' amounts in the catalog; a dossier keeps one row
per fee code (`DossierFee`), and the status record synced to the portal carries them in full
(letter 4725/VPCP-KSTT, 003 §II.1.b: code per Decision 4663/QĐ-KBNN, amount, payer, paid at,
method, receipt, and the collecting agency's treasury account).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from app.domain.status import portal_time
from app.models import Agency, DossierFee, Fee, Procedure

# The fee entry's keys in the portal record, in the order the portal lists them.
PORTAL_FEE_KEYS = (
    "code",
    "name",
    "amount",
    "state",
    "method",
    "payer",
    "paid_at",
    "receipt_no",
    "exemption_reason",
    "treasury_account",
)


def codes_of(procedure: Procedure) -> list[str]:
    """The fee codes a procedure charges, each once, in its order."""
    codes = procedure.fee_codes or ([procedure.fee_code] if procedure.fee_code else [])
    return list(dict.fromkeys(c for c in codes if c))


def amount_due(session: Session, procedure: Procedure) -> int:
    """The fees a procedure charges, in VND."""
    codes = codes_of(procedure)
    if not codes:
        return 0
    return int(
        session.scalar(
            select(func.sum(Fee.amount)).where(Fee.code.in_(codes), Fee.active.is_(True))
        )
        or 0
    )


def online_amount(session: Session, dossier_id: int) -> int:
    """What the dossier's citizen still has to pay on the portal, in VND."""
    return int(
        session.scalar(
            select(func.sum(DossierFee.amount)).where(
                DossierFee.dossier_id == dossier_id, DossierFee.state == "online"
            )
        )
        or 0
    )


# The fee rows as the portal's status record carries them: plain columns, built once (every
# status change of every dossier reads them).
_PORTAL_FEES = (
    select(
        DossierFee.fee_code,
        DossierFee.name,
        DossierFee.amount,
        DossierFee.state,
        DossierFee.method,
        DossierFee.payer,
        DossierFee.paid_at,
        DossierFee.receipt_no,
        DossierFee.exemption_reason,
        Agency.treasury_account,
    )
    .join(Agency, Agency.id == DossierFee.agency_id)
    .where(DossierFee.dossier_id == bindparam("dossier_id"))
    .order_by(DossierFee.id)
)


def portal_fees(session: Session, dossier_id: int) -> list[dict[str, Any]]:
    """The dossier's fees as the portal's status record carries them (003 §II.1.b)."""
    # through the session, not its connection: a fee changed in this transaction is flushed
    rows = session.execute(_PORTAL_FEES, {"dossier_id": dossier_id})
    return [
        {
            "code": row.fee_code,
            "name": row.name,
            "amount": row.amount,
            "state": row.state,
            "method": row.method,
            "payer": row.payer,
            "paid_at": portal_time(row.paid_at) if row.paid_at else None,
            "receipt_no": row.receipt_no,
            "exemption_reason": row.exemption_reason,
            "treasury_account": row.treasury_account,
        }
        for row in rows
    ]

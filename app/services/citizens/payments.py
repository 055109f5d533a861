"""Paying a dossier's fees on the portal's payment platform (thanh toán phí, lệ phí trực tuyến).

An order carries each fee code of Decision 4663/QĐ-KBNN with its amount and the executing
agency's treasury account, and is refused when the agency has none (letter 4725, 003
§II.1.b: the account is "the main reason" receipts are booked late or not at all). An online
applicant pays when the process waits for the fee (status 6) or, when the procedure says so,
right at submission (002 §4.a Bước 1). The platform's signed callback settles the lines of
that order only: replayed, it is answered once more without effect; for another dossier, or
for other amounts, it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import settings
from app.engine import WorkflowFailed
from app.i18n import _l
from app.integrations.payment import PaymentClient
from app.models import Agency, Dossier, DossierFee, ProcessInstance
from app.models.base import utcnow
from app.services.citizens.actions import PAYMENT_MESSAGE
from app.services.core import audit, portal_sync, runtime
from app.services.core.actors import Actor
from app.services.core.errors import Conflict, InvalidInput, NotFound
from app.services.dossiers import dossier_fees
from app.storage.db import db

# Before reception the process waits for nothing: the dossier is registered (status 1).
BEFORE_RECEPTION = (1,)


@dataclass(frozen=True)
class Order:
    """What a payment order for a dossier carries."""

    dossier_code: str
    amount: int
    fees: list[dict[str, Any]]
    payee: dict[str, str]


@dataclass(frozen=True)
class PaymentNotice:
    """The platform's signed callback, as parsed by the web layer."""

    order_id: str
    transaction_id: str
    dossier_code: str
    amount: int
    receipt_no: str = ""
    fees: list[dict[str, Any]] | None = None
    paid_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _dossier(session: Session, code: str) -> Dossier:
    dossier = session.scalar(select(Dossier).where(Dossier.code == code))
    if dossier is None:
        raise NotFound(_l("Không tìm thấy hồ sơ %(dossier_code)s", dossier_code=code))
    return dossier


def _waits_for_payment(session: Session, dossier_id: int) -> runtime.Loaded | None:
    instance_id = session.scalar(
        select(ProcessInstance.id).where(ProcessInstance.dossier_id == dossier_id)
    )
    if instance_id is None:
        return None
    loaded = runtime.load_instance(session, instance_id)
    return loaded if PAYMENT_MESSAGE in loaded.run.waiting_messages() else None


def payable(dossier_code: str) -> bool:
    """Whether the citizen may pay now: fees wait for an online payment, and the process waits
    for it or the procedure takes payment at submission (before reception)."""
    with db.transaction() as session:
        dossier = _dossier(session, dossier_code)
        return _payable(session, dossier)


def _payable(session: Session, dossier: Dossier) -> bool:
    pending = session.scalar(
        select(DossierFee.id).where(
            DossierFee.dossier_id == dossier.id, DossierFee.state == "online"
        )
    )
    if pending is None:
        return False
    if dossier.procedure.pay_at_submission and dossier.status in BEFORE_RECEPTION:
        return True
    return _waits_for_payment(session, dossier.id) is not None


def fee_lines(dossier_code: str) -> list[dossier_fees.FeeLine]:
    """The dossier's fees as its citizen sees them."""
    with db.transaction() as session:
        return dossier_fees.lines(session, _dossier(session, dossier_code).id)


def order_for(dossier_code: str) -> Order:
    """The order for what the dossier's citizen pays online now; Conflict when nothing is to
    be paid, InvalidInput when the executing agency has no treasury account to book it to."""
    with db.transaction() as session:
        dossier = _dossier(session, dossier_code)
        if not _payable(session, dossier):
            raise Conflict(_l("Hồ sơ không chờ nộp phí."))
        agency = session.get(Agency, dossier.agency_id)
        account = (agency.treasury_account or "").strip() if agency else ""
        if not account:
            raise InvalidInput(
                _l(
                    "%(agency)s chưa khai báo tài khoản kho bạc, ngân hàng nhận phí, lệ phí nên "
                    "chưa thanh toán trực tuyến được; đề nghị liên hệ cơ quan",
                    agency=agency.name if agency else "?",
                )
            )
        rows = session.scalars(
            select(DossierFee)
            .where(DossierFee.dossier_id == dossier.id, DossierFee.state == "online")
            .order_by(DossierFee.id)
        ).all()
        fees = [{"code": r.fee_code, "name": r.name, "amount": r.amount} for r in rows]
        return Order(
            dossier.code,
            sum(r.amount for r in rows),
            fees,
            {"agency_code": agency.code, "agency_name": agency.name, "treasury_account": account},
        )


def start_payment(dossier_code: str, return_url: str, callback_url: str) -> str:
    """Place the order on the payment platform and keep its id on the lines it pays; returns
    where to send the citizen. IntegrationError when the platform does not answer."""
    order = order_for(dossier_code)
    config = settings.current
    client = PaymentClient(config.PAYMENT_URL or config.PORTAL_URL, config.HTTP_TIMEOUT)
    placed = client.create_order(
        dossier_code=order.dossier_code,
        amount=order.amount,
        description=f"Phí, lệ phí hồ sơ {order.dossier_code}",
        return_url=return_url,
        callback_url=callback_url,
        idempotency_key=f"pay-{order.dossier_code}-"
        + "-".join(f"{f['code']}.{f['amount']}" for f in order.fees),
        fees=order.fees,
        payee=order.payee,
    )
    with db.transaction() as session:
        dossier = _dossier(session, dossier_code)
        for row in session.scalars(
            select(DossierFee).where(
                DossierFee.dossier_id == dossier.id,
                DossierFee.state == "online",
                DossierFee.fee_code.in_([f["code"] for f in order.fees]),
            )
        ):
            row.order_id = str(placed["order_id"])[:64]
    return str(placed["pay_url"])


def already_applied(dossier_code: str, transaction_id: str) -> bool:
    """Whether this transaction was already applied to the dossier's fees (a replay)."""
    with db.transaction() as session:
        dossier = _dossier(session, dossier_code)
        return (
            session.scalar(
                select(DossierFee.id).where(
                    DossierFee.dossier_id == dossier.id,
                    DossierFee.transaction_id == transaction_id,
                )
            )
            is not None
        )


def receive_payment(notice: PaymentNotice, actor: Actor) -> int:
    """Settle the lines of the notice's order as paid online; returns the dossier's status.
    The process waiting for the fee goes on; paid at submission, the record is synced again."""
    with db.transaction() as session:
        dossier = _dossier(session, notice.dossier_code)
        rows = session.scalars(
            select(DossierFee).where(DossierFee.order_id == notice.order_id[:64])
        ).all()
        if any(r.dossier_id != dossier.id for r in rows):
            raise Conflict(
                _l("Đơn thanh toán %(order)s không thuộc hồ sơ này", order=notice.order_id)
            )
        pending = [r for r in rows if r.state == "online"]
        if not pending:
            raise Conflict(_l("Không có khoản phí nào của hồ sơ chờ thanh toán theo đơn này"))
        _check_amounts(notice, pending)
        paid_at = notice.paid_at or utcnow()
        codes = dossier_fees.mark_paid_online(
            session,
            dossier.id,
            transaction_id=notice.transaction_id[:64],
            receipt_no=(notice.receipt_no or notice.transaction_id)[:64],
            payer=dossier.owner_name,
            paid_at=paid_at,
            codes=[r.fee_code for r in pending],
        )
        payload = {"amount": notice.amount, "transaction_id": notice.transaction_id}
        audit.record(session, "fee_paid", actor, dossier_id=dossier.id, codes=codes, **payload)
        loaded = _waits_for_payment(session, dossier.id)
        if loaded is not None and not _still_online(session, dossier.id):
            try:
                changes = loaded.run.deliver_message(PAYMENT_MESSAGE, payload)
            except WorkflowFailed as exc:
                raise InvalidInput(_l("Quy trình báo lỗi: %(exc)s", exc=exc)) from exc
            runtime.commit_run(session, loaded, changes, actor, completed_by=actor)
        else:
            portal_sync.resync_status(session, runtime.dossier_ref(dossier))
        return session.scalar(select(Dossier.status).where(Dossier.id == dossier.id))


def _still_online(session: Session, dossier_id: int) -> bool:
    return (
        session.scalar(
            select(DossierFee.id).where(
                DossierFee.dossier_id == dossier_id, DossierFee.state == "online"
            )
        )
        is not None
    )


def _check_amounts(notice: PaymentNotice, pending: list[DossierFee]) -> None:
    """The amount paid is the order's; lines the callback names are the order's, each at the
    amount ordered."""
    due = sum(r.amount for r in pending)
    if notice.amount != due:
        raise InvalidInput(
            _l(
                "Số tiền %(amount)s đ không khớp số phải nộp %(due)s đ",
                amount=format(notice.amount, ","),
                due=format(due, ","),
            ).replace(",", "."),
            fields={"amount": _l("không khớp")},
        )
    if notice.fees is not None:
        ordered = {r.fee_code: r.amount for r in pending}
        named = {str(f.get("code")): f.get("amount") for f in notice.fees if isinstance(f, dict)}
        if named != ordered:
            raise InvalidInput(
                _l("Các khoản phí thanh toán không khớp đơn thanh toán"),
                fields={"fees": _l("không khớp")},
            )

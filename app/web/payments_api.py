"""The payment platform's signed callback: a citizen has paid a dossier's fees."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from app.i18n import _l
from app.services.citizens import actions, payments
from app.services.core.actors import Actor
from app.services.core.errors import InvalidInput
from app.web.access import PAYMENT, allow

bp = Blueprint("payments_api", __name__, url_prefix="/api/payments")
PAYMENT_PLATFORM = Actor(None, "Nền tảng thanh toán (Cổng DVCQG)")
FIELDS = ("order_id", "transaction_id", "dossier_code", "amount", "status")


@bp.post("/callback")
@allow(PAYMENT)
def callback():  # noqa: ANN201
    """The body's signature is checked by the PAYMENT rule (app.web.access) before this runs."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput(_l("Cần thân yêu cầu JSON"))
    missing = [k for k in FIELDS if body.get(k) in (None, "")]
    if missing or not isinstance(body["amount"], int):
        raise InvalidInput(f"Thiếu hoặc sai: {', '.join(missing) or 'amount'}")
    if body["status"] != "paid":
        return jsonify(accepted=False, reason="not paid")
    code, transaction = str(body["dossier_code"]), str(body["transaction_id"])
    if actions.already_paid(code, transaction) or payments.already_applied(code, transaction):
        # a replayed callback: applied once, answered the same way every time
        return jsonify(accepted=True, duplicate=True, dossier_code=code)
    fees = body.get("fees")
    if fees is not None and not isinstance(fees, list):
        raise InvalidInput(_l("fees phải là danh sách (mã phí, số tiền)"))
    notice = payments.PaymentNotice(
        order_id=str(body["order_id"]),
        transaction_id=transaction,
        dossier_code=code,
        amount=body["amount"],
        receipt_no=str(body.get("receipt_no") or ""),
        fees=fees,
    )
    status = payments.receive_payment(notice, PAYMENT_PLATFORM)
    return jsonify(accepted=True, duplicate=False, dossier_code=code, status=status)

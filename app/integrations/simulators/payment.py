"""The portal's payment platform, simulated: an order, a page where the citizen pays, and the
signed server-to-server callback to the system that asked for the payment."""

from __future__ import annotations

import html
import re
import secrets
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import requests
from flask import Flask, jsonify, redirect, request

from app.installation import shared_secrets
from app.integrations.payment import SIGNATURE_HEADER, sign

FEE_CODE = re.compile(r"^[A-Z]\d{3}$")


def order_errors(body: dict[str, Any]) -> list[str]:
    """What the platform refuses in an order (letter 4725 §II.1.b): lines without a fee code
    of Decision 4663/QĐ-KBNN or a whole amount, lines that do not add up to the amount, and a
    payee without the treasury account the money is booked to."""
    fees, payee = body.get("fees"), body.get("payee")
    if not isinstance(fees, list) or not fees or len(fees) > 50:
        return ["fees: the order's lines (code, amount) are required"]
    errors = []
    for n, fee in enumerate(fees):
        code = fee.get("code") if isinstance(fee, dict) else None
        amount = fee.get("amount") if isinstance(fee, dict) else None
        if not isinstance(code, str) or not FEE_CODE.match(code):
            errors.append(f"fees[{n}]: code must be a fee code of Decision 4663/QĐ-KBNN")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            errors.append(f"fees[{n}]: amount must be whole đồng above 0")
    if not errors and sum(f["amount"] for f in fees) != body.get("amount"):
        errors.append("fees: the lines do not add up to the amount")
    if not isinstance(payee, dict) or not str(payee.get("treasury_account") or "").strip():
        errors.append("payee.treasury_account: the account the fees are booked to is required")
    return errors


def _vnd(amount: object) -> str:
    return f"{int(amount or 0):,} đ".replace(",", ".") if isinstance(amount, int) else "?"


def _lines(order: dict[str, Any]) -> str:
    """The order's fee lines and the account they are booked to, as the citizen sees them."""
    lines = "".join(
        f"<p class=fee>{html.escape(str(f.get('code')))} {html.escape(str(f.get('name') or ''))}"
        f": {_vnd(f.get('amount'))}</p>"
        for f in order.get("fees") or []
    )
    payee = order.get("payee") or {}
    name, account = (
        html.escape(str(payee.get(k) or "")) for k in ("agency_name", "treasury_account")
    )
    return f"{lines}<p id=payee>{name} — {account}</p>"


def install_payment(app: Flask) -> Callable[[], None]:
    """Add the payment platform's routes; returns what resets its state."""
    lock = threading.Lock()
    orders: dict[str, dict[str, Any]] = {}
    callbacks: list[dict[str, Any]] = []
    secret = shared_secrets()["PAYMENT_SECRET"]

    @app.post("/payment/orders")
    def create_order():  # noqa: ANN202
        body = request.get_json(silent=True) or {}
        missing = [
            k for k in ("dossier_code", "amount", "return_url", "callback_url") if not body.get(k)
        ]
        if missing or not isinstance(body.get("amount"), int) or body["amount"] <= 0:
            return jsonify(error=f"missing or invalid: {', '.join(missing) or 'amount'}"), 400
        refused = order_errors(body)
        if refused:
            return jsonify(error="; ".join(refused)), 400
        order_id = f"ORD-{secrets.token_hex(6)}"
        with lock:
            orders[order_id] = {**body, "order_id": order_id, "status": "pending"}
        return jsonify(order_id=order_id, pay_url=f"{request.host_url}payment/pay/{order_id}"), 201

    @app.get("/payment/pay/<order_id>")
    def pay_page(order_id: str):  # noqa: ANN202
        order = orders.get(order_id)
        if order is None:
            return "Không có đơn thanh toán này", 404
        amount = f"{order['amount']:,}".replace(",", ".")
        what = html.escape(f"{order['dossier_code']}: {order.get('description') or ''}")
        return (
            "<!doctype html><html lang=vi><meta charset=utf-8><title>Thanh toán</title>"
            "<h1>Nền tảng thanh toán — Cổng DVCQG (mô phỏng)</h1>"
            f"<p>Hồ sơ {what}</p>"
            f'<p id="amount">{amount} đ</p>'
            + _lines(order)
            + '<form method="post"><button type="submit">Thanh toán</button></form></html>'
        )

    @app.post("/payment/pay/<order_id>")
    def pay(order_id: str):  # noqa: ANN202
        with lock:
            order = orders.get(order_id)
            if order is None:
                return "Không có đơn thanh toán này", 404
            order["status"] = "paid"
            order.setdefault("transaction_id", f"PAY-{secrets.token_hex(6)}")
        body = {
            "order_id": order_id,
            "transaction_id": order["transaction_id"],
            "dossier_code": order["dossier_code"],
            "amount": order["amount"],
            "status": "paid",
            "paid_at": datetime.now(UTC).isoformat(),
            # the platform's e-receipt, and the lines paid, as ordered
            "receipt_no": f"BLDT-{order['transaction_id'][4:]}",
            "fees": [{"code": f["code"], "amount": f["amount"]} for f in order["fees"]],
        }
        try:
            answer = requests.post(
                order["callback_url"],
                json=body,
                headers={SIGNATURE_HEADER: sign(body, secret)},
                timeout=10,
            )
            outcome = {"status": answer.status_code, "body": answer.text[:500]}
        except requests.RequestException as exc:
            outcome = {"status": None, "body": str(exc)}
        with lock:
            callbacks.append({"request": body, "response": outcome})
        query = urlencode({"order_id": order_id, "status": "paid"})
        return redirect(f"{order['return_url']}?{query}")

    @app.get("/_sim/orders")
    def placed_orders():  # noqa: ANN202
        with lock:
            return jsonify([dict(o) for o in orders.values()])

    @app.get("/_sim/payments")
    def sent_callbacks():  # noqa: ANN202
        with lock:
            return jsonify(list(callbacks))

    def reset() -> None:
        with lock:
            orders.clear()
            callbacks.clear()

    return reset

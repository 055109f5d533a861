"""The portal's payment platform (Nền tảng thanh toán): orders, and the signed callback it
sends when a citizen has paid. Both sides sign the callback body with HMAC-SHA256 over its
canonical JSON (sorted keys, no spaces) and a secret they share."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from app.integrations.http import HttpClient

SIGNATURE_HEADER = "X-Payment-Signature"


def canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(body: dict[str, Any], secret: str) -> str:
    return hmac.new(secret.encode(), canonical(body), hashlib.sha256).hexdigest()


def verify(body: dict[str, Any], signature: str, secret: str) -> bool:
    return bool(secret) and hmac.compare_digest(sign(body, secret), signature or "")


class PaymentClient:
    def __init__(self, base_url: str, timeout: float = 5.0) -> None:
        self.http = HttpClient(base_url, timeout)

    def create_order(
        self,
        *,
        dossier_code: str,
        amount: int,
        description: str,
        return_url: str,
        callback_url: str,
        idempotency_key: str,
        fees: list[dict[str, Any]] | None = None,
        payee: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """{"order_id", "pay_url"}: where to send the citizen to pay. `fees` are the lines
        paid ({"code", "name", "amount"}, codes of Decision 4663/QĐ-KBNN) and `payee` the
        executing agency with its treasury account (letter 4725 §II.1.b)."""
        return self.http.post(
            "/payment/orders",
            {
                "dossier_code": dossier_code,
                "amount": amount,
                "description": description,
                "return_url": return_url,
                "callback_url": callback_url,
                "fees": fees or [],
                "payee": payee or {},
            },
            idempotency_key=idempotency_key,
        )

"""Client of the SMS gateway (tin nhắn) used for citizens' notices."""

from __future__ import annotations

from typing import Protocol

from app.integrations.http import HttpClient


class SmsGateway(Protocol):
    def send(self, to: str, text: str, idempotency_key: str) -> dict: ...


class SmsClient:
    def __init__(self, base_url: str, timeout: float = 5.0) -> None:
        self.http = HttpClient(base_url, timeout)

    def send(self, to: str, text: str, idempotency_key: str) -> dict:
        return self.http.post("/api/sms", {"to": to, "text": text}, idempotency_key=idempotency_key)

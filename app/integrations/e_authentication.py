"""Client of the managing agencies' e-authentication service (xác thực điện tử, 001 §II.2.c
Bước 1): send a signed document file, ask for the answer, fetch the e-authenticated copy."""

from __future__ import annotations

import base64
from typing import Any, Protocol
from urllib.parse import quote

from app.integrations.http import HttpClient
from app.integrations.reused_files import PDF


class EAuthentication(Protocol):
    def submit(self, request: dict[str, Any], content: bytes, idempotency_key: str) -> dict: ...
    def answer(self, ref: str) -> dict: ...
    def copy(self, ref: str, max_bytes: int) -> bytes: ...


class EAuthenticationClient:
    def __init__(self, base_url: str, timeout: float = 5.0) -> None:
        self.http = HttpClient(base_url, timeout)

    def submit(self, request: dict[str, Any], content: bytes, idempotency_key: str) -> dict:
        """Send the file with its request; the service's reference and the managing agency."""
        body = {**request, "content_b64": base64.b64encode(content).decode("ascii")}
        return self.http.post("/api/authentications", body, idempotency_key=idempotency_key)

    def answer(self, ref: str) -> dict:
        """The service's answer so far: pending, authenticated or refused (with the reason)."""
        return self.http.get(f"/api/authentications/{quote(ref, safe='')}")

    def copy(self, ref: str, max_bytes: int) -> bytes:
        """The e-authenticated copy (a PDF, at most `max_bytes`)."""
        path = f"/api/authentications/{quote(ref, safe='')}/file"
        content, _headers = self.http.get_file(
            path, params={}, max_bytes=max_bytes, content_type=PDF
        )
        return content

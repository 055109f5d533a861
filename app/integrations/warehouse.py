"""Client of the e-document warehouse (Kho DL): documents by owner and document-type code."""

from __future__ import annotations

import base64
from typing import Any, Protocol

from app.integrations.http import HttpClient


class Warehouse(Protocol):
    def list_documents(self, owner_id: str, type_code: str | None = None) -> list[dict]: ...
    def fetch_document(self, doc_id: str) -> tuple[dict, bytes]: ...
    def store_document(
        self, metadata: dict[str, Any], content: bytes, idempotency_key: str
    ) -> dict: ...


class WarehouseClient:
    def __init__(self, base_url: str, timeout: float = 5.0) -> None:
        self.http = HttpClient(base_url, timeout)

    def list_documents(self, owner_id: str, type_code: str | None = None) -> list[dict]:
        params = {"owner_id": owner_id, **({"type_code": type_code} if type_code else {})}
        return self.http.get("/api/documents", params=params)["documents"]

    def fetch_document(self, doc_id: str) -> tuple[dict, bytes]:
        metadata = self.http.get(f"/api/documents/{doc_id}")
        return metadata, self.http.get_bytes(f"/api/documents/{doc_id}/file")

    def store_document(
        self, metadata: dict[str, Any], content: bytes, idempotency_key: str
    ) -> dict:
        body = {"metadata": metadata, "content_b64": base64.b64encode(content).decode("ascii")}
        return self.http.post("/api/documents", body, idempotency_key=idempotency_key)

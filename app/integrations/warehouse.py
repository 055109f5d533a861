"""Client of the e-document warehouse (Kho DL): documents by owner and document-type code."""

from __future__ import annotations

import base64
from typing import Any, Protocol
from urllib.parse import quote

from app.integrations.http import HttpClient
from app.integrations.reused_files import PDF, FetchedFile, checked


class Warehouse(Protocol):
    def list_documents(self, owner_id: str, type_code: str | None = None) -> list[dict]: ...
    def fetch_document(self, doc_id: str) -> tuple[dict, bytes]: ...
    def fetch_file(self, ref: str, owner_id: str, max_bytes: int) -> FetchedFile: ...
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
        # Kho DL serves a file to whoever names its owner (001 §II.2.b: by owner identifier)
        params = {"owner_id": metadata.get("owner_id", "")}
        return metadata, self.http.get_bytes(f"/api/documents/{doc_id}/file", params=params)

    def store_document(
        self, metadata: dict[str, Any], content: bytes, idempotency_key: str
    ) -> dict:
        body = {"metadata": metadata, "content_b64": base64.b64encode(content).decode("ascii")}
        return self.http.post("/api/documents", body, idempotency_key=idempotency_key)

    def fetch_file(self, ref: str, owner_id: str, max_bytes: int) -> FetchedFile:
        """A document's file with its metadata, checked against the hash Kho DL declares."""
        params, path = {"owner_id": owner_id}, f"/api/documents/{quote(ref, safe='')}"
        metadata = self.http.get(path, params=params)
        content, headers = self.http.get_file(
            f"{path}/file", params=params, max_bytes=max_bytes, content_type=PDF
        )
        return checked(f"Kho DL {ref}", metadata, content, headers, owner_id)

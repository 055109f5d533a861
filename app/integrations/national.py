"""Client of the national databases (population and sector DBs): records by owner and type."""

from __future__ import annotations

from typing import Protocol
from urllib.parse import quote

from app.integrations.http import HttpClient
from app.integrations.reused_files import PDF, FetchedFile, checked


class NationalDb(Protocol):
    def find_records(self, owner_id: str, type_code: str) -> list[dict]: ...
    def fetch_file(self, ref: str, owner_id: str, max_bytes: int) -> FetchedFile: ...


class NationalDbClient:
    def __init__(self, base_url: str, timeout: float = 5.0) -> None:
        self.http = HttpClient(base_url, timeout)

    def find_records(self, owner_id: str, type_code: str) -> list[dict]:
        params = {"owner_id": owner_id, "type_code": type_code}
        return self.http.get("/api/records", params=params)["records"]

    def fetch_file(self, ref: str, owner_id: str, max_bytes: int) -> FetchedFile:
        """A record's document file, checked against the hash the database declares."""
        params, path = {"owner_id": owner_id}, f"/api/records/{quote(ref, safe='')}"
        record = self.http.get(path, params=params)
        content, headers = self.http.get_file(
            f"{path}/file", params=params, max_bytes=max_bytes, content_type=PDF
        )
        return checked(f"CSDL {ref}", record, content, headers, owner_id)

"""Client of the national databases (population and sector DBs): records by owner and type."""

from __future__ import annotations

from typing import Protocol

from app.integrations.http import HttpClient


class NationalDb(Protocol):
    def find_records(self, owner_id: str, type_code: str) -> list[dict]: ...


class NationalDbClient:
    def __init__(self, base_url: str, timeout: float = 5.0) -> None:
        self.http = HttpClient(base_url, timeout)

    def find_records(self, owner_id: str, type_code: str) -> list[dict]:
        params = {"owner_id": owner_id, "type_code": type_code}
        return self.http.get("/api/records", params=params)["records"]

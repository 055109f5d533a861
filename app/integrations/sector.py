"""Client of a sector database (CSDL chuyên ngành): registers an issued result's record."""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

from app.integrations.http import HttpClient


class SectorDb(Protocol):
    def register_result(self, record: dict[str, Any], idempotency_key: str) -> dict: ...
    def find_registrations(self, dossier_code: str) -> list[dict]: ...


class SectorDbClient:
    def __init__(self, base_url: str, timeout: float = 5.0) -> None:
        self.http = HttpClient(base_url, timeout)

    def register_result(self, record: dict[str, Any], idempotency_key: str) -> dict:
        """The database's answer: its record id, when it registered it, the record's link
        (made absolute), and whether this send replayed an earlier registration."""
        answer = self.http.post("/api/registrations", record, idempotency_key=idempotency_key)
        answer["url"] = record_link(self.http.base_url, answer.get("url"))
        return answer

    def find_registrations(self, dossier_code: str) -> list[dict]:
        params = {"dossier_code": dossier_code}
        return self.http.get("/api/registrations", params=params)["registrations"]


def record_link(base_url: str, given: object) -> str:
    """The database's link to a record, absolute, or "" when it leads anywhere but to that
    database (another host, another scheme such as `javascript:`): officers open it."""
    if not isinstance(given, str) or not given:
        return ""
    link = urljoin(base_url.rstrip("/") + "/", given)
    inside = link.startswith(base_url.rstrip("/") + "/")
    return link if inside and urlsplit(link).scheme in ("http", "https") else ""

"""Client of the national databases (population and sector DBs): records by owner and type,
and the registers that fill a form's master data (001 §II.2.b Bước 4): a person from the
population database, a business from the enterprise registry and the tax database."""

from __future__ import annotations

from typing import Protocol
from urllib.parse import quote

from app.integrations.http import HttpClient
from app.integrations.reused_files import PDF, FetchedFile, checked


class NationalDb(Protocol):
    def find_records(self, owner_id: str, type_code: str) -> list[dict]: ...
    def fetch_file(self, ref: str, owner_id: str, max_bytes: int) -> FetchedFile: ...
    def register(self, source: str, key: str) -> dict | None: ...


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

    # The registers by source (app.domain.master_data): where each answers an identifier.
    REGISTER_PATHS = {
        "population": "/api/population/people/",
        "enterprise": "/api/enterprises/",
        "tax": "/api/tax/taxpayers/",
    }

    def register(self, source: str, key: str) -> dict | None:
        """One register's record for `key` (CCCD/CMND/passport or MST/MSDN), None when it
        holds none; IntegrationError when it does not answer."""
        answer = self.http.get(self.REGISTER_PATHS[source] + quote(key, safe=""), allow_404=True)
        record = answer.get("record") if isinstance(answer, dict) else None
        return record if isinstance(record, dict) else None

    def person(self, identifier: str) -> dict | None:
        """A person in the population database (CSDL quốc gia về dân cư), by CCCD, CMND or
        passport number."""
        return self.register("population", identifier)

    def business(self, code: str) -> dict | None:
        """A business by its code (MSDN = MST): the enterprise registry's record with the tax
        database's beside it (`tax`), None when neither holds it."""
        enterprise, tax = self.register("enterprise", code), self.register("tax", code)
        if enterprise is None and tax is None:
            return None
        return {**(enterprise or {}), "tax": tax}

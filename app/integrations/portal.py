"""Client of the national portal (Cổng DVCQG): accounts, profiles, dossier status sync."""

from __future__ import annotations

from typing import Any, Protocol

from app.integrations.http import HttpClient


class Portal(Protocol):
    def find_account(
        self,
        *,
        cccd: str | None = None,
        passport: str | None = None,
        full_name: str | None = None,
        tax_code: str | None = None,
        agency_code: str | None = None,
    ) -> dict | None: ...
    def create_account(self, profile: dict[str, Any], idempotency_key: str) -> dict: ...
    def get_profile(self, account_id: str) -> dict: ...
    def sync_status(self, payload: dict[str, Any], idempotency_key: str) -> dict: ...
    def sync_progress(self, payload: dict[str, Any], idempotency_key: str) -> dict: ...
    def publish_result(self, payload: dict[str, Any], idempotency_key: str) -> dict: ...
    def admin_units(self) -> list[dict]: ...
    def national_catalog(self, max_bytes: int) -> tuple[Any, str]: ...


class PortalClient:
    def __init__(self, base_url: str, timeout: float = 5.0) -> None:
        self.http = HttpClient(base_url, timeout)

    def find_account(
        self,
        *,
        cccd: str | None = None,
        passport: str | None = None,
        full_name: str | None = None,
        tax_code: str | None = None,
        agency_code: str | None = None,
    ) -> dict | None:
        """The portal account for an identifier, or None when the portal has none."""
        params = {
            k: v
            for k, v in {
                "cccd": cccd,
                "passport": passport,
                "full_name": full_name,
                "tax_code": tax_code,
                "agency_code": agency_code,
            }.items()
            if v
        }
        found = self.http.get("/api/accounts", params=params, allow_404=True)
        return None if found is None else found["account"]

    def create_account(self, profile: dict[str, Any], idempotency_key: str) -> dict:
        return self.http.post("/api/accounts", profile, idempotency_key=idempotency_key)["account"]

    def get_profile(self, account_id: str) -> dict:
        return self.http.get(f"/api/accounts/{account_id}")["account"]

    def sync_status(self, payload: dict[str, Any], idempotency_key: str) -> dict:
        return self.http.post("/api/dossiers/status", payload, idempotency_key=idempotency_key)

    def sync_progress(self, payload: dict[str, Any], idempotency_key: str) -> dict:
        return self.http.post("/api/dossiers/progress", payload, idempotency_key=idempotency_key)

    def publish_result(self, payload: dict[str, Any], idempotency_key: str) -> dict:
        return self.http.post("/api/dossiers/results", payload, idempotency_key=idempotency_key)

    def admin_units(self) -> list[dict]:
        """The portal's catalog of administrative units (danh mục đơn vị hành chính)."""
        return self.http.get("/api/catalog/admin-units")["units"]

    def national_catalog(self, max_bytes: int) -> tuple[Any, str]:
        """The national catalogue (CSDL quốc gia về TTHC: procedures, online services, agencies,
        document types) and its ETag, refused when larger than `max_bytes` (003 §III.2.b)."""
        return self.http.get_capped("/api/catalog/national", max_bytes)

"""Complete Kho DL metadata for tests that put a document in the warehouse simulator directly:
the simulator, like Kho DL, refuses one without the six mandatory fields (001 §II.2.c)."""

from __future__ import annotations

from typing import Any


def six_fields(owner_id: str, type_code: str, name: str, **more: Any) -> dict[str, Any]:
    """A record with the six fields filled (a CCCD owner, no time limit, nationwide)."""
    return {
        "owner_id": owner_id,
        "owner_id_type": "cccd",
        "owner_name": more.pop("owner_name", "Nguyễn Văn An"),
        "type_code": type_code,
        "name": name,
        "summary": f"{name} của chủ sở hữu {owner_id}",
        "validity": "indefinite",
        "valid_from": None,
        "valid_until": None,
        "validity_scope": "national",
        **more,
    }

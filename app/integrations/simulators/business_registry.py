"""Simulator of a sector database (CSDL chuyên ngành): the national business registration
database (ĐKKD), which registers the results of enterprise procedures such as 2.001610.

It checks a result record as the real service would (001 §II.2.b Bước 6: found by the result's
document-type code and the owner's identifier; 001 §II.2.c "Một số yêu cầu": the six metadata
fields), refuses what it cannot register with a 4xx and a message, and registers each result
once: the same Idempotency-Key answers the first registration again, the same key with another
record is refused, and a result number already registered under another key is a conflict.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from datetime import UTC, datetime
from typing import Any

from flask import Flask, jsonify, request

from app.integrations.simulators.faults import Faults, install
from app.integrations.simulators.warehouse import metadata_problem

DATABASE = "DKKD"
# The six mandatory fields of 001 §II.2.c (the owner identifier with its kind and name).
SIX_FIELDS = (
    "type_code",
    "owner_id_type",
    "owner_id",
    "owner_name",
    "name",
    "summary",
    "valid_until",
    "validity_scope",
)
OWNER_IDS = {
    "cccd": re.compile(r"^\d{12}$"),
    "passport": re.compile(r"^[A-Z0-9]{6,9}$"),
    "tax_code": re.compile(r"^\d{10}(-\d{3})?$"),
}
PROCEDURE = re.compile(r"^\d\.\d{6}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _issued(value: Any) -> bool:
    try:
        datetime.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def _owner_problems(owner: Any) -> list[str]:
    if not isinstance(owner, dict):
        return ["owner must be an object"]
    problems = []
    pattern = OWNER_IDS.get(str(owner.get("id_type")))
    if pattern is None:
        problems.append("owner.id_type must be cccd, passport or tax_code")
    elif not pattern.match(str(owner.get("id") or "")):
        problems.append(f"owner.id is not a valid {owner.get('id_type')}")
    if not str(owner.get("name") or "").strip():
        problems.append("owner.name is required")
    return problems


def _result_problems(result: Any) -> list[str]:
    if not isinstance(result, dict):
        return ["result must be an object"]
    problems = [
        f"result.{key} is required"
        for key in ("number", "type_code", "name")
        if not str(result.get(key) or "").strip()
    ]
    if not _issued(result.get("issued_at")):
        problems.append("result.issued_at must be an ISO 8601 date and time")
    if not SHA256.match(str(result.get("sha256") or "")):
        problems.append("result.sha256 must be 64 lowercase hex digits")
    return problems


def _metadata_problems(record: dict[str, Any]) -> list[str]:
    metadata = record.get("metadata")
    if not isinstance(metadata, dict):
        return ["metadata (the six fields of 001 §II.2.c) is required"]
    missing = [key for key in SIX_FIELDS if key not in metadata]
    problems = ["metadata lacks " + ", ".join(missing)] if missing else []
    problems += [
        f"metadata.{key} must not be empty"
        for key in ("type_code", "owner_id", "owner_name", "name", "summary")
        if key not in missing and not str(metadata.get(key) or "").strip()
    ]
    owner, result = record.get("owner") or {}, record.get("result") or {}
    if isinstance(owner, dict) and metadata.get("owner_id") not in (None, owner.get("id")):
        problems.append("metadata.owner_id is not the owner's identifier")
    result_type = result.get("type_code") if isinstance(result, dict) else None
    if metadata.get("type_code") not in (None, result_type):
        problems.append("metadata.type_code is not the result's type code")
    if not missing and not problems:
        # the six fields as Kho DL checks them: validity and scope stated, not left empty
        problem = metadata_problem(metadata)
        if problem:
            problems.append(problem)
    return problems


def record_problems(record: dict[str, Any]) -> list[str]:
    """Why this database would refuse to register `record` (empty when it registers it)."""
    problems = []
    if record.get("database") != DATABASE:
        problems.append(f"this is the {DATABASE} database, not {record.get('database')!r}")
    for key in ("dossier_code", "agency_code"):
        if not str(record.get(key) or "").strip():
            problems.append(f"{key} is required")
    if not PROCEDURE.match(str(record.get("procedure_code") or "")):
        problems.append("procedure_code must be a national procedure code such as 2.001610")
    return (
        problems
        + _owner_problems(record.get("owner"))
        + _result_problems(record.get("result"))
        + _metadata_problems(record)
    )


def _digest(record: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


class RegistryState:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.records: dict[str, dict[str, Any]] = {}
            self.by_key: dict[str, tuple[str, str]] = {}  # key → (record digest, id)
            self.by_number: dict[str, str] = {}  # result number → id
            self.posts = 0

    def register(self, key: str, record: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """(answer, HTTP status) for one registration request, under the lock."""
        digest = _digest(record)
        with self.lock:
            self.posts += 1
            if key in self.by_key:
                first_digest, record_id = self.by_key[key]
                if first_digest != digest:
                    return {"error": "Idempotency-Key reused with a different record"}, 422
                return {**self._answer(record_id), "replayed": True}, 200
            number = record["result"]["number"]
            if number in self.by_number:
                return {
                    "error": f"result {number} is already registered as {self.by_number[number]}"
                }, 409
            record_id = f"{DATABASE}-{len(self.records) + 1:06d}"
            self.records[record_id] = {
                **record,
                "id": record_id,
                "registered_at": datetime.now(UTC).isoformat(),
            }
            self.by_key[key] = (digest, record_id)
            self.by_number[number] = record_id
            return {**self._answer(record_id), "replayed": False}, 201

    def _answer(self, record_id: str) -> dict[str, Any]:
        stored = self.records[record_id]
        return {
            "id": record_id,
            "registered_at": stored["registered_at"],
            "url": f"/api/registrations/{record_id}",
        }


def create_business_registry_simulator() -> Flask:
    app = Flask("business_registry_simulator")
    state = RegistryState()
    install(app, Faults(), state.reset, lambda: list(state.records.values()))

    @app.post("/api/registrations")
    def register():  # noqa: ANN202
        key = request.headers.get("Idempotency-Key", "")
        if not key:
            return jsonify(error="Idempotency-Key header is required"), 400
        record = request.get_json(silent=True)
        if not isinstance(record, dict):
            return jsonify(error="the body must be a JSON object"), 400
        problems = record_problems(record)
        if problems:
            return jsonify(error="; ".join(problems)), 422
        answer, status = state.register(key, record)
        return jsonify(answer), status

    @app.get("/api/registrations/<record_id>")
    def read(record_id: str):  # noqa: ANN202
        with state.lock:
            stored = state.records.get(record_id)
        return (jsonify(stored), 200) if stored else (jsonify(error="no such registration"), 404)

    @app.get("/api/registrations")
    def find():  # noqa: ANN202
        dossier, owner = request.args.get("dossier_code"), request.args.get("owner_id")
        if not dossier and not owner:
            return jsonify(error="dossier_code or owner_id is required"), 400
        with state.lock:
            found = [
                r
                for r in state.records.values()
                if (not dossier or r["dossier_code"] == dossier)
                and (not owner or r["owner"]["id"] == owner)
            ]
        return jsonify(registrations=found)

    @app.get("/_sim/posts")
    def posts():  # noqa: ANN202
        with state.lock:
            return jsonify(posts=state.posts)

    return app

"""Simulator of the e-document warehouse (Kho DL): documents keyed `<owner>.<type code>`."""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import re
import threading
from datetime import UTC, date, datetime
from typing import Any

from flask import Flask, jsonify, request

from app.integrations.simulators.faults import Faults, install
from app.integrations.simulators.files import (
    FileFaults,
    card_pdf,
    described,
    file_response,
    install_file_faults,
    owner_refusal,
)

# The seeded birth certificate, a real one-page PDF (a reused file is opened like any other).
SEED_LINES = ["Nguyen Van An (001090012345)", "Sinh ngay 12/05/1990", "UBND phuong Hoan Kiem"]


# What Kho DL requires of every stored document (001 §II.2.c "Một số yêu cầu"): the six fields,
# and for an individual without a CCCD the birth year and the identity paper's issue date and
# issuer. Checked here as the real service would, so that a test proves what the system sends.
REQUIRED = (
    "type_code",
    "owner_id_type",
    "owner_id",
    "owner_name",
    "name",
    "summary",
    "validity",
    "validity_scope",
)
WITHOUT_CCCD = ("cmnd", "passport")
OWNER_DETAILS = ("owner_birth_year", "owner_id_issued_on", "owner_id_issuer")
SCOPES = ("national", "province", "commune", "agency")
SUMMARY_MAX = 2000
MARKUP = re.compile(r"<\s*[A-Za-z/!?]")


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def metadata_problem(metadata: dict[str, Any]) -> str | None:
    """Why Kho DL refuses this metadata (naming the field), or None."""
    for key in REQUIRED:
        if not str(metadata.get(key) or "").strip():
            return f"metadata.{key} is required"
    if metadata.get("owner_id_type") in WITHOUT_CCCD:
        for key in OWNER_DETAILS:
            if not str(metadata.get(key) or "").strip():
                return f"metadata.{key} is required for an owner without a CCCD"
        year = str(metadata["owner_birth_year"])
        if not (year.isascii() and year.isdigit() and len(year) == 4):
            return "metadata.owner_birth_year must be a year"
        if _day(metadata["owner_id_issued_on"]) is None:
            return "metadata.owner_id_issued_on is not an ISO date"
    if metadata["validity"] not in ("until", "indefinite"):
        return "metadata.validity must be 'until' or 'indefinite'"
    valid_from, valid_until = metadata.get("valid_from"), metadata.get("valid_until")
    for key, value in (("valid_from", valid_from), ("valid_until", valid_until)):
        if value and _day(value) is None:
            return f"metadata.{key} is not an ISO date"
    if metadata["validity"] == "until" and not valid_until:
        return "metadata.valid_until is required when validity is 'until'"
    if metadata["validity"] == "indefinite" and valid_until:
        return "metadata.valid_until must be empty when validity is 'indefinite'"
    if valid_from and valid_until and _day(valid_until) <= _day(valid_from):
        return "metadata.valid_until must be after metadata.valid_from"
    if metadata["validity_scope"] not in SCOPES:
        return f"metadata.validity_scope must be one of {', '.join(SCOPES)}"
    if len(str(metadata["summary"])) > SUMMARY_MAX:
        return f"metadata.summary is longer than {SUMMARY_MAX} characters"
    for key in ("summary", "name", "owner_name", "owner_id_issuer"):
        if MARKUP.search(str(metadata.get(key) or "")):
            return f"metadata.{key} contains markup"
    return None


class WarehouseState:
    def __init__(self, seed: bool) -> None:
        self.lock = threading.Lock()
        self.seed = seed
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.documents: dict[str, dict[str, Any]] = {}
            self.files: dict[str, bytes] = {}
            self.idempotent: dict[str, dict[str, Any]] = {}
            self.ids = itertools.count(1)
        if self.seed:
            self.store(
                {
                    "owner_id": "001090012345",
                    "owner_id_type": "cccd",
                    "owner_name": "Nguyễn Văn An",
                    "type_code": "KQ.G15.000031",
                    "name": "Giấy khai sinh",
                    "summary": "Giấy khai sinh của Nguyễn Văn An do UBND phường Hoàn Kiếm cấp",
                    "validity": "indefinite",
                    "valid_from": None,
                    "valid_until": None,
                    "validity_scope": "national",
                    "issuer": "UBND phường Hoàn Kiếm",
                },
                card_pdf("Giay khai sinh", SEED_LINES),
            )

    def store(self, metadata: dict[str, Any], content: bytes) -> dict[str, Any]:
        doc_id = f"DOC-{next(self.ids):06d}"
        document = {
            **metadata,
            "id": doc_id,
            "key": metadata.get("storage_key") or f"{metadata['owner_id']}.{metadata['type_code']}",
            "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
            "stored_at": datetime.now(UTC).isoformat(),
        }
        self.documents[doc_id] = document
        self.files[doc_id] = content
        return document


def create_warehouse_simulator(seed: bool = True) -> Flask:
    app = Flask("warehouse_simulator")
    state = WarehouseState(seed)
    file_faults = FileFaults()

    def reset() -> None:
        file_faults.set({})
        state.reset()

    install(app, Faults(), reset, lambda: list(state.documents.values()))
    install_file_faults(app, file_faults)

    @app.get("/api/documents")
    def list_documents():  # noqa: ANN202
        owner = request.args.get("owner_id")
        if not owner:
            return jsonify(error="owner_id is required"), 400
        type_code = request.args.get("type_code")
        with state.lock:
            found = [
                d
                for d in state.documents.values()
                if d["owner_id"] == owner and (not type_code or d["type_code"] == type_code)
            ]
        return jsonify(documents=found)

    @app.get("/api/documents/<doc_id>")
    def get_document(doc_id: str):  # noqa: ANN202
        with state.lock:
            document = state.documents.get(doc_id)
        if document is None:
            return jsonify(error="no such document"), 404
        asked = request.args.get("owner_id")
        if asked and asked != document["owner_id"]:
            return jsonify(error="the document belongs to another owner"), 403
        return jsonify(described(document, file_faults)), 200

    @app.get("/api/documents/<doc_id>/file")
    def get_file(doc_id: str):  # noqa: ANN202
        """The document's file, only for its owner (001 §II.2.b: by owner identifier)."""
        with state.lock:
            content = state.files.get(doc_id)
            document = state.documents.get(doc_id)
        if content is None or document is None:
            return jsonify(error="no such document"), 404
        return owner_refusal(document["owner_id"]) or file_response(content, file_faults)

    @app.post("/api/documents")
    def store_document():  # noqa: ANN202
        key = request.headers.get("Idempotency-Key")
        if not key:
            return jsonify(error="Idempotency-Key header is required"), 400
        body = request.get_json(silent=True) or {}
        metadata = body.get("metadata") or {}
        if not isinstance(metadata, dict):
            return jsonify(error="metadata must be an object"), 400
        problem = metadata_problem(metadata)
        if problem:
            return jsonify(error=problem), 422
        try:
            content = base64.b64decode(body.get("content_b64") or "", validate=True)
        except (binascii.Error, ValueError):
            return jsonify(error="content_b64 is not valid base64"), 400
        if metadata.get("sha256") and hashlib.sha256(content).hexdigest() != metadata["sha256"]:
            return jsonify(
                error="content does not match metadata.sha256 (damaged in transfer)"
            ), 422
        with state.lock:
            if key in state.idempotent:
                return jsonify(state.idempotent[key]), 201
            document = state.store(metadata, content)
            response = {"id": document["id"], "key": document["key"]}
            state.idempotent[key] = response
        return jsonify(response), 201

    return app

"""Simulator of the e-document warehouse (Kho DL): documents keyed `<owner>.<type code>`."""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import threading
from datetime import UTC, datetime
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
                    "type_code": "KQ.G15.000031",
                    "name": "Giấy khai sinh",
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
        if not metadata.get("owner_id") or not metadata.get("type_code"):
            return jsonify(error="metadata.owner_id and metadata.type_code are required"), 400
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

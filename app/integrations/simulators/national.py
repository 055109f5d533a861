"""Simulator of the national databases (CSDL quốc gia về dân cư and the sector databases):
records of a citizen by owner identifier and document-type code, with their data.

Each record's document is also served as a file (`/api/records/<id>/file`, a PDF with its
SHA-256) to a caller asking for its owner, for reuse by content (001 §II.1 Bước 3).

A record added with `served_for` is answered, first, to lookups for that identifier while it
names its real `owner_id`: a database that returns another person's document, for tests."""

from __future__ import annotations

import hashlib
import threading
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
from app.integrations.simulators.national_registers import Registers, install_registers

DEMO_RECORDS: list[dict[str, Any]] = [
    {
        "owner_id": "001090012345",
        "type_code": "KQ.G01.000023",
        "name": "Thẻ căn cước công dân",
        "full_name": "Nguyễn Văn An",
        "fields": {
            "document_number": "001090012345",
            "issued_on": "2021-04-10",
            "issuer": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
            "birth_date": "1990-05-12",
        },
    },
    {
        "owner_id": "079095000123",
        "type_code": "KQ.G01.000023",
        "name": "Thẻ căn cước công dân",
        "full_name": "Nguyễn Thị Hồng Nhung",
        "fields": {
            "document_number": "079095000123",
            "issued_on": "2021-03-15",
            "issuer": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
            "birth_date": "1995-07-21",
        },
    },
    {
        "owner_id": "079095000123",
        "type_code": "KQ.G15.000031",
        "name": "Giấy khai sinh",
        "full_name": "Nguyễn Thị Hồng Nhung",
        "fields": {
            "document_number": "215/1995",
            "issued_on": "1995-08-01",
            "issuer": "UBND phường Bến Nghé",
        },
    },
]


class NationalState:
    def __init__(self, seed: bool) -> None:
        self.lock = threading.Lock()
        self.seed = seed
        self.reset()

    def reset(self) -> None:
        with self.lock:
            demo = DEMO_RECORDS if self.seed else []
            # ids are kept when a record is put in front of others
            self.records = [{**r, "id": f"NAT-{i + 1:05d}"} for i, r in enumerate(demo)]
            self.lookups: list[dict[str, str]] = []
            self.files: dict[str, bytes] = {}

    def file_of(self, record: dict[str, Any]) -> bytes:
        """The record's document as a PDF (made once; the caller holds the lock)."""
        if record["id"] not in self.files:
            lines = [f"{k}: {v}" for k, v in (record.get("fields") or {}).items()]
            self.files[record["id"]] = card_pdf(
                str(record.get("name") or record["type_code"]),
                [f"{record.get('full_name') or ''} ({record['owner_id']})", *lines, record["id"]],
            )
        return self.files[record["id"]]

    def served(self, record: dict[str, Any]) -> dict[str, Any]:
        """A record as answered: without the test knob, with its file's SHA-256."""
        shown = {k: v for k, v in record.items() if k != "served_for"}
        return {**shown, "sha256": hashlib.sha256(self.file_of(record)).hexdigest()}

    def find(self, record_id: str) -> dict[str, Any] | None:
        return next((r for r in self.records if r["id"] == record_id), None)


def create_national_simulator(seed: bool = True) -> Flask:
    app = Flask("national_db_simulator")
    state = NationalState(seed)
    file_faults = FileFaults()

    registers = Registers(seed)

    def reset() -> None:
        file_faults.set({})
        state.reset()
        registers.reset()

    install(app, Faults(), reset, lambda: list(state.lookups))
    install_file_faults(app, file_faults)
    install_registers(app, registers)

    @app.get("/api/records")
    def find_records():  # noqa: ANN202
        owner, type_code = request.args.get("owner_id"), request.args.get("type_code")
        if not owner or not type_code:
            return jsonify(error="owner_id and type_code are required"), 400
        with state.lock:
            state.lookups.append({"owner_id": owner, "type_code": type_code})
            found = [
                state.served(r)
                for r in state.records
                if r.get("served_for", r["owner_id"]) == owner and r["type_code"] == type_code
            ]
        return jsonify(records=found)

    @app.get("/api/records/<record_id>")
    def get_record(record_id: str):  # noqa: ANN202
        with state.lock:
            record = state.find(record_id)
            shown = state.served(record) if record else None
        if shown is None:
            return jsonify(error="no such record"), 404
        refused = owner_refusal(shown["owner_id"])
        return refused or (jsonify(described(shown, file_faults)), 200)

    @app.get("/api/records/<record_id>/file")
    def get_record_file(record_id: str):  # noqa: ANN202
        """The record's document, only for its owner."""
        with state.lock:
            record = state.find(record_id)
            content = state.file_of(record) if record else None
        if record is None or content is None:
            return jsonify(error="no such record"), 404
        return owner_refusal(record["owner_id"]) or file_response(content, file_faults)

    @app.post("/_sim/records")
    def add_record():  # noqa: ANN202
        body = request.get_json(silent=True) or {}
        if not body.get("owner_id") or not body.get("type_code"):
            return jsonify(error="owner_id and type_code are required"), 400
        with state.lock:
            # a wrongly served record is answered before the right one, as in the field
            record = {**body, "id": f"NAT-{len(state.records) + 1:05d}"}
            if body.get("served_for"):
                state.records.insert(0, record)
            else:
                state.records.append(record)
        return jsonify(ok=True), 201

    return app

"""Simulator of the national databases (CSDL quốc gia về dân cư and the sector databases):
records of a citizen by owner identifier and document-type code, with their data.

A record added with `served_for` is answered, first, to lookups for that identifier while it
names its real `owner_id`: a database that returns another person's document, for tests."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, jsonify, request

from app.integrations.simulators.faults import Faults, install

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


def create_national_simulator(seed: bool = True) -> Flask:
    app = Flask("national_db_simulator")
    state = NationalState(seed)
    install(app, Faults(), state.reset, lambda: list(state.lookups))

    @app.get("/api/records")
    def find_records():  # noqa: ANN202
        owner, type_code = request.args.get("owner_id"), request.args.get("type_code")
        if not owner or not type_code:
            return jsonify(error="owner_id and type_code are required"), 400
        with state.lock:
            state.lookups.append({"owner_id": owner, "type_code": type_code})
            found = [
                {k: v for k, v in r.items() if k != "served_for"}
                for r in state.records
                if r.get("served_for", r["owner_id"]) == owner and r["type_code"] == type_code
            ]
        return jsonify(records=found)

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

"""The portal's catalog of administrative units, as the simulator serves it: the two-level
list of the `vietnam-provinces` package, plus changes a test or the demo stages through
`/_sim/admin-units` (a rename, a merge, an abolition, a new unit), as the real catalog changes
when the National Assembly Standing Committee re-shapes units."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, jsonify, request

from app.domain.admin_units import all_units


def install_catalog(app: Flask):  # noqa: ANN201
    lock = threading.Lock()
    staged: dict[str, Any] = {}

    def reset() -> None:
        with lock:
            staged.clear()
            staged.update(rename={}, merge={}, abolish=[], add=[])

    reset()

    @app.get("/api/catalog/admin-units")
    def admin_units():  # noqa: ANN202
        with lock:
            units = []
            for unit in all_units():
                row = {
                    "code": unit.code,
                    "name": staged["rename"].get(unit.code, unit.name),
                    "level": unit.level,
                    "province_code": unit.province_code,
                    "status": "active",
                    "successor_code": None,
                }
                if unit.code in staged["merge"]:
                    row["status"], row["successor_code"] = "merged", staged["merge"][unit.code]
                elif unit.code in staged["abolish"]:
                    row["status"] = "abolished"
                units.append(row)
            units += [{**u, "status": "active", "successor_code": None} for u in staged["add"]]
        return jsonify(units=units)

    @app.post("/_sim/admin-units")
    def stage_units():  # noqa: ANN202
        change = request.get_json(force=True) or {}
        with lock:
            staged["rename"].update(change.get("rename") or {})
            staged["merge"].update(change.get("merge") or {})
            staged["abolish"] += list(change.get("abolish") or [])
            staged["add"] += list(change.get("add") or [])
        return jsonify(ok=True)

    return reset

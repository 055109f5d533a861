"""The portal's national catalogue (CSDL quốc gia về TTHC) as the simulator serves it, with a
version and an ETag (003 §III.2.b Bước 1–3: the local system syncs procedures, online services
and agencies from it; 001 §IV.1: result and document type codes come from it).

`/_sim/national-catalog` stages changes the way the real catalogue changes: entries set or
removed per list (each change a new version), or, for the hostile tests, a raw body served as
is or padding that makes the answer huge."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, request

from app.integrations.simulators.portal_tthc_data import catalogue


def _key(kind: str, entry: dict[str, Any]) -> str:
    if kind == "online_services":
        return f"{entry.get('procedure_code')}@{entry.get('agency_code')}"
    return str(entry.get("code"))


def _padded(body: str, pad: int) -> Iterator[bytes]:
    """`body` with a `padding` member of `pad` bytes, sent in chunks."""
    yield body[:-1].encode() + b', "padding": "'
    chunk = b"x" * 65536
    for _ in range(pad // len(chunk)):
        yield chunk
    yield b'"}'


def install_national_catalog(app: Flask):  # noqa: ANN201
    """Serve `GET /api/catalog/national`; returns the reset function."""
    lock = threading.Lock()
    state: dict[str, Any] = {}

    def reset() -> None:
        with lock:
            state.clear()
            state.update(lists=catalogue(), version=1, raw=None, pad=0)

    reset()

    @app.get("/api/catalog/national")
    def national_catalog():  # noqa: ANN202
        with lock:
            if state["raw"] is not None:
                body = json.dumps(state["raw"], ensure_ascii=False)
            else:
                doc = {"version": f"2025.07.{state['version']:04d}", **state["lists"]}
                body = json.dumps(doc, ensure_ascii=False, sort_keys=True)
            pad = state["pad"]
        etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        if pad:  # a runaway answer, streamed without a length, as a broken gateway would
            return Response(_padded(body, pad), mimetype="application/json", headers={"ETag": etag})
        return Response(body, mimetype="application/json", headers={"ETag": etag})

    @app.post("/_sim/national-catalog")
    def stage_national_catalog():  # noqa: ANN202
        change = request.get_json(force=True) or {}
        with lock:
            for kind, entries in (change.get("set") or {}).items():
                rows = state["lists"].setdefault(kind, [])
                for entry in entries:
                    at = next(
                        (i for i, r in enumerate(rows) if _key(kind, r) == _key(kind, entry)), None
                    )
                    if at is None:
                        rows.append(entry)
                    else:
                        rows[at] = {**rows[at], **entry}
            for kind, codes in (change.get("remove") or {}).items():
                state["lists"][kind] = [
                    r for r in state["lists"].get(kind, []) if _key(kind, r) not in set(codes)
                ]
            if "raw" in change:
                state["raw"] = change["raw"]
            state["pad"] = int(change.get("pad_bytes") or state["pad"])
            state["version"] += 1
        return {"ok": True, "version": state["version"]}

    return reset

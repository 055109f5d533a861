"""Simulator of an SMS gateway (brandname SMS): accepts messages once per idempotency key and
lists what it "sent" at `/_sim/received`."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from typing import Any

from flask import Flask, jsonify, request

from app.integrations.simulators.faults import Faults, install

PHONE = re.compile(r"^(0|\+84)\d{9,10}$")


def create_sms_simulator() -> Flask:
    app = Flask("sms_simulator")
    lock = threading.Lock()
    state: dict[str, Any] = {"sent": [], "keys": {}}

    def reset() -> None:
        with lock:
            state["sent"], state["keys"] = [], {}

    install(app, Faults(), reset, lambda: list(state["sent"]))

    @app.post("/api/sms")
    def send():  # noqa: ANN202
        key = request.headers.get("Idempotency-Key")
        if not key:
            return jsonify(error="Idempotency-Key header is required"), 400
        body = request.get_json(silent=True) or {}
        to, text = str(body.get("to") or ""), str(body.get("text") or "")
        if not PHONE.match(to):
            return jsonify(error=f"not a Vietnamese mobile number: {to!r}"), 422
        if not text or len(text) > 640:
            return jsonify(error="text: 1..640 characters"), 422
        with lock:
            if key in state["keys"]:
                return jsonify(state["keys"][key]), 200
            state["sent"].append(
                {"key": key, "to": to, "text": text, "at": datetime.now(UTC).isoformat()}
            )
            answer = {"accepted": True, "id": f"SMS-{len(state['sent']):06d}"}
            state["keys"][key] = answer
        return jsonify(answer), 200

    return app

"""Fault knobs shared by both simulators: fail the next N calls, add latency."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from flask import Flask, jsonify, request


@dataclass
class Faults:
    fail_next: int = 0
    status: int = 503
    latency_ms: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def set(self, body: dict) -> None:
        with self.lock:
            self.fail_next = int(body.get("fail_next", 0))
            self.status = int(body.get("status", 503))
            self.latency_ms = int(body.get("latency_ms", 0))

    def take(self) -> int | None:
        """Status to fail this call with, or None; counts the failure down."""
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return self.status
        return None


def install(app: Flask, faults: Faults, reset: callable, received: callable) -> None:  # type: ignore[valid-type]
    """Add `/_sim/*` endpoints and apply the faults to every `/api/*` call."""

    @app.before_request
    def _inject():  # noqa: ANN202
        if not request.path.startswith("/api/"):
            return None
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000)
        status = faults.take()
        if status is not None:
            return jsonify(error=f"simulated failure {status}"), status
        return None

    @app.post("/_sim/faults")
    def _faults():  # noqa: ANN202
        faults.set(request.get_json(force=True) or {})
        return jsonify(ok=True)

    @app.post("/_sim/reset")
    def _reset():  # noqa: ANN202
        faults.set({})
        reset()
        return jsonify(ok=True)

    @app.get("/_sim/received")
    def _received():  # noqa: ANN202
        return jsonify(received())

    @app.get("/_sim/health")
    def _health():  # noqa: ANN202
        return jsonify(ok=True)

"""Simulators of the portal and the warehouse: real HTTP services for development and tests."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask
from werkzeug.serving import make_server


def serve_in_thread(
    app: Flask, host: str = "127.0.0.1", port: int = 0
) -> tuple[str, Callable[[], None]]:
    """Serve `app` over real HTTP on loopback in a daemon thread; returns (base URL, stop)."""
    server = make_server(host, port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        thread.join(timeout=10)

    return f"http://{host}:{server.server_port}", stop

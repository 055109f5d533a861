"""The client CPU of one call through the project's HTTP helper (`app.integrations.http`), the
way every national-service client and the workers' outbox deliveries call out.

Usage: .venv/bin/python bench/http_client.py [-n 500] [--runs 5]

Starts a threaded Werkzeug server in a child process (one JSON answer for every request, as
the simulators answer), then times `HttpClient.post` N times per run in this process and prints
the client CPU per call (process time: user + system) of each run and their median, and what
making a client costs. The server's CPU is not counted.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import socket
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _answer(environ, start_response):  # noqa: ANN001, ANN202 - a WSGI application
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"ok": true}']


def _serve(port: int) -> None:
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    make_server("127.0.0.1", port, _answer, threaded=True).serve_forever()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=500, help="calls per run (default 500)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    port = _free_port()
    server = multiprocessing.Process(target=_serve, args=(port,), daemon=True)
    server.start()
    from app.integrations.http import HttpClient

    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while True:
        try:
            HttpClient(url, 5).post("/warm", {})
            break
        except Exception:  # noqa: BLE001 - not listening yet
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    per_call = []
    for _ in range(args.runs):
        client = HttpClient(url, 5)
        for _ in range(50):
            client.post("/status", {"code": "000.00.12.H31-261202-0001", "status": 4})
        started = time.process_time()
        for _ in range(args.n):
            client.post("/status", {"code": "000.00.12.H31-261202-0001", "status": 4})
        per_call.append((time.process_time() - started) / args.n * 1000)
    started = time.process_time()
    for _ in range(300):
        HttpClient(url, 5)
    made = (time.process_time() - started) / 300 * 1000
    server.terminate()
    runs = ", ".join(f"{ms:.3f}" for ms in per_call)
    print(f"client CPU per call (ms), {args.runs} runs of {args.n}: {runs}")
    print(f"  median {statistics.median(per_call):.3f} ms; making a client {made:.3f} ms")


if __name__ == "__main__":
    main()

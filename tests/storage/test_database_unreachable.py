"""A PostgreSQL that accepts the connection and never answers (a host that hangs, a proxy
whose backend is gone) must fail a new connection within the engine's connect timeout, so a
request or /readyz answers instead of waiting for the kernel's TCP timeout."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app.storage.db import make_engine


@pytest.fixture
def silent_port():
    """A TCP port that accepts connections and never sends a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(timeout=2)
    for connection in held:
        connection.close()
    server.close()


def _time_to_fail(url: str) -> float:
    engine = make_engine(url)
    started = time.monotonic()
    with pytest.raises(OperationalError), engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    engine.dispose()
    return time.monotonic() - started


@pytest.mark.slow
def test_a_database_that_never_answers_fails_a_connection_within_ten_seconds(silent_port):
    took = _time_to_fail(f"postgresql://gqtthc@127.0.0.1:{silent_port}/gqtthc")
    assert 5 < took < 15


def test_a_connect_timeout_in_the_database_url_wins_over_the_default(silent_port):
    took = _time_to_fail(f"postgresql://gqtthc@127.0.0.1:{silent_port}/gqtthc?connect_timeout=2")
    assert took < 5

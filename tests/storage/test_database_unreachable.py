"""A PostgreSQL that accepts the connection and never answers (a host that hangs, a proxy
whose backend is gone) must fail a new connection within the engine's connect timeout, so a
request or /readyz answers instead of waiting for the kernel's TCP timeout."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app.storage.db import make_engine
from tests.support.servers import silent_listener


@pytest.fixture
def silent_port():
    """A TCP port that accepts connections and never sends a byte."""
    with silent_listener() as port:
        yield port


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

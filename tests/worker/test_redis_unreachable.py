"""A Redis that is unreachable (it accepts connections and never answers, as behind a dropped
firewall rule) costs a hand-off `REDIS_TIMEOUT` seconds, not an officer's request for minutes:
the step has committed and the sweeper delivers it later."""

from __future__ import annotations

import time

import pytest

from app import settings
from app.services.core import queue
from tests.support.servers import silent_listener
from worker import scheduler


@pytest.fixture
def silent_redis(monkeypatch):
    """A listener that takes connections and never answers; REDIS_URL points at it."""
    with silent_listener() as port:
        monkeypatch.setattr(settings.current, "REDIS_URL", f"redis://127.0.0.1:{port}/0")
        monkeypatch.setattr(settings.current, "REDIS_TIMEOUT", 0.5)
        yield


def test_handing_off_to_a_redis_that_never_answers_gives_up_after_the_timeout(silent_redis):
    started = time.monotonic()
    queue.dispatch([1, 2])  # logs and returns: the sweeper hands the rows off later
    assert queue.waiting([1, 2]) == set()
    assert time.monotonic() - started < 5


def test_a_scheduler_lease_on_a_redis_that_never_answers_fails_the_pass_quickly(silent_redis):
    started = time.monotonic()
    with pytest.raises(Exception, match="[Tt]imeout|timed out"):
        scheduler._turn("restarts-test", 10)
    assert time.monotonic() - started < 5

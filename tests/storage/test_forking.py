"""`forked_pool`, the processes a model migration and a reorganisation share their work with:
they stop when the work is done even when the process that forked them has its own SIGTERM
handler (gunicorn's web workers have one; the pool used to hang waiting for such a child)."""

from __future__ import annotations

import os
import signal
import time
from multiprocessing.pool import Pool

import pytest

from app.storage.forking import forked_pool


def _sigterm_handler(_: int) -> object:
    return signal.getsignal(signal.SIGTERM)


def _fail(value: int) -> int:
    if value == 1:
        raise ValueError("this part failed")
    return value


@pytest.fixture
def own_sigterm_handler():
    """A handler that only notes the signal, as gunicorn's worker does (`handle_exit`)."""
    noted = []
    previous = signal.signal(signal.SIGTERM, lambda *_: noted.append(os.getpid()))
    yield noted
    signal.signal(signal.SIGTERM, previous)


def test_the_children_take_the_default_sigterm_back(app, own_sigterm_handler):
    with forked_pool(2) as pool:
        assert pool.map(_sigterm_handler, range(4)) == [signal.SIG_DFL] * 4
    assert own_sigterm_handler == []  # nothing was sent to this process


def test_the_children_end_when_the_work_is_done_not_by_a_signal(
    app, own_sigterm_handler, monkeypatch
):
    terminated = []
    real_terminate = Pool.terminate
    monkeypatch.setattr(Pool, "terminate", lambda pool: terminated.append(real_terminate(pool)))
    with forked_pool(2) as pool:
        children = list(pool._pool)
        assert sorted(pool.map(abs, [-2, -1, 0])) == [0, 1, 2]
    assert terminated == []  # closed and joined: no SIGTERM for a child to ignore
    assert [child.exitcode for child in children] == [0, 0]


def test_a_failed_part_stops_the_children_and_raises(app, own_sigterm_handler):
    started = time.monotonic()
    with pytest.raises(ValueError, match="this part failed"), forked_pool(2) as pool:
        children = list(pool._pool)
        pool.map(_fail, range(3))
    assert time.monotonic() - started < 10
    assert all(child.exitcode is not None for child in children)  # none left running

"""Waiting for another process (a server starting, a worker finishing) in tests and benches.

Poll until a condition holds or a deadline passes; the pause between polls only spaces them
out, it is never the wait itself. Time that the code under test must see pass is the frozen
clock's (`clock.advance` in tests/conftest.py), not a sleep.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

POLL_INTERVAL = 0.05


def wait_until(
    condition: Callable[[], T], *, timeout: float, what: str, interval: float = POLL_INTERVAL
) -> T:
    """Call `condition` until it answers something other than None or False and return that
    answer (an HTTP response counts whatever its status); raise TimeoutError naming `what` once
    `timeout` seconds have passed without one."""
    deadline = time.monotonic() + timeout
    while True:
        answer = condition()
        if answer is not None and answer is not False:
            return answer
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what}: still not so after {timeout} s")
        time.sleep(interval)

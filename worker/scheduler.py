"""The scheduler loop: fire due timers and sweep the outbox. Idempotent; run one or many."""

from __future__ import annotations

import logging
import signal
import time

from app import settings
from app.bootstrap import ensure_configured
from app.services import outbox, timers

log = logging.getLogger(__name__)


def tick() -> tuple[int, int]:
    """One pass: (timers fired, outbox rows re-enqueued)."""
    fired = timers.fire_due_timers()
    swept = len(outbox.sweep())
    return fired, swept


def run_forever() -> None:
    ensure_configured()
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler started")
    while not stopping:
        started = time.monotonic()
        try:
            fired, swept = tick()
            if fired or swept:
                log.info("timers fired: %s, outbox re-enqueued: %s", fired, swept)
        except Exception:  # noqa: BLE001 - keep the loop alive; the next pass retries
            log.exception("scheduler pass failed")
        time.sleep(max(0.0, settings.current.SCHEDULER_INTERVAL - (time.monotonic() - started)))

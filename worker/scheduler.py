"""The scheduler loop: fire due timers and sweep the outbox. Idempotent; run one or many."""

from __future__ import annotations

import logging
import signal
import time
from functools import lru_cache

from redis import Redis

from app import logs, settings
from app.bootstrap import ensure_configured
from app.services.core import monitoring, outbox
from app.services.deadlines import overdue
from app.services.dossiers import task_counts, timers
from app.services.reorganisation import cutover

log = logging.getLogger(__name__)
# How long one reorganisation run may hold its plan before another scheduler starts a new one.
REORG_LEASE = 3600
REORG_CHECK_EVERY = 30
# The task lists' kept counts: their appended changes folded this often (a count is exact either
# way; folding keeps what a count reads small).
COUNTS_FOLD_EVERY = 5


def tick() -> tuple[int, int]:
    """One pass: (timers fired, outbox rows re-enqueued); deadlines when their turn comes."""
    fired = timers.fire_due_timers()
    swept = len(outbox.sweep())
    # reorganisation plans are few and wait for a cut-over time: looked for twice a minute
    due = cutover.due_plans() if _turn("reorganisation-plans", REORG_CHECK_EVERY) else []
    for plan_id in due:
        # one run per plan at a time; a run that died is taken up again after the lease
        if _turn(f"reorganisation-{plan_id}", REORG_LEASE):
            parts = max(settings.current.REORG_WORKERS, 1)
            for part in range(parts):
                _bulk_jobs().enqueue(
                    "worker.jobs.apply_reorganisation",
                    plan_id,
                    part,
                    parts,
                    job_timeout=REORG_LEASE,
                )
    if _turn("task-counts", COUNTS_FOLD_EVERY):
        task_counts.fold()
    if _turn("deadline-sweep", settings.current.DEADLINE_SWEEP_INTERVAL):
        result = overdue.sweep()
        monitoring.sweep_done()
        if result.due_soon or result.overdue:
            log.info("steps due soon: %s, overdue: %s", result.due_soon, result.overdue)
    return fired, swept


def _turn(name: str, interval: float) -> bool:
    """True for one scheduler per `interval`, however many run (a Redis key with expiry)."""
    if interval <= 0:
        return True
    key = f"{settings.current.RQ_QUEUE}:scheduler:{name}"
    return bool(_redis(settings.current.REDIS_URL).set(key, "1", nx=True, px=int(interval * 1000)))


def _redis(url: str) -> Redis:
    return _timed_redis(url, settings.current.REDIS_TIMEOUT)


@lru_cache(maxsize=4)
def _timed_redis(url: str, timeout: float) -> Redis:
    # an unreachable Redis fails a pass after `timeout` (the next pass tries again) instead of
    # holding the scheduler, and with it every timer and sweep, for minutes
    return Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)


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
            with logs.bind(dossier=None, instance=None):  # each pass names no one dossier
                fired, swept = tick()
            if fired or swept:
                log.info("timers fired: %s, outbox re-enqueued: %s", fired, swept)
        except Exception:  # noqa: BLE001 - keep the loop alive; the next pass retries
            log.exception("scheduler pass failed")
        time.sleep(max(0.0, settings.current.SCHEDULER_INTERVAL - (time.monotonic() - started)))


def _bulk_jobs():  # noqa: ANN202
    """The queue of long jobs, never taken by the sync-first worker (`queue.bulk_name`)."""
    from rq import Queue

    from app.services.core import queue

    return Queue(queue.bulk_name(), connection=_redis(settings.current.REDIS_URL))

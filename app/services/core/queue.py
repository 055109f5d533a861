"""Hand-off of outbox rows to RQ. Swappable so tests can simulate a crash before enqueue."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

from redis import Redis
from rq import Queue

from app import settings

JOB = "worker.jobs.deliver_outbox"


@lru_cache(maxsize=4)
def _queue(url: str, name: str) -> Queue:
    return Queue(name, connection=Redis.from_url(url))


def rq_enqueue(outbox_ids: Iterable[int]) -> None:
    """Hand outbox rows to the RQ workers (after the transaction committed)."""
    queue = _queue(settings.current.REDIS_URL, settings.current.RQ_QUEUE)
    jobs = [
        Queue.prepare_data(JOB, args=(outbox_id,), timeout=60, result_ttl=0, failure_ttl=86400)
        for outbox_id in outbox_ids
    ]
    queue.enqueue_many(jobs)


enqueue: Callable[[Iterable[int]], None] = rq_enqueue


def dispatch(outbox_ids: Iterable[int]) -> None:
    """Enqueue; a failure here is harmless because the sweeper finds rows left behind."""
    ids = list(outbox_ids)
    if not ids:
        return
    try:
        enqueue(ids)
    except Exception:  # noqa: BLE001 - Redis down: the sweeper re-enqueues later
        import logging

        logging.getLogger(__name__).warning("enqueue failed for outbox %s; sweeper will retry", ids)

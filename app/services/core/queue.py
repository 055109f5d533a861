"""Hand-off of outbox rows to RQ. Swappable so tests can simulate a crash before enqueue."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from redis import Redis
from rq import Queue

from app import settings

JOB = "worker.jobs.deliver_outbox"
log = logging.getLogger(__name__)


def _queue(url: str, name: str) -> Queue:
    return _timed_queue(url, name, settings.current.REDIS_TIMEOUT)


@lru_cache(maxsize=4)
def _timed_queue(url: str, name: str, timeout: float) -> Queue:
    connection = Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    return Queue(name, connection=connection)


def rq_enqueue(outbox_ids: Iterable[int]) -> None:
    """Hand outbox rows to the RQ workers (after the transaction committed)."""
    queue = _queue(settings.current.REDIS_URL, settings.current.RQ_QUEUE)
    jobs = [
        Queue.prepare_data(
            JOB,
            args=(outbox_id,),
            timeout=60,
            result_ttl=0,
            failure_ttl=86400,
            job_id=job_id(outbox_id),
        )
        for outbox_id in outbox_ids
    ]
    queue.enqueue_many(jobs)


enqueue: Callable[[Iterable[int]], None] = rq_enqueue


def job_id(outbox_id: int) -> str:
    """The RQ job id of a row's delivery: the same for every hand-off of the row, so whether
    the row waits in the queue can be asked of Redis (see `waiting`)."""
    return f"{re.sub(r'[^A-Za-z0-9_-]', '_', settings.current.RQ_QUEUE)}-outbox-{outbox_id}"


def waiting(outbox_ids: Iterable[int]) -> set[int]:
    """The rows among these whose delivery job still waits in the queue (a worker will take
    it): handing them off again would only queue duplicates. Redis down: none (the hand-off
    fails too, and the sweeper tries again)."""
    ids = list(outbox_ids)
    if not ids:
        return set()
    try:
        queue = _queue(settings.current.REDIS_URL, settings.current.RQ_QUEUE)
        pipe = queue.connection.pipeline(transaction=False)
        for outbox_id in ids:
            pipe.lpos(queue.key, job_id(outbox_id))
        found = pipe.execute()
    except Exception:  # noqa: BLE001 - Redis down: nothing is known to wait
        log.warning("could not ask Redis which outbox rows are queued")
        return set()
    return {outbox_id for outbox_id, at in zip(ids, found, strict=True) if at is not None}


def dispatch(outbox_ids: Iterable[int]) -> None:
    """Enqueue; a failure here is harmless because the sweeper finds rows left behind."""
    ids = list(outbox_ids)
    if not ids:
        return
    try:
        enqueue(ids)
    except Exception:  # noqa: BLE001 - Redis down: the sweeper re-enqueues later
        log.warning("enqueue failed for outbox %s; sweeper will retry", ids)

"""Hand-off of outbox rows to RQ. Swappable so tests can simulate a crash before enqueue."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Iterable
from functools import lru_cache

from redis import Redis
from rq import Queue

from app import settings

JOB = "worker.jobs.deliver_outbox"
# Seconds a finished job's record is kept in Redis (RQ's finished registry, `rq info`). Kept a
# minute, not dropped at once (0): RQ deletes a job with a result_ttl of 0 from every registry
# one by one, which cost its worker more than keeping it (63 against 57 Redis commands a job,
# bench/rq_jobs.py); a minute of records is a few hundred small hashes.
RESULT_TTL = 60
log = logging.getLogger(__name__)


def _queue(url: str, name: str) -> Queue:
    return _timed_queue(url, name, settings.current.REDIS_TIMEOUT)


@lru_cache(maxsize=4)
def _timed_queue(url: str, name: str, timeout: float) -> Queue:
    connection = Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    return Queue(name, connection=connection)


def names() -> tuple[str, str]:
    """The workers' two queues, in the order they take jobs: first the calls a process waits
    for (a BPMN service task: the account check before the reception step, the e-result's
    issuing, storing and publishing before the return), then the rest (the portal's status and
    progress syncs, notifications, reorganisations), which nobody waits on. Under load an
    officer's next step is not queued behind other dossiers' syncs; the syncs keep their
    order (their ordering key), and one worker of each pool takes them first
    (`worker.pool.Supervisor`), so a stream of waited calls cannot hold them back."""
    name = settings.current.RQ_QUEUE
    return f"{name}-waited", name


def bulk_name() -> str:
    """The queue of long bulk jobs (a reorganisation's parts, up to an hour each), taken after
    the other two and never by the worker that takes the portal's syncs first: a bulk job
    held by that worker would leave the syncs without a worker of their own for its length."""
    return f"{settings.current.RQ_QUEUE}-bulk"


def all_names() -> tuple[str, str, str]:
    """Every queue the workers take jobs from: `names()`, then `bulk_name()`."""
    return (*names(), bulk_name())


def worker_order(waited_first: bool) -> list[str]:
    """The queues one worker takes jobs from, in order: the waited calls, the syncs, then the
    bulk jobs; or, for the pool's sync-first worker (`waited_first` False), the syncs, then
    the waited calls, and no bulk job."""
    waited, syncs = names()
    return [waited, syncs, bulk_name()] if waited_first else [syncs, waited]


def rq_enqueue(outbox_ids: list[int], waited: frozenset[int]) -> None:
    """Hand outbox rows to the RQ workers (after the transaction committed): those in
    `waited` to the queue taken first, the others to the second."""
    url = settings.current.REDIS_URL
    first, second = names()
    for name, part in (
        (first, [i for i in outbox_ids if i in waited]),
        (second, [i for i in outbox_ids if i not in waited]),
    ):
        if not part:
            continue
        jobs = [
            Queue.prepare_data(
                JOB,
                args=(outbox_id,),
                timeout=60,
                result_ttl=RESULT_TTL,
                failure_ttl=86400,
                job_id=f"{job_prefix(outbox_id)}{secrets.token_hex(6)}",
            )
            for outbox_id in part
        ]
        _queue(url, name).enqueue_many(jobs)


# (row ids, those of them a process waits for); tests swap it to run or drop the jobs
enqueue: Callable[[list[int], frozenset[int]], None] = rq_enqueue


def job_prefix(outbox_id: int) -> str:
    """How the RQ job ids of a row's hand-offs begin (a fresh suffix each time): a hand-off
    made while an earlier job of the row still runs is a job of its own. With one id for all
    of them, RQ overwrote the running job's record and deleted it when that job ended, so the
    new hand-off was lost (and the running one logged as failed)."""
    name = re.sub(r"[^A-Za-z0-9_-]", "_", settings.current.RQ_QUEUE)
    return f"{name}-outbox-{outbox_id}-h"  # RQ allows letters, digits, - and _


def waiting(outbox_ids: Iterable[int]) -> set[int]:
    """The rows among these whose delivery job still waits in the queue (a worker will take
    it): handing them off again would only queue duplicates. Redis down: none (the hand-off
    fails too, and the sweeper tries again)."""
    wanted = {job_prefix(outbox_id): outbox_id for outbox_id in outbox_ids}
    if not wanted:
        return set()
    try:
        queued = []
        for name in names():
            queue = _queue(settings.current.REDIS_URL, name)
            queued += queue.connection.lrange(queue.key, 0, -1)
    except Exception:  # noqa: BLE001 - Redis down: nothing is known to wait
        log.warning("could not ask Redis which outbox rows are queued")
        return set()
    found = set()
    for raw in queued:
        job = raw.decode() if isinstance(raw, bytes) else str(raw)
        outbox_id = wanted.get(job[: job.rfind("-h") + 2])  # the suffix is hex
        if outbox_id is not None:
            found.add(outbox_id)
    return found


def dispatch(outbox_ids: Iterable[int], waited: Iterable[int] = ()) -> None:
    """Enqueue (`waited`: the rows among them a process waits for, taken first, see `names`);
    a failure here is harmless because the sweeper finds rows left behind."""
    ids = list(outbox_ids)
    if not ids:
        return
    try:
        enqueue(ids, frozenset(waited).intersection(ids))
    except Exception:  # noqa: BLE001 - Redis down: the sweeper re-enqueues later
        log.warning("enqueue failed for outbox %s; sweeper will retry", ids)

"""What RQ's bookkeeping costs per job, kept down without losing what it is for: a worker's
heartbeat is sent when its key would otherwise expire too soon, not three times a job, and a
delivered job's record is kept a minute (cheaper for RQ than deleting it at once), then goes."""

from __future__ import annotations

import pytest
from redis import Redis
from rq import Queue
from rq.registry import FinishedJobRegistry
from rq.worker.base import BaseWorker

from app import settings
from app.services.core import queue
from worker import measured
from worker.measured import HEARTBEAT_SLACK, MeasuredWorker


def succeed(value: int) -> int:
    return value


@pytest.fixture
def connection(redis_server) -> Redis:
    connection = Redis.from_url(redis_server.url)
    connection.flushdb()
    return connection


@pytest.fixture
def sent(monkeypatch) -> list[tuple[int | None, bool]]:
    """The heartbeats that reached RQ (timeout asked, whether in a pipeline)."""
    calls: list[tuple[int | None, bool]] = []
    original = BaseWorker.heartbeat

    def counted(self, timeout=None, pipeline=None):  # noqa: ANN001, ANN202
        calls.append((timeout, pipeline is not None))
        return original(self, timeout, pipeline)

    monkeypatch.setattr(BaseWorker, "heartbeat", counted)
    return calls


def test_a_worker_running_jobs_sends_a_heartbeat_a_minute_not_five_a_job(connection, sent):
    rq_queue = Queue("tests-heartbeats", connection=connection)
    jobs = 20
    for value in range(jobs):
        rq_queue.enqueue(succeed, value, result_ttl=0)
    # a job whose timeout outlives the worker's key: its own heartbeat is sent
    long = rq_queue.enqueue(succeed, 99, result_ttl=60, job_timeout=3600)
    worker = MeasuredWorker([rq_queue], connection=connection)
    worker.work(burst=True)
    assert long.get_status(refresh=True) == "finished"
    # RQ asks five times a job; these 21 jobs take well under a minute
    assert len(sent) <= 3, sent
    assert (3660, True) in sent


@pytest.fixture
def born(connection, monkeypatch) -> tuple[MeasuredWorker, list[float]]:
    """A registered worker, and the monotonic clock its heartbeats read (moved by hand)."""
    clock = [1000.0]
    monkeypatch.setattr(measured.time, "monotonic", lambda: clock[0])
    worker = MeasuredWorker(
        [Queue("tests-heartbeats", connection=connection)], connection=connection
    )
    worker.register_birth()
    return worker, clock


def test_a_heartbeat_is_sent_when_the_key_would_expire_too_soon(connection, born):
    worker, clock = born
    ttl = worker.worker_ttl + 60

    def beat() -> str | None:
        worker.heartbeat()
        value = connection.hget(worker.key, "last_heartbeat")
        return value.decode() if value else None

    first = beat()
    assert first is not None and connection.ttl(worker.key) > ttl - 5
    connection.hset(worker.key, "last_heartbeat", "marker")
    clock[0] += HEARTBEAT_SLACK - 1  # still lives long enough: not sent
    assert beat() == "marker"
    clock[0] += 2  # now it would not: sent
    assert beat() not in (None, "marker")
    # a job that needs the key longer than it lives gets its heartbeat (in its pipeline)
    with connection.pipeline() as pipeline:
        worker.heartbeat(3660, pipeline=pipeline)
        pipeline.execute()
    assert connection.ttl(worker.key) > 3600


def test_a_pipeline_that_never_ran_does_not_stop_the_heartbeats(connection, born):
    worker, clock = born
    worker.heartbeat()
    with connection.pipeline() as pipeline:
        worker.heartbeat(7200, pipeline=pipeline)  # a long job's, never executed
    connection.expire(worker.key, 30)  # what the key really has left, as if time had passed
    clock[0] += HEARTBEAT_SLACK + 1
    worker.heartbeat()
    assert connection.ttl(worker.key) > worker.worker_ttl


def test_a_delivery_jobs_record_is_kept_a_minute_then_goes(app, redis_server):
    connection = Redis.from_url(redis_server.url)
    queue.rq_enqueue([987654], frozenset())  # no such row: the job finds nothing to deliver
    rq_queue = Queue(settings.current.RQ_QUEUE, connection=connection)
    (job_id,) = rq_queue.job_ids
    MeasuredWorker([rq_queue], connection=connection).work(burst=True)
    assert job_id in FinishedJobRegistry(queue=rq_queue).get_job_ids()
    assert 0 < connection.ttl(f"rq:job:{job_id}") <= queue.RESULT_TTL

"""What a worker writes to its log per job: nothing when the job succeeds (RQ's four INFO lines
per job would be most of the log at load: /metrics counts and times every job), a line at ERROR
with the job when it fails."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from redis import Redis
from rq import Queue

from app import logs
from worker.measured import MeasuredWorker


def succeed(value: int) -> int:
    return value


def fail(value: int) -> int:
    raise RuntimeError(f"job {value} failed on purpose")


@pytest.fixture
def worker_logs() -> Iterator[None]:
    """The logging a worker process sets up (`logs.setup`), undone after the test."""
    root = logging.getLogger()
    named = ("spiff", "werkzeug", "rq.worker")
    before = (list(root.handlers), root.level, [logging.getLogger(n).level for n in named])
    logs.setup("json", "INFO")
    yield
    root.handlers[:] = before[0]
    root.setLevel(before[1])
    for name, level in zip(named, before[2], strict=True):
        logging.getLogger(name).setLevel(level)


def test_a_job_that_succeeds_writes_nothing_and_one_that_fails_an_error(
    redis_server, capsys, worker_logs
):
    connection = Redis.from_url(redis_server.url)
    queue = Queue("tests-worker-logs", connection=connection)
    for value in range(3):
        queue.enqueue(succeed, value, result_ttl=0)
    failed = queue.enqueue(fail, 7, failure_ttl=60)
    capsys.readouterr()
    MeasuredWorker([queue], connection=connection).work(burst=True)
    events = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]
    from_rq = [e for e in events if e["logger"].startswith("rq.")]
    assert all(e["level"] in ("WARNING", "ERROR", "CRITICAL") for e in from_rq), from_rq
    errors = [e for e in from_rq if e["level"] == "ERROR"]
    assert errors and any(failed.id in e["message"] for e in errors), errors
    assert not any("Job OK" in e["message"] or "Successfully" in e["message"] for e in events)

"""The RQ worker class every worker process runs: RQ's SimpleWorker, timing each job for
/metrics (its wait in the queue, from enqueue to start, and its run, by outcome), with fewer
heartbeats."""

from __future__ import annotations

import os
import time
from typing import Any

from rq import SimpleWorker
from rq.job import Job
from rq.queue import Queue
from rq.utils import now

from app import metrics

# A heartbeat is sent when the worker's key would otherwise live less than what RQ asks for
# minus this many seconds: about once a minute while jobs run, not five times a job.
HEARTBEAT_SLACK = 60.0


class MeasuredWorker(SimpleWorker):
    """SimpleWorker that records `gqtthc_rq_job_wait_seconds` and `gqtthc_rq_job_run_seconds`."""

    # until when (monotonic) the worker's key is known to live, by the last heartbeat sent
    _lives_until = 0.0

    def heartbeat(self, timeout: int | None = None, pipeline: Any = None) -> None:
        """RQ's heartbeat (it extends the expiry of the worker's key), skipped while the key
        still lives nearly as long as asked (`HEARTBEAT_SLACK`). RQ asks five times a job:
        around each dequeue, in its suspension check, in the job's preparation (with the job's
        timeout) and after the job, three Redis commands each (15 of RQ's 63 a job). A job
        whose timeout outlives the key still gets its heartbeat first."""
        wanted = float(timeout or self.worker_ttl + 60)
        clock = time.monotonic()
        if self._lives_until - clock >= wanted - HEARTBEAT_SLACK:
            return
        super().heartbeat(timeout, pipeline)
        # a pipeline's commands may never run: then the key lives at least as long as before
        until = clock + wanted
        self._lives_until = until if pipeline is None else min(self._lives_until, until)

    def perform_job(self, job: Job, queue: Queue, *args: Any, **kwargs: Any) -> bool:
        if job.enqueued_at is not None:
            waited = (now() - _aware(job.enqueued_at)).total_seconds()
            metrics.JOB_WAIT_SECONDS.labels(queue.name).observe(max(waited, 0.0))
        started = time.monotonic()
        finished = super().perform_job(job, queue, *args, **kwargs)
        outcome = "finished" if finished else "failed"
        metrics.JOB_RUN_SECONDS.labels(queue.name, outcome).observe(time.monotonic() - started)
        return finished


def _aware(moment):  # noqa: ANN001, ANN202 - RQ versions differ on naive or aware UTC
    from datetime import UTC

    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def forget_process(pid: int) -> None:
    """Drop a dead process's live-gauge files from the shared metrics folder, if any."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


def serve(port: int, address: str) -> None:
    """Serve this machine's shared metrics folder (every worker fork's files, the scheduler's
    too when it shares the folder) on `address:port`, for a machine that runs no web process."""
    from prometheus_client import CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        raise RuntimeError("WORKER_METRICS_PORT needs PROMETHEUS_MULTIPROC_DIR (the forks' files)")
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    start_http_server(port, addr=address, registry=registry)

"""The RQ workers `make run` starts: a few warm worker processes under one supervisor.

A plain RQ worker forks a cold child per job: every job imported the services, the engine and
SpiffWorkflow again, parsed its model again and compiled its SQL again (about 1.5 s a job, most
of an officer's wait between a service call and the next step). Here a supervisor imports all
that and parses the newest models once, then forks `WORKER_PROCESSES` long-lived workers that
run jobs in their own process and stay warm from job to job. Isolation is kept per process:
a job over its timeout is stopped inside its worker (RQ's alarm), a worker that dies (a crash,
a kill) is replaced at once by a new warm fork, and one that has run `WORKER_MAX_JOBS` jobs
is replaced too, so a slow leak cannot grow. What a dead worker held is failed by RQ's
registry cleanup and its outbox row delivered again by the sweeper (`OUTBOX_CLAIM_TIMEOUT`).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable

from redis import Redis
from sqlalchemy import select

from app import settings
from app.services.core import queue
from app.storage.db import db
from worker.measured import MeasuredWorker, forget_process, serve

log = logging.getLogger(__name__)
# Models parsed ahead by the supervisor: the newest versions (older ones on first use).
WARM_VERSIONS = 32
# A worker that dies this soon after its start is not restarted at once (a crash loop).
RESPAWN_PAUSE = 1.0
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def warm_up() -> None:
    """Import what jobs use and parse the newest deployed models, in this process."""
    import worker.jobs
    from app.models import ModelVersion
    from app.services.core import runtime

    worker.jobs.clients()
    with db.transaction() as session:
        ids = session.scalars(
            select(ModelVersion.id).order_by(ModelVersion.id.desc()).limit(WARM_VERSIONS)
        ).all()
        for version_id in ids:
            try:
                runtime.definition_by_id(session, version_id)
            except Exception:  # noqa: BLE001 - a model that does not parse fails its own jobs
                log.warning("model version %s could not be parsed ahead", version_id)
    db.engine.dispose()  # no connection of this process may be shared with its forks


def run_one(burst: bool = False, *, waited_first: bool = True) -> None:
    """One worker in this process: runs jobs here until `WORKER_MAX_JOBS`, or the queues are
    empty with `burst`. It takes the calls a process waits for first, then the syncs and the
    bulk jobs, or, with `waited_first` False, the syncs first and no bulk job
    (`queue.worker_order`)."""
    cfg = settings.current
    connection = Redis.from_url(cfg.REDIS_URL)
    worker = MeasuredWorker(queue.worker_order(waited_first), connection=connection)
    if not cfg.WORKER_PROFILE_DIR:
        worker.work(burst=burst, max_jobs=cfg.WORKER_MAX_JOBS or None)
        return
    import cProfile

    profile = cProfile.Profile()
    try:
        profile.runcall(worker.work, burst=burst, max_jobs=cfg.WORKER_MAX_JOBS or None)
    finally:
        os.makedirs(cfg.WORKER_PROFILE_DIR, exist_ok=True)
        profile.dump_stats(os.path.join(cfg.WORKER_PROFILE_DIR, f"worker-{os.getpid()}.prof"))


def _stop_with(supervisor: int) -> None:
    """Ask this worker to stop (its job in hand finishes) once its supervisor is gone, killed
    without a chance to stop it: an orphan must not go on taking jobs."""

    def watch() -> None:
        while os.getppid() == supervisor:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="supervisor-watch", daemon=True).start()


class Supervisor:
    """Keeps `processes` workers forked from this warm process running until told to stop.

    With two workers or more, the first (its place kept by the one that replaces it) takes the
    second queue's jobs first: the calls a process waits for go before the portal's syncs on
    every other worker, and the syncs still have a worker of their own, so a steady stream of
    waited calls cannot hold them back for long (`queue.worker_order`). `target(waited_first=…)` is
    what each worker runs."""

    def __init__(self, processes: int, target: Callable[..., None] = run_one) -> None:
        self.processes = max(processes, 1)
        self.target = target
        self.children: dict[int, tuple[float, int]] = {}  # pid: started at (monotonic), place
        self.stopping = False

    def _fork(self, place: int) -> None:
        # A stop signal must not reach the new worker while it still has the supervisor's
        # handler (it would run `_stop` in the worker and the worker would go on listening):
        # held back across the fork, it ends the worker once the default action is back.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            pid = os.fork()
        except OSError:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
            raise
        if pid == 0:  # the worker: RQ installs its own signal handlers
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
            _stop_with(os.getppid())
            code = 0
            try:
                self.target(waited_first=place != 0 or self.processes == 1)
            except BaseException:  # noqa: BLE001 - reported, then this fork ends
                log.exception("worker %s stopped on an error", os.getpid())
                code = 1
            finally:
                logging.shutdown()
                os._exit(code)
        self.children[pid] = (time.monotonic(), place)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        if self.stopping:  # told to stop while it forked: `_stop` may not have seen it
            os.kill(pid, signal.SIGTERM)
        log.info("worker %s started", pid)

    def _stop(self, *_: object) -> None:
        self.stopping = True
        for pid in list(self.children):
            try:
                os.kill(pid, signal.SIGTERM)  # RQ's warm shutdown: the job in hand finishes
            except ProcessLookupError:
                self.children.pop(pid, None)

    def run(self) -> None:
        """Start the workers, replace any that ends, stop them all on SIGTERM or SIGINT."""
        warm_up()
        cfg = settings.current
        if cfg.WORKER_METRICS_PORT:
            serve(cfg.WORKER_METRICS_PORT, cfg.WORKER_METRICS_ADDRESS)
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        for place in range(self.processes):
            self._fork(place)
        while self.children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:
                continue
            ended = self.children.pop(pid, None)
            forget_process(pid)
            if ended is None or self.stopping:
                continue
            log.warning("worker %s ended (status %s); starting another", pid, status)
            started, place = ended
            if time.monotonic() - started < RESPAWN_PAUSE:
                time.sleep(RESPAWN_PAUSE)
            if not self.stopping:
                self._fork(place)

"""Benchmark: how soon the next step appears after the service call it waited for.

The counter's "Tiếp nhận" (`receive_dossier`, procedure 2.000488) starts a process whose first
human step (reception) waits for a service task: the portal account check, delivered by the
worker to the portal simulator over HTTP. For each dossier the bench records the moment that
call is enqueued (after the commit) and polls the task projection until the reception step is
visible (open, in the database, where the inbox and the dossier page read it). Two lines:
  engine  the same call delivered in this process right after the commit (no queue, no
          worker): the floor made by the engine, the database and the simulator;
  worker  the worker command of `make run`, read from scripts/run.sh and started as it is
          there, against a real Redis: what an officer waits for under `make run`.
Prints p50/p95/max of "enqueued → next step visible" for each (the worker's first `--cold`
dossiers, while its fresh processes warm up, apart), and the machine load.
`--backlog B`: a third line, the worker's again right after B portal progress syncs (of other
dossiers, one job each: a backlog such as the portal's return after an outage leaves) were
handed to the queues; and how long the workers took to deliver that backlog.
Database: a fresh SQLite file (as `make run`), or `--postgres`.
Usage: .venv/bin/python bench/next_step.py [--n 30] [--cold 6] [--pace 0.3] [--postgres]
       [--backlog 2000]
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from redis import Redis  # noqa: E402
from rq import Worker  # noqa: E402
from sqlalchemy import select  # noqa: E402

import config as config_module  # noqa: E402
from app import bootstrap, settings  # noqa: E402
from app.models import Dossier, HumanTask, OutboxMessage, User  # noqa: E402
from app.services.core import outbox, queue  # noqa: E402
from app.services.core.actors import Actor  # noqa: E402
from app.services.dossiers.reception import ReceiveDossier, receive_dossier  # noqa: E402
from app.services.process_models.demo import seed_demo  # noqa: E402
from app.storage.db import db  # noqa: E402
from app.storage.migrate import upgrade  # noqa: E402
from tests.support.servers import _wait_port as wait_port  # noqa: E402
from tests.support.servers import free_port, start_postgres, start_redis  # noqa: E402

QUEUE = "bench-next-step"
POLL = 0.002  # seconds between looks at the task projection


def worker_command() -> list[str]:
    """The worker line of scripts/run.sh (`$BIN/python -m worker work …`), as argv."""
    for line in (ROOT / "scripts" / "run.sh").read_text().splitlines():
        match = re.match(r"\s*\$BIN/python -m worker work\b([^>&]*)", line)
        if match:
            return [sys.executable, "-m", "worker", "work", *shlex.split(match.group(1))]
    raise SystemExit("no worker line in scripts/run.sh")


@contextmanager
def database(postgres: bool):  # noqa: ANN201
    if not postgres:
        with tempfile.TemporaryDirectory(prefix="bench-next-") as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    from sqlalchemy import create_engine, text

    server = start_postgres()
    try:
        admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE bench"))
        admin.dispose()
        yield server.url("bench")
    finally:
        server.stop()


def actor(username: str) -> Actor:
    with db.transaction() as session:
        return Actor.of(session.scalar(select(User).where(User.username == username)))


def wait_visible(code: str, timeout: float = 60) -> float:
    """The moment the dossier's reception step is open in the projection."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        with db.transaction() as session:
            found = session.scalar(
                select(HumanTask.id)
                .join(Dossier, Dossier.id == HumanTask.dossier_id)
                .where(
                    Dossier.code == code,
                    HumanTask.element_id == "reception",
                    HumanTask.state == "open",
                )
            )
        if found:
            return time.time()
        time.sleep(POLL)
    raise SystemExit(f"the reception step of {code} did not appear within {timeout} s")


def measure(officer: Actor, n: int, pace: float, deliver_here: bool) -> list[float]:
    """Receive `n` dossiers one after another; the latency of each next step (seconds)."""
    enqueued: list[float] = []
    real = queue.enqueue

    def record(ids, waited) -> None:  # noqa: ANN001
        ids = list(ids)
        enqueued.append(time.time())
        if not deliver_here:
            real(ids, waited)
            return
        from worker.jobs import deliver_outbox

        for outbox_id in ids:
            deliver_outbox(outbox_id)

    queue.enqueue = record
    latencies = []
    try:
        for index in range(n):
            enqueued.clear()
            code = receive_dossier(
                ReceiveDossier("2.000488", "cccd", "001090012345", "Nguyễn Văn An"), officer
            )
            visible = wait_visible(code)
            latencies.append(visible - enqueued[0])
            if pace and index < n - 1:
                time.sleep(pace)
    finally:
        queue.enqueue = real
    return latencies


def backlog(count: int) -> None:
    """Hand `count` portal progress syncs to the queues, one job each (each of its own
    dossier's order, as many dossiers' syncs are after the portal comes back)."""
    with db.transaction() as session:
        for index in range(count):
            outbox.add(
                session,
                "portal.sync_progress",
                {"dossier_code": f"BACKLOG-{index:06d}", "title": "Tồn đọng", "status": 4},
                dossier_id=None,
                ordering_key=f"bench-backlog:{index}",
            )


def backlog_left() -> int:
    with db.transaction() as session:
        return len(
            session.scalars(
                select(OutboxMessage.id).where(
                    OutboxMessage.ordering_key.like("bench-backlog:%"),
                    OutboxMessage.state != "done",
                )
            ).all()
        )


def figures(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
    return (
        f"p50 {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   "
        f"max {ordered[-1] * 1000:7.1f} ms"
    )


def ready(connection: Redis, count: int, timeout: float = 60) -> None:
    """Wait until the workers listen (their start is not the latency measured)."""
    deadline = time.time() + timeout
    while len(Worker.all(connection=connection)) < count:
        if time.time() > deadline:
            raise SystemExit("the workers did not start; see their output above")
        time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=30, help="dossiers per line (default 30)")
    parser.add_argument(
        "--pace", type=float, default=0.3, help="seconds between dossiers (default 0.3)"
    )
    parser.add_argument(
        "--cold",
        type=int,
        default=6,
        help="dossiers measured apart right after the workers start (default 6)",
    )
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--worker-log", help="keep the worker's log in this file")
    parser.add_argument(
        "--backlog",
        type=int,
        default=0,
        help="also measure right after this many other jobs were queued (default 0: not)",
    )
    args = parser.parse_args()
    command = worker_command()
    with ExitStack() as stack:
        redis = start_redis()
        stack.callback(redis.stop)
        port = free_port()
        portal = f"http://127.0.0.1:{port}"
        simulator = subprocess.Popen(  # nosec B603 # this Python, fixed argument list
            [sys.executable, "-m", "app.integrations.simulators", "portal", "--port", str(port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        stack.callback(simulator.wait, timeout=30)
        stack.callback(simulator.terminate)
        wait_port(port)
        url = stack.enter_context(database(args.postgres))
        upgrade(url)
        overrides = {"DATABASE_URL": url, "REDIS_URL": redis.url, "PORTAL_URL": portal}
        bootstrap.configure(
            type("BenchConfig", (config_module.Config,), {**overrides, "RQ_QUEUE": QUEUE})
        )
        seed_demo(str(ROOT / "bpmn"))
        officer = actor("tiepnhan")
        measure(officer, 3, 0, deliver_here=True)  # warm this process (imports, parsed models)
        load_before = os.getloadavg()
        engine = measure(officer, args.n, args.pace, deliver_here=True)
        env = {**os.environ, "APP_ENV": "development", "RQ_QUEUE": QUEUE, **overrides}
        env["SECRETS_FILE"] = str(Path(tempfile.mkdtemp(prefix="bench-secrets-")) / "s.json")
        # its log goes to a file, as under make run (var/log/worker.log)
        log_file = stack.enter_context(
            open(args.worker_log, "wb") if args.worker_log else tempfile.TemporaryFile()  # noqa: SIM115
        )
        worker = subprocess.Popen(  # nosec B603 # run.sh's own worker line
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
        stack.callback(worker.wait, timeout=30)
        stack.callback(worker.terminate)
        ready(Redis.from_url(redis.url), settings.current.WORKER_PROCESSES)
        # the first jobs of each fresh worker process import and compile what the supervisor
        # did not (printed apart: once per process start or WORKER_MAX_JOBS jobs)
        cold = measure(officer, args.cold, args.pace, deliver_here=False) if args.cold else []
        through_worker = measure(officer, args.n, args.pace, deliver_here=False)
        behind: list[float] = []
        if args.backlog:
            started = time.time()
            backlog(args.backlog)
            behind = measure(officer, args.n, args.pace, deliver_here=False)
            while backlog_left():
                time.sleep(0.2)
            drained = time.time() - started
        load_after = os.getloadavg()
        db.engine.dispose()
    print(f"database: {'PostgreSQL' if args.postgres else 'SQLite file'}; {args.n} dossiers each")
    print(f"worker command (scripts/run.sh): {' '.join(command[1:])}")
    print("service call enqueued → next human step visible:")
    print(f"  engine, in this process: {figures(engine)}")
    print(f"  make run's worker:       {figures(through_worker)}")
    if cold:
        print(f"  (its first {len(cold)} dossiers, workers just started: {figures(cold)})")
    if behind:
        print(
            f"  make run's worker, {args.backlog} other jobs queued just before: {figures(behind)}"
        )
        print(f"  (that backlog delivered in {drained:.1f} s)")
    print(
        f"machine: {os.cpu_count()} CPUs, load average (1 min) "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )


if __name__ == "__main__":
    main()

"""Benchmark: what delivering a counter dossier's calls costs the workers, and what issuing its
signed e-result costs the approval.

N dossiers go through the counter path (receive → account check → reception → appraisal →
approval with the signed e-result → store in the warehouse → return) through the services,
one step at a time; after each step the real RQ worker (SimpleWorker, in this process) and the
scheduler run until the outbox is settled, against a real Redis and the portal, warehouse and
national simulators over HTTP. Prints per dossier: outbox rows, RQ jobs run, rows claimed and
claim attempts (a claim that found nothing included), sweeper hand-offs; and the CPU time of
`issue_result` (the leader's and the agency's signatures included) per dossier, best, median
and p95, plus a cProfile of it with `--profile`; the CPU time of the approval request (the
leader's `complete_task`) and of the workers and scheduler per dossier, this thread only (the
simulators run in threads of their own).
Database: a fresh SQLite file, or `--postgres`.
Usage: .venv/bin/python bench/outbox_jobs.py [--n 20] [--postgres] [--profile FILE]
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from redis import Redis  # noqa: E402
from rq import Queue, SimpleWorker  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

import config as config_module  # noqa: E402
import worker.jobs  # noqa: E402
from app import bootstrap  # noqa: E402
from app.integrations.simulators import serve_in_thread  # noqa: E402
from app.integrations.simulators.national import create_national_simulator  # noqa: E402
from app.integrations.simulators.portal import create_portal_simulator  # noqa: E402
from app.integrations.simulators.warehouse import create_warehouse_simulator  # noqa: E402
from app.models import HumanTask, OutboxMessage, User  # noqa: E402
from app.services.core import outbox  # noqa: E402
from app.services.core.actors import Actor  # noqa: E402
from app.services.core.queue import all_names as queue_names  # noqa: E402
from app.services.documents import results  # noqa: E402
from app.services.dossiers import tasks  # noqa: E402
from app.services.dossiers.reception import ReceiveDossier, receive_dossier  # noqa: E402
from app.services.process_models.demo import seed_demo  # noqa: E402
from app.storage.db import db  # noqa: E402
from app.storage.migrate import upgrade  # noqa: E402
from bench.next_step import database  # noqa: E402
from tests.support.servers import start_redis  # noqa: E402
from worker import scheduler  # noqa: E402

QUEUE = "bench-outbox-jobs"
STEPS = [
    ("reception", "tiepnhan", {"components_checked": True, "original_count": 1, "copy_count": 0}),
    ("appraisal", "chuyenvien", {"decision": "accept", "appraisal_note": "Đủ điều kiện"}),
    ("approval", "lanhdao", {"approval_decision": "approve", "result_name": "Phiếu LLTP"}),
    ("return_result", "tiepnhan", {"return_method": "counter", "receiver_name": "Nguyễn Văn An"}),
]


class Counts:
    """Calls counted by wrapping the module attributes the worker and the sweeper look up."""

    def __init__(self) -> None:
        self.jobs = self.claims = self.claimed = self.swept = 0
        self.issue_cpu: list[float] = []
        # this thread's CPU (the simulators' threads left out): each approval request, and
        # the worker and scheduler runs that settle one dossier's calls
        self.approval_cpu: list[float] = []
        self.worker_cpu: list[float] = []
        self.profile: cProfile.Profile | None = None

    def install(self) -> None:
        deliver = worker.jobs.deliver_outbox

        def counted_job(outbox_id: int) -> str:
            self.jobs += 1
            return deliver(outbox_id)

        worker.jobs.deliver_outbox = counted_job
        # the later ones are absent before the batched claims; next_pending_id (the look-up
        # before a claim) is counted as a claim attempt too: it was a transaction of its own
        for name in (
            "claim",
            "claim_next",
            "claim_for_dossier",
            "claim_with_dossier_of",
            "next_pending_id",
        ):
            if hasattr(outbox, name):
                setattr(outbox, name, self._claiming(getattr(outbox, name)))
        sweep = outbox.sweep

        def counted_sweep(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            ids = sweep(*args, **kwargs)
            self.swept += len(ids)
            return ids

        outbox.sweep = counted_sweep
        issue = results.issue_result

        def timed_issue(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            started = time.process_time()
            if self.profile is not None:
                self.profile.enable()
            try:
                return issue(*args, **kwargs)
            finally:
                if self.profile is not None:
                    self.profile.disable()
                self.issue_cpu.append(time.process_time() - started)

        results.issue_result = timed_issue

    def _claiming(self, claim):  # noqa: ANN001, ANN202
        def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            self.claims += 1
            taken = claim(*args, **kwargs)
            self.claimed += taken is not None
            return taken

        return counted


def settle(connection: Redis) -> None:
    """The worker and the scheduler until nothing is queued (the sweeper included)."""
    # every queue the workers take, in their order (the waited calls' first: queue.all_names)
    queues = [Queue(name, connection=connection) for name in queue_names()]
    for _ in range(50):
        if any(q.count for q in queues):
            SimpleWorker(queues, connection=connection).work(burst=True)
        scheduler.tick()
        if not any(q.count for q in queues):
            return
    raise SystemExit("the outbox did not settle")


def actors() -> dict[str, Actor]:
    with db.transaction() as session:
        return {u.username: Actor.of(u) for u in session.scalars(select(User))}


def run_dossier(people: dict[str, Actor], connection: Redis, counts: Counts | None = None) -> None:
    code = receive_dossier(
        ReceiveDossier("2.000488", "cccd", "001090012345", "Nguyễn Văn An"), people["tiepnhan"]
    )
    worker = time.thread_time()
    settle(connection)
    worker = time.thread_time() - worker
    for element, who, form in STEPS:
        with db.transaction() as session:
            task_id = session.scalar(
                select(HumanTask.id)
                .where(HumanTask.state == "open", HumanTask.element_id == element)
                .where(HumanTask.dossier.has(code=code))
            )
        if task_id is None:
            raise SystemExit(f"{code}: no open {element} step")
        started = time.thread_time()
        tasks.complete_task(task_id, people[who], form)
        if counts is not None and element == "approval":
            counts.approval_cpu.append(time.thread_time() - started)
        started = time.thread_time()
        settle(connection)
        worker += time.thread_time() - started
    if counts is not None:
        counts.worker_cpu.append(worker)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--profile", help="write a cProfile of issue_result to this file")
    args = parser.parse_args()
    for name in ("rq", "werkzeug", "spiff"):
        logging.getLogger(name).setLevel(logging.WARNING)
    counts = Counts()
    with ExitStack() as stack:
        redis = start_redis()
        stack.callback(redis.stop)
        urls = {}
        for key, make in (
            ("PORTAL_URL", create_portal_simulator),
            ("WAREHOUSE_URL", create_warehouse_simulator),
            ("NATIONAL_DB_URL", create_national_simulator),
        ):
            urls[key], stop = serve_in_thread(make())
            stack.callback(stop)
        url = stack.enter_context(database(args.postgres))
        upgrade(url)
        folder = tempfile.mkdtemp(prefix="bench-outbox-")
        overrides = {
            "DATABASE_URL": url,
            "REDIS_URL": redis.url,
            "RQ_QUEUE": QUEUE,
            "FILE_STORE": f"{folder}/files",
            "PKI_DIR": f"{folder}/pki",
            **urls,
        }
        bootstrap.configure(type("BenchConfig", (config_module.Config,), overrides))
        seed_demo(str(ROOT / "bpmn"))
        people = actors()
        connection = Redis.from_url(redis.url)
        run_dossier(people, connection)  # warm: imports, parsed models, certificates
        with db.transaction() as session:
            warm_rows = session.scalar(select(func.count(OutboxMessage.id)))
        counts.install()
        if args.profile:
            counts.profile = cProfile.Profile()
        load = os.getloadavg()
        for _ in range(args.n):
            run_dossier(people, connection, counts)
        with db.transaction() as session:
            rows = session.scalar(select(func.count(OutboxMessage.id)))
            undone = session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.state != "done")
            )
    if undone:
        raise SystemExit(f"{undone} outbox rows not done")
    if counts.profile is not None:
        counts.profile.dump_stats(args.profile)
    n = args.n
    per = lambda value: value / n  # noqa: E731
    issue = sorted(counts.issue_cpu)
    figures = {
        "approval request CPU ms": counts.approval_cpu,
        "worker CPU ms per dossier": counts.worker_cpu,
    }
    print(
        f"counter path, {n} dossiers, {'PostgreSQL' if args.postgres else 'SQLite'},"
        f" load average {load[0]:.2f}"
    )
    print(f"outbox rows per dossier     {per(rows - warm_rows):.1f}")
    print(f"RQ jobs run per dossier     {per(counts.jobs):.1f}")
    print(f"claims per dossier          {per(counts.claims):.1f} ({per(counts.claimed):.1f} took)")
    print(f"sweeper hand-offs / dossier {per(counts.swept):.1f}")
    for label, values in figures.items():
        ordered = sorted(values)
        print(
            f"{label:<28}best {ordered[0] * 1000:.1f}  median"
            f" {statistics.median(ordered) * 1000:.1f}"
            f"  p95 {ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000:.1f}"
        )
    if issue:
        p95 = issue[min(len(issue) - 1, int(0.95 * len(issue)))]
        print(
            f"issue_result CPU ms         best {issue[0] * 1000:.1f}"
            f"  median {statistics.median(issue) * 1000:.1f}  p95 {p95 * 1000:.1f}"
        )


if __name__ == "__main__":
    main()

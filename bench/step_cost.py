"""Benchmark: what each officer step of the counter path costs, step by step, on PostgreSQL.

Starts the stack `bench/throughput.py` starts (a throwaway PostgreSQL, Redis, every simulator,
`db-upgrade | seed-demo | init-pki`; bench/throughput_stack.py) but no worker: this process
receives `--n` dossiers at the counter (procedure 2.000488) one at a time and takes each
through reception, appraisal, approval and return as the demo officers, through the same
service functions the web layer calls (`receive_dossier`, `tasks.claim_task`,
`tasks.complete_task`). Between two steps it delivers the dossier's outbox rows itself
(`worker.jobs.deliver_outbox`, over HTTP to the simulators), outside the measure, so that only
the officer's work is measured, without any polling. The hand-off to Redis after each commit
stays inside the step (it is the officer's request that pays it).

Prints per step: CPU ms of this process (best / median), SQL statements and commits per call,
and the PostgreSQL server's CPU ms per call (all its processes; mean, 10 ms clock ticks), and
the approval's result issuing (rendering and signatures) apart; then the total per dossier.
`--profile FILE` writes a cProfile (CPU time) of the step calls alone and prints their top
functions; `--sql` prints the statements of the last dossier's steps. `--deliveries` measures
the deliveries between the steps too ("deliver>reception": what the workers do before the
reception opens; their hand-offs to Redis included, RQ's own work not), and the total then
includes them.
Usage: .venv/bin/python bench/step_cost.py [--n 30] [--warm 5] [--durable] [--profile FILE]
       [--sql] [--deliveries]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import and_, event, select  # noqa: E402

from bench.throughput_stack import Stack  # noqa: E402

PATH = ("reception", "appraisal", "approval", "return_result")
OFFICER_OF = {
    "reception": "tiepnhan",
    "appraisal": "chuyenvien",
    "approval": "lanhdao",
    "return_result": "tiepnhan",
}


class Meter:
    """Counts the SQL statements and commits of this process while `on`."""

    def __init__(self, engine) -> None:  # noqa: ANN001
        self.on = False
        self.log: list[str] | None = None  # the statements of the last call, when asked
        self.statements = 0
        self.commits = 0
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)

    def _statement(self, _conn, _cursor, statement: str, *_args) -> None:  # noqa: ANN001, ANN002
        if self.on:
            self.statements += 1
            if self.log is not None:
                self.log.append(" ".join(statement.split())[:160])

    def _commit(self, *_args) -> None:  # noqa: ANN002
        if self.on:
            self.commits += 1


def server_ticks(data_dir: Path) -> int:
    """CPU clock ticks (user + system) of the PostgreSQL server and all its backends."""
    postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == postmaster or ppid == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total


class Bench:
    def __init__(self, data_dir: Path, profile: bool) -> None:
        from app.services.core import queue
        from app.services.documents import results
        from app.storage.db import db

        self.data_dir = data_dir
        self.meter = Meter(db.engine)
        self.samples: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        self.handed: list[int] = []
        self.issuing = 0.0
        self.statement_log: dict[str, list[str]] = {}
        self.profiler = None
        if profile:
            import cProfile

            self.profiler = cProfile.Profile(time.process_time)  # CPU, not waits
        real_enqueue = queue.enqueue

        def enqueue(ids, waited) -> None:  # noqa: ANN001
            ids = list(ids)
            if self.meter.on:  # an officer's step: the Redis hand-off is part of its cost
                real_enqueue(ids, waited)
            self.handed.extend(ids)

        queue.enqueue = enqueue
        real_issue = results.issue_result

        def issue_result(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            t0 = time.process_time()
            try:
                return real_issue(*args, **kwargs)
            finally:
                self.issuing += time.process_time() - t0

        results.issue_result = issue_result

    def measure(self, label: str, action: Callable[[], object], record: bool) -> object:
        statements, commits, self.issuing = self.meter.statements, self.meter.commits, 0.0
        if self.meter.log is not None:
            self.meter.log = []
        ticks = server_ticks(self.data_dir)
        self.meter.on = True
        if self.profiler is not None and record:
            self.profiler.enable()
        t0 = time.process_time()
        try:
            return action()
        finally:
            cpu = time.process_time() - t0
            if self.profiler is not None and record:
                self.profiler.disable()
            self.meter.on = False
            if record:
                figures = self.samples[label]
                figures["cpu"].append(cpu * 1000)
                figures["statements"].append(self.meter.statements - statements)
                figures["commits"].append(self.meter.commits - commits)
                server = (server_ticks(self.data_dir) - ticks) / os.sysconf("SC_CLK_TCK")
                figures["server"].append(server * 1000)
                if self.issuing:
                    figures["issuing"].append(self.issuing * 1000)
                if self.meter.log is not None:
                    self.statement_log[label] = self.meter.log

    def deliver(self) -> None:
        """Deliver every outbox row handed off so far, as a worker would (not measured)."""
        from worker.jobs import deliver_outbox

        while self.handed:
            deliver_outbox(self.handed.pop(0))


def officers() -> dict:
    from app.models import User
    from app.services.core.actors import Actor
    from app.storage.db import db

    with db.transaction() as session:
        users = session.scalars(select(User).where(User.username.in_(set(OFFICER_OF.values()))))
        return {user.username: Actor.of(user) for user in users}


def open_task(code: str) -> tuple[str, str] | None:
    """The dossier's open step (task id, element id), if any."""
    from app.models import Dossier, HumanTask
    from app.storage.db import db

    with db.transaction() as session:
        row = session.execute(
            select(HumanTask.id, HumanTask.element_id)
            .join(Dossier, and_(Dossier.id == HumanTask.dossier_id, Dossier.code == code))
            .where(HumanTask.state == "open")
        ).first()
        return (row.id, row.element_id) if row else None


def one_dossier(bench: Bench, actors: dict, record: bool, deliveries: bool = False) -> None:
    from app.services.dossiers import tasks
    from app.services.dossiers.reception import ReceiveDossier, receive_dossier
    from bench.throughput_driver import FORMS

    command = ReceiveDossier("2.000488", "cccd", "001090012345", "Nguyễn Văn An")
    code = bench.measure("receive", lambda: receive_dossier(command, actors["tiepnhan"]), record)
    for element in PATH:
        deliver(bench, f"deliver>{element}", record, deliveries)
        found = open_task(str(code))
        if found is None or found[1] != element:
            raise SystemExit(f"{code}: expected the step {element}, found {found}")
        officer = actors[OFFICER_OF[element]]
        form = dict(FORMS[element])
        task_id = found[0]
        claim = partial(tasks.claim_task, task_id, officer)
        bench.measure(f"claim {element}", claim, record)
        bench.measure(
            f"complete {element}", partial(tasks.complete_task, task_id, officer, form), record
        )
    deliver(bench, "deliver>end", record, deliveries)
    if open_task(str(code)) is not None:
        raise SystemExit(f"{code}: a step is still open after the return")


def deliver(bench: Bench, label: str, record: bool, measured: bool) -> None:
    if measured:
        bench.measure(label[:22], bench.deliver, record)
    else:
        bench.deliver()


def report(bench: Bench, n: int) -> None:
    print(f"counter path (2.000488), {n} dossiers one at a time; per call:")
    head = f"{'step':<22}{'CPU best':>9}{'median':>8}{'SQL':>6}{'commits':>8}{'server':>8}"
    print(head + "   (ms, statements; server: PostgreSQL CPU, mean)")
    totals = defaultdict(float)
    for label, figures in bench.samples.items():
        cpu = figures["cpu"]
        row = (
            f"{label:<22}{min(cpu):>9.1f}{statistics.median(cpu):>8.1f}"
            f"{statistics.median(figures['statements']):>6.0f}"
            f"{statistics.median(figures['commits']):>8.0f}"
            f"{statistics.mean(figures['server']):>8.1f}"
        )
        print(row)
        if figures["issuing"]:
            issuing = figures["issuing"]
            print(
                f"  of which the result   {min(issuing):>7.1f}{statistics.median(issuing):>8.1f}"
                "   (rendering and signatures: issue_result)"
            )
            totals["issuing"] += statistics.median(issuing)
        totals["cpu best"] += min(cpu)
        totals["cpu"] += statistics.median(cpu)
        totals["statements"] += statistics.median(figures["statements"])
        totals["commits"] += statistics.median(figures["commits"])
        totals["server"] += statistics.mean(figures["server"])
    print(
        f"{'per dossier':<22}{totals['cpu best']:>9.1f}{totals['cpu']:>8.1f}"
        f"{totals['statements']:>6.0f}{totals['commits']:>8.0f}{totals['server']:>8.1f}"
    )
    print(
        f"  without the result's issuing: median {totals['cpu'] - totals['issuing']:.1f} ms "
        "of CPU per dossier in this process"
    )


def main() -> None:
    # the modules of app/ read the environment when first imported: only after the stack is up
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=30, help="dossiers measured (default 30)")
    parser.add_argument("--warm", type=int, default=5, help="dossiers before (default 5)")
    parser.add_argument("--durable", action="store_true", help="fsync and synchronous_commit on")
    parser.add_argument("--profile", help="write a cProfile of the step calls to this file")
    parser.add_argument("--sql", action="store_true", help="print each step's statements")
    parser.add_argument(
        "--deliveries", action="store_true", help="measure the deliveries between the steps too"
    )
    args = parser.parse_args()
    if args.n < 1:
        parser.error("--n must be at least 1")
    logs = Path(tempfile.mkdtemp(prefix="bench-step-cost-"))
    stack = Stack(args.durable, None, logs)
    try:
        os.environ.update(stack.env)
        from app.bootstrap import ensure_configured

        ensure_configured()
        bench = Bench(stack.pg.directory / "data", bool(args.profile))
        if args.sql:  # the statements of the last dossier's steps
            bench.meter.log = []
        actors = officers()
        for _ in range(args.warm):
            one_dossier(bench, actors, record=False)
        load = os.getloadavg()
        for _ in range(args.n):
            one_dossier(bench, actors, record=True, deliveries=args.deliveries)
        report(bench, args.n)
        if args.sql:
            for label, statements in bench.statement_log.items():
                print(f"-- {label}")
                for statement in statements:
                    print(f"   {statement}")
        print(
            f"PostgreSQL {'durable' if args.durable else 'fast (fsync off)'}; machine: "
            f"{os.cpu_count()} cores, load average {load[0]:.2f} before, "
            f"{os.getloadavg()[0]:.2f} after"
        )
        if bench.profiler is not None:
            import pstats

            bench.profiler.dump_stats(args.profile)
            stats = pstats.Stats(args.profile)
            stats.sort_stats("cumulative").print_stats(r"/(app|worker)/", 40)
            stats.sort_stats("tottime").print_stats(25)
    finally:
        from app.storage.db import db

        if db.engine is not None:
            db.engine.dispose()
        stack.close()


if __name__ == "__main__":
    main()

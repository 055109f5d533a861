"""Benchmark: a reorganisation plan transferring 100,000 pending dossiers on PostgreSQL.

Three communes (and a district) merge into one, as in tests/services/reorg_world.py. One real
dossier is carried to appraisal through the services; the others are copies of it made with
server-side generate_series (their process state is the real one's; their open step a fresh
row). Then the plan is recorded and applied through `cutover.apply`, the function the scheduler's
job calls: one transaction per dossier, pages of BATCH dossiers. Prints dossiers per second and
the memory of the processes that do the work, along the run (it should stay flat: nothing is
held but a page of ids).

With `--workers` > 1 the work is done by the pool's worker processes (forked from this one,
which only waits): every second the bench reads each worker's /proc status and smaps_rollup and
prints, at 25/50/75 % of the dossiers, the resident set of the largest worker and the sum of the
workers' proportional set sizes (PSS: pages shared copy-on-write with the coordinator counted
once among those sharing them); then each worker's peak resident set (the kernel's VmHWM high
mark, read until the worker exits, so only growth in its last second could be missed).
With `--workers 1` the work runs in this process and its own figures are printed. The
coordinator's own resident set is printed last, labelled as such.
Usage: .venv/bin/python bench/reorganise.py [--dossiers 100000] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402

from app.models import ReorgItem  # noqa: E402
from app.services.core import queue  # noqa: E402
from app.services.core.actors import SYSTEM  # noqa: E402
from app.services.reorganisation import cutover  # noqa: E402
from app.storage.db import db  # noqa: E402
from tests.services import reorg_world as world  # noqa: E402
from tests.services.helpers import complete, deliver  # noqa: E402
from tests.support.stack import seeded_postgres  # noqa: E402

CLONE = """
UPDATE user_account SET active = false WHERE username = 'dcv';

CREATE TEMP TABLE communes AS
    SELECT array_agg(id ORDER BY code) AS ids FROM agency WHERE code IN ('X1', 'X2', 'X3');

INSERT INTO dossier (code, procedure_id, agency_id, channel, status, owner_type, owner_id_type,
                     owner_id, owner_name, summary, data, received_at, due_at)
SELECT format('R-%s', i), t.procedure_id, communes.ids[1 + i % 3], t.channel, t.status,
       t.owner_type, t.owner_id_type, t.owner_id, t.owner_name, t.summary, t.data,
       t.received_at, t.due_at
FROM generate_series(1, :copies) AS i, communes, dossier t WHERE t.id = :template;

INSERT INTO process_instance (dossier_id, model_version_id, state, version, status,
                              next_timer_at, created_at, updated_at)
SELECT d.id, p.model_version_id, p.state, 1, 'running', p.next_timer_at, now(), now()
FROM dossier d, process_instance p WHERE d.code LIKE 'R-%' AND p.dossier_id = :template;

INSERT INTO human_task (id, instance_id, dossier_id, procedure_id, element_id, title, role,
                        agency_id, state, created_at, due_at, due_soon_at, deadline_state,
                        priority)
SELECT md5('reorg' || d.id)::uuid::text, p.id, d.id, d.procedure_id, t.element_id, t.title,
       t.role, d.agency_id, 'open', t.created_at, t.due_at, t.due_soon_at, 'on_time', 0
FROM dossier d JOIN process_instance p ON p.dossier_id = d.id,
     human_task t
WHERE d.code LIKE 'R-%' AND t.dossier_id = :template AND t.state = 'open';
ANALYZE;
"""


@dataclass
class Sample:
    """One look at the workers: dossiers done, the largest RSS, the summed PSS (MB)."""

    done: int
    largest_rss: float
    pss_sum: float


def proc_kb(path: Path, fields: tuple[str, ...]) -> dict[str, int]:
    """The `fields` (kB) of a /proc status-like file; empty when the process is gone."""
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return {}
    found = {}
    for line in lines:
        name, _, value = line.partition(":")
        if name in fields:
            found[name] = int(value.split()[0])
    return found


def children() -> set[int]:
    """The processes whose parent is this one."""
    me, found = os.getpid(), set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == me:
                found.add(int(entry.name))
    return found


class WorkerWatch:
    """Samples the memory of this process's new children (the pool's workers) in a thread."""

    def __init__(self, count_done: Callable[[], int], in_process: bool) -> None:
        self.count_done = count_done
        self.in_process = in_process  # one worker: the work runs in this very process
        self.before = children()  # PostgreSQL and Redis, started by the bench: not workers
        self.samples: list[Sample] = []
        self.peaks: dict[int, int] = {}  # worker pid: VmHWM in kB
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WorkerWatch:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()

    def _run(self) -> None:
        while not self.stop.wait(1):
            pids = [os.getpid()] if self.in_process else sorted(children() - self.before)
            rss, pss = [], []
            for pid in pids:
                status = proc_kb(Path(f"/proc/{pid}/status"), ("VmRSS", "VmHWM"))
                rollup = proc_kb(Path(f"/proc/{pid}/smaps_rollup"), ("Pss",))
                if "VmHWM" in status:
                    self.peaks[pid] = max(self.peaks.get(pid, 0), status["VmHWM"])
                    rss.append(status["VmRSS"])
                    pss.append(rollup.get("Pss", 0))
            if rss:
                self.samples.append(Sample(self.count_done(), max(rss) / 1024, sum(pss) / 1024))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    # the outbox rows stay for the worker; not measured here
    queue.enqueue = lambda ids, waited: None
    with seeded_postgres():
        world.build()
        template = world._receive("tn1")  # noqa: SLF001
        complete(template, "reception", world.officer("tn1"), world.RECEPTION)
        deliver("portal.sync_status", {})
        with db.transaction() as session:
            template_id = session.scalar(
                text("SELECT id FROM dossier WHERE code = :c"), {"c": template}
            )
        t0 = time.perf_counter()
        with db.engine.begin() as conn:
            for statement in CLONE.split(";\n"):
                if statement.strip():
                    conn.execute(
                        text(statement), {"copies": args.dossiers - 1, "template": template_id}
                    )
        print(f"seeded {args.dossiers:,} pending dossiers in {time.perf_counter() - t0:.1f} s")
        plan_id = cutover.record_plan(world.plan(), SYSTEM)

        def done() -> int:
            with db.transaction() as session:
                return session.scalar(
                    select(func.count()).where(
                        ReorgItem.plan_id == plan_id, ReorgItem.outcome != "pending"
                    )
                )

        t0, cpu0 = time.perf_counter(), cpu_seconds()
        with WorkerWatch(done, in_process=args.workers <= 1) as watch:
            report = cutover.apply_in_parallel(plan_id, args.workers)
        elapsed, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
        print(
            f"report: before {report.before:,} = moved {report.moved:,} + finished "
            f"{report.finished:,} + refused {report.refused:,} (reconciles: {report.reconciles})"
        )
        print(
            f"apply with {args.workers} worker process(es): {elapsed:.1f} s, "
            f"{report.before / elapsed:.0f} dossiers/s (load {os.getloadavg()[0]:.1f}); CPU "
            f"{cpu * 1000 / max(1, report.before):.1f} ms per dossier (this process and its "
            "workers, not PostgreSQL)"
        )
        print_memory(watch, report.before, args.workers)


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (the pool's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def print_memory(watch: WorkerWatch, total: int, workers: int) -> None:
    """What `watch` saw of the workers, then this coordinating process's own peak."""
    who = "this process (it does the work)" if workers <= 1 else f"the {workers} worker processes"
    print(f"memory of {who}, sampled every second:")
    for fraction in (0.25, 0.5, 0.75):
        sample = next((s for s in watch.samples if s.done >= fraction * total), None)
        if sample is None:
            print(f"  {fraction:.0%}: no sample (the run was shorter than the sampling)")
            continue
        print(
            f"  at {sample.done:,} dossiers: largest RSS {sample.largest_rss:.1f} MB, "
            f"PSS summed over them {sample.pss_sum:.1f} MB"
        )
    peaks = ", ".join(f"{kb / 1024:.1f}" for kb in watch.peaks.values()) or "none seen"
    if workers <= 1:
        print(
            f"  peak RSS (VmHWM) of this process over its whole life, seeding included: {peaks} MB"
        )
    else:
        print(f"  peak RSS (VmHWM) of each worker: {peaks} MB")
    if workers > 1:
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"coordinator (this process, waiting on the pool): peak RSS {own:.1f} MB")


if __name__ == "__main__":
    main()

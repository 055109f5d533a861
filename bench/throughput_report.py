"""The figures `bench/throughput.py` prints, section by section, as they become known."""

from __future__ import annotations

import os
import pstats
import statistics
import time
from pathlib import Path
from types import ModuleType
from typing import Any

# The steps counted as an officer's (receiving and paying are the citizen's or the counter's
# registration; they are printed but not counted as officer steps).
NOT_OFFICER_STEPS = ("receive", "pay")


def percentiles(samples: list[float]) -> tuple[float, float]:
    """Median and p95 (nearest rank), in milliseconds."""
    ordered = sorted(samples)
    rank = max(int(len(ordered) * 0.95 + 0.5) - 1, 0)
    return statistics.median(ordered) * 1000, ordered[min(rank, len(ordered) - 1)] * 1000


def line(label: str, samples: list[float]) -> str:
    p50, p95 = percentiles(samples)
    return f"  {label:<38}{len(samples):>7}{p50:>11.1f}{p95:>11.1f}"


class Report:
    def __init__(self, args: Any, stack: Any, load_start: tuple[float, float, float]) -> None:
        self.args = args
        self.stack = stack
        self.load_start = load_start
        self.elapsed = 0.0
        self.completed = 0
        durability = (
            "durable: fsync, synchronous_commit, full_page_writes on"
            if args.durable
            else "fast: fsync, synchronous_commit, full_page_writes off (as the tests)"
        )
        load = (
            f"arriving at random, {args.rate:g} a second (at most {args.m} in flight)"
            if args.rate
            else f"{args.m} in flight"
        )
        print(f"path {args.path}, {args.n} dossiers, {load}")
        print(f"PostgreSQL {durability}")
        print(f"workers: {' '.join(stack.worker_command[1:])} (scripts/run.sh), and the scheduler")

    def wait_workers(self, timeout: float = 90) -> None:
        from redis import Redis
        from rq import Worker

        from app import settings

        connection = Redis.from_url(settings.current.REDIS_URL)
        wanted = settings.current.WORKER_PROCESSES
        deadline = time.time() + timeout
        while len(Worker.all(connection=connection)) < wanted:
            if time.time() > deadline or not self.stack.alive():
                raise SystemExit("FAILED: the workers did not start; see worker.log")
            time.sleep(0.1)
        print(f"  {wanted} warm worker processes (WORKER_PROCESSES) listening")

    def run(
        self,
        results: list[dict],
        started: float,
        steps_done: float,
        ended: float,
        load_end: tuple[float, float, float],
    ) -> None:
        steps: dict[str, list[float]] = {}
        waits: dict[str, list[float]] = {}
        for result in results:
            for name, values in result["steps"].items():
                steps.setdefault(name, []).extend(values)
            for name, values in result["waits"].items():
                waits.setdefault(name, []).extend(values)
        dossiers = [d for r in results for d in r["dossiers"]]
        self.completed = len(dossiers)
        self.elapsed = ended - started
        officer = sum(len(v) for k, v in steps.items() if k not in NOT_OFFICER_STEPS)
        print(f"\n== throughput ({len(results)} load driver processes, services in process)")
        print(
            f"  completed dossiers/s        {self.completed / self.elapsed:8.2f}   "
            f"({self.completed} in {self.elapsed:.1f} s, last step to outbox drained "
            f"{ended - steps_done:.1f} s)"
        )
        late = [v for r in results for v in r.get("late_starts", [])]
        if self.args.rate:
            behind = [abs(v) for v in late if abs(v) > 0.05]
            full = sum(1 for v in late if v < 0)
            print(
                f"  offered (arrivals)          {self.args.rate:8.2f}   dossiers/s; "
                f"{len(behind)} started over 50 ms late"
                + (f" (max {max(behind):.2f} s)" if behind else "")
                + f", {full} with all {self.args.m} in flight"
            )
        print(f"  officer steps/s             {officer / self.elapsed:8.2f}")
        print(f"  load drivers' CPU           {sum(r['cpu'] for r in results):8.1f} s")
        in_steps, polling = (
            sum(r.get(k, 0.0) for r in results) for k in ("cpu_steps", "cpu_polling")
        )
        print(f"    in the officers' step calls {in_steps:6.1f} s")
        print(f"    looking for the next step   {polling:6.1f} s   (the bench's own polling)")
        print(f"\n  {'per step (ms)':<38}{'count':>7}{'p50':>11}{'p95':>11}")
        for name, values in steps.items():
            print(line(name, values))
        if dossiers:
            print(line("dossier: receive → last step done", dossiers))
        print("\n  service call enqueued → the next step visible (polled every 10 ms)")
        every = [v for values in waits.values() for v in values]
        for name, values in waits.items():
            print(line(name, values))
        if every:
            print(line("all", every))
        print(
            f"\n  machine: {os.cpu_count()} cores; load average (1/5/15 min) before "
            f"{'/'.join(f'{v:.2f}' for v in self.load_start)}, after "
            f"{'/'.join(f'{v:.2f}' for v in load_end)}"
        )

    def work(self, outbox: dict[str, float], jobs: Any, before: tuple[int, int], n: int) -> None:
        done, failed = jobs.totals()
        count = done - before[0] + failed - before[1]
        per = max(n, 1)
        print("\n== work per dossier")
        print(f"  service jobs/s              {count / max(self.elapsed, 1e-9):8.2f}")
        print(f"  jobs per dossier            {count / per:8.2f}   ({failed - before[1]} failed)")
        print(f"  outbox rows per dossier     {sum(outbox.values()):8.2f}")
        for operator, rows in outbox.items():
            print(f"    {operator:<34}{rows:6.2f}")

    def sync_lags(self, lags: list[float]) -> None:
        """The portal statuses' delay (row written → received), ms."""
        if lags:
            print(f"\n  {'portal statuses (ms)':<38}{'count':>7}{'p50':>11}{'p95':>11}")
            print(line("status row written → at the portal", lags))
            print(f"  {'':<38}{'':>7}{'max':>11}{max(lags) * 1000:>11.1f}")

    def waited_calls(self, calls: dict[str, tuple[list[float], list[float]]]) -> None:
        """Where the wait for a next step goes: each waited call's time queued, then its run."""
        if not calls:
            return
        print(f"\n  {'calls a step waits for (ms)':<38}{'count':>7}{'p50':>11}{'p95':>11}")
        for operator, (queued, ran) in calls.items():
            print(f"  {operator}")
            print(line("  written → claimed", queued))
            print(line("  claimed → done (process resumed)", ran))

    def engine(self, probes: dict[str, Any], engine: ModuleType, path: str) -> None:
        print("\n== state along the path (item 3; one probe dossier each, app.engine)")
        print(
            "  load+dump of the state a step loads: best of 100 in CPU time, first and last "
            "in turns (ratio of medians)"
        )
        for name, found in probes.items():
            figures = engine.state_figures(found)
            print(
                f"  {name:<8} finished state {figures['finished_bytes'] / 1024:5.1f} KB; "
                f"first step {figures['first_ms']:5.2f} ms "
                f"({figures['first_bytes'] / 1024:.1f} KB), last step {figures['last_ms']:5.2f}"
                f" ms ({figures['last_bytes'] / 1024:.1f} KB): last/first {figures['ratio']:.2f}"
                f" ({figures['median_ratio']:.2f})"
            )
        rate, problem = engine.bare_path(probes[path], self.args.bare)
        print("\n== bare SpiffWorkflow, in memory, one core (same models and forms)")
        if problem:
            print(f"  not measured: {problem}")
            return
        measured = self.completed / max(self.elapsed, 1e-9)
        print(f"  completed dossiers/s        {rate:8.1f}   (CPU time, {self.args.bare} runs)")
        if self.args.rate:  # the pace was the arrivals', not the system's
            print("  ratio bare / this system    (a closed loop's, -m: not at a given rate)")
            return
        print(f"  ratio bare / this system    {rate / measured:8.1f}")

    def profiles(self, folder: Path, jobs: Any) -> None:
        files = sorted((folder / "profiles").glob("*.prof")) + sorted(folder.glob("*.prof"))
        if not files:
            print("\n== profile: none written (see worker.log)")
            return
        spent = {f: busy_seconds(pstats.Stats(str(f))) for f in files}
        busiest = max(spent, key=spent.__getitem__)
        print("\n== profiles (cProfile, wall clock, one per process; busy = not waiting for work)")
        for file, seconds in spent.items():
            print(f"  {file}  busy {seconds:7.1f} s")
        name, busy, count = jobs.busiest()
        if name:
            print(f"  busiest RQ worker by RQ's count: {name}, {busy:.1f} s in jobs, {count} jobs")
        print(f"  busiest process: {busiest}")
        print(f"  read it with: .venv/bin/python -m pstats {busiest}")
        stats = pstats.Stats(str(busiest))
        print("  its project functions by cumulative time:")
        stats.sort_stats("cumulative").print_stats(r"/(app|worker|bench)/", 14)


# Where a process waits for work rather than doing it: a worker blocked on the queue, a driver
# polling for the next step.
IDLE = ("dequeue_any", "<built-in method time.sleep>")


def busy_seconds(stats: pstats.Stats) -> float:
    """The profiled time spent on work: the total less the time waiting for some."""
    idle = sum(
        entry[3]  # cumulative time
        for (_, _, function), entry in stats.stats.items()  # type: ignore[attr-defined]
        if function in IDLE
    )
    return stats.total_tt - idle  # type: ignore[attr-defined]

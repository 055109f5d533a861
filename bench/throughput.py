"""Benchmark: dossiers completed per second, end to end, as `make run` runs the system.

Starts a throwaway PostgreSQL (`--durable`, the default: fsync and synchronous_commit on, as a
deployment keeps them; `--fast`: both off, as the test servers), Redis, every simulator, the
setup commands and the worker and scheduler lines of scripts/run.sh with its environment
(bench/throughput_stack.py). Then `--drivers` processes (bench/throughput_driver.py) drive
`-n` dossiers along `--path` with `-m` in flight, acting as the officers (and, online, as the
portal paying the fee) through the services: in process rather than over HTTP, so the figure
is the system's (engine, database, outbox, workers, simulators) and not the load driver's
HTML parsing; the web layer only parses the form and calls the same service
(`tasks.complete_task`). Each step waits for the process to open it, as an officer waits
for it to appear in the inbox, so the service tasks the workers run are inside the figure.

Prints in one run: completed dossiers/s, officer steps/s, service jobs/s, p50/p95 per step and
per dossier, jobs and outbox rows per dossier, the time from a service call's enqueue to the
next step being visible (p50/p95), the load average and cores; the CPU per dossier of each
kind of process (bench/throughput_cpu.py); the bare in-memory
SpiffWorkflow figure for the same path and the ratio; the stored state size of a finished
instance (counter and C1) and the load+dump time of the last step vs the first. Checks the run
(every dossier finished with status 10, every portal status once and in order as the portal
simulator received them, no incident, no failed job, the outbox drained) and exits 1 loudly
otherwise. `--profile`: each worker process and driver profiles itself (cProfile); the busiest
process's profile is named at the end, with its top functions.
`--workers W` runs run.sh's worker line with W warm worker processes (WORKER_PROCESSES);
bench/throughput_curve.py takes the scaling curve (W workers + W drivers for each W).
`--rate R` runs an open loop instead: dossiers arrive at random, R a second (a Poisson
process, as citizens come to a counter), whether or not the earlier ones are done, and the
bench prints the latencies at that load and how busy it kept the machine; a start that found
`-m` dossiers in flight waited (printed as late starts: the system did not keep up).
Usage: .venv/bin/python bench/throughput.py [-n 1000] [-m 8 | --rate R] [--path counter|online|c1]
       [--fast] [--drivers D] [--workers W] [--profile] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import throughput_cpu as cpu  # noqa: E402
from bench.throughput_report import Report  # noqa: E402
from bench.throughput_stack import Stack  # noqa: E402

DRIVER = ROOT / "bench" / "throughput_driver.py"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=1000, help="dossiers (default 1000)")
    parser.add_argument("-m", type=int, default=8, help="dossiers in flight (default 8)")
    parser.add_argument("--path", choices=("counter", "online", "c1"), default="counter")
    durability = parser.add_mutually_exclusive_group()
    durability.add_argument(
        "--durable",
        dest="durable",
        action="store_true",
        default=True,
        help="PostgreSQL with fsync and synchronous_commit on (default)",
    )
    durability.add_argument(
        "--fast", dest="durable", action="store_false", help="both off, as the test servers"
    )
    parser.add_argument(
        "--drivers", type=int, help="load driver processes (default: min(m, cores))"
    )
    parser.add_argument(
        "--workers", type=int, help="worker processes (default: run.sh's WORKER_PROCESSES)"
    )
    parser.add_argument(
        "--rate",
        type=float,
        help="open loop: dossiers a second arriving at random (Poisson), whether or not the "
        "earlier ones are done, instead of -m in flight (-m is then the most in flight, "
        "default 64); the latencies at a given load, e.g. a province's peak (2.8/s)",
    )
    parser.add_argument("--bare", type=int, default=200, help="bare engine runs (default 200)")
    parser.add_argument("--profile", action="store_true", help="profile every process")
    parser.add_argument("--keep", help="keep the logs and profiles in this folder")
    args = parser.parse_args()
    if args.rate is not None:
        if args.rate <= 0:
            parser.error("--rate must be above 0")
        if args.profile:
            parser.error("--profile profiles a closed loop (-m), not --rate")
        if "-m" not in sys.argv[1:]:
            args.m = 64
    if args.n < 1 or args.m < 1:
        parser.error("-n and -m must be at least 1")
    return args


def start_drivers(
    args: argparse.Namespace, stack: Stack, folder: Path
) -> list[tuple[subprocess.Popen, Path]]:
    count = max(1, min(args.drivers or min(args.m, os.cpu_count() or 1), args.m, args.n))
    running = []
    for index in range(count):
        share = len(range(index, args.n, count))
        threads = len(range(index, args.m, count))
        out = folder / f"driver-{index}.json"
        argv = [sys.executable, str(DRIVER), "--path", args.path, "--count", str(share)]
        argv += ["--threads", str(threads), "--index", str(index), "--out", str(out)]
        if args.rate:  # each driver its share of the arrivals (Poisson processes add up)
            argv += ["--rate", str(args.rate * share / args.n)]
        if args.profile:
            argv += ["--profile", str(folder / f"driver-{index}.prof")]
        log = open(folder / f"driver-{index}.log", "wb")  # noqa: SIM115 - closed at exit
        stack.exits.callback(log.close)
        process = subprocess.Popen(  # nosec B603 # this Python, the bench's own driver
            argv, cwd=ROOT, env=stack.env, stdout=log, stderr=subprocess.STDOUT
        )
        running.append((process, out))
    return running


def ready(drivers: list[tuple[subprocess.Popen, Path]], timeout: float = 120) -> None:
    """Wait until every driver is ready (imported, connected, waiting for the start)."""
    deadline = time.time() + timeout
    for process, out in drivers:
        while not Path(f"{out}.ready").exists():
            if process.poll() is not None or time.time() > deadline:
                raise SystemExit(f"driver {out.stem} did not start; see {out.stem}.log")
            time.sleep(0.05)


def go(drivers: list[tuple[subprocess.Popen, Path]]) -> float:
    """Start the ready drivers together; returns the start time."""
    started = time.time()
    for _, out in drivers:
        Path(f"{out}.go").touch()
    return started


def wait_drivers(drivers: list[tuple[subprocess.Popen, Path]], stack: Stack) -> list[dict]:
    while any(p.poll() is None for p, _ in drivers):
        if not stack.alive():
            raise SystemExit("FAILED: the worker or the scheduler stopped; see their logs")
        time.sleep(0.1)
    results = []
    for process, out in drivers:
        if process.returncode != 0 or not out.exists():
            raise SystemExit(f"FAILED: driver {out.stem} ended with {process.returncode}")
        results.append(json.loads(out.read_text()))
    return results


def main() -> None:
    args = arguments()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="bench-throughput-"))
    folder.mkdir(parents=True, exist_ok=True)
    profiles = folder / "profiles" if args.profile else None
    load_start = os.getloadavg()
    stack = Stack(args.durable, profiles, folder)
    try:
        if args.workers:
            stack.env["WORKER_PROCESSES"] = str(args.workers)
        os.environ.update(stack.env)  # this process reads the settings the workers read
        from app.bootstrap import ensure_configured
        from bench import throughput_checks as checks
        from bench import throughput_engine as engine

        ensure_configured()
        stack.start_workers()
        report = Report(args, stack, load_start)
        report.wait_workers()
        # item 3 probes, before the run: one dossier per path (they also warm the workers)
        probes = {path: engine.probe(path) for path in dict.fromkeys(("counter", "c1", args.path))}
        if checks.wait_drained(60):
            raise SystemExit("FAILED: the probe dossiers' outbox did not drain")
        jobs = checks.JobCounter()
        time.sleep(1.5)
        jobs_before = jobs.totals()
        drivers = start_drivers(args, stack, folder)
        ready(drivers)
        cpu_before, busy_before = cpu.snapshot(), cpu.machine_busy()[0]
        started = go(drivers)
        results = wait_drivers(drivers, stack)
        steps_done = time.time()
        left = checks.wait_drained()
        ended = time.time()
        cpu_after, busy_after = cpu.snapshot(), cpu.machine_busy()[0]
        load_end = os.getloadavg()
        jobs.stop()
        codes = [c for r in results for c in r["codes"]]
        found = [e for r in results for e in r["errors"]]
        if left:
            found.append(f"{left} outbox rows still pending 180 s after the last step")
        found += checks.problems(args.path, codes, stack.env["PORTAL_URL"], args.n)
        report.run(results, started, steps_done, ended, load_end)
        report.work(checks.outbox_counts(codes), jobs, jobs_before, len(codes))
        report.sync_lags(checks.sync_lags(codes, stack.env["PORTAL_URL"]))
        report.waited_calls(checks.waited_calls(codes))
        cpu.report(
            cpu_before, cpu_after, max(len(codes), 1), busy_after - busy_before, ended - started
        )
        stack.stop_workers()
        report.engine(probes, engine, args.path)
        if args.profile:
            report.profiles(folder, jobs)
        if found:
            print("\nFAILED: the run was not correct:", file=sys.stderr)
            for problem in found:
                print(f"  - {problem}", file=sys.stderr)
            raise SystemExit(1)
        print(
            "\ncorrect: every dossier finished, every status once and in order, "
            "no incident, no failed job"
        )
    finally:
        stack.close()
        if not args.keep and not args.profile:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

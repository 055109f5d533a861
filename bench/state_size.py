"""Benchmark: stored state size and load+dump time along a path (targets: a finished counter
instance < 12 KB; the last step's load+dump within 1.3x of the first, on the C1 path too).

Runs the bundle's own model cases (bpmn/tests): the counter path (accept.test.json: receive,
account check, reception, appraisal, approval, result, warehouse, return) and the C1 path
(c1_bcci.test.json: the paper dossier and the paper result each carried by BCCI, a called
process each way). After every step the instance is saved and loaded again, as the service
layer does, and for that step it prints the stored size, the called processes and tasks the
state holds, and the median and best CPU time of --repeat load+dump round trips (app.engine's
ProcessRun.load then dump, the spec taken from the parsed model). Then the last/first ratios.

Each path runs twice: as stored now (finished called processes and the finished part of the
task tree left out, `app.engine.pruning`) and, for reference, with that pruning switched off
(the state as SpiffWorkflow keeps it: the figures before the change).
`flatness()` gives the headline figures to another bench (bench/throughput.py).
Usage: .venv/bin/python bench/state_size.py [--repeat 30] [--case accept.test.json ...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.engine import ProcessRun, model_tests, parse_bundle, pruning  # noqa: E402
from app.services.process_models.deploy import read_bundle  # noqa: E402

CASES = ("accept.test.json", "c1_bcci.test.json")


@contextmanager
def unpruned():
    """The state as the library keeps it: every task and every finished called process."""
    prune = pruning.prune
    pruning.prune = lambda workflow, dct, convert: None
    try:
        yield
    finally:
        pruning.prune = prune


def round_trips(definition, states: list[str], repeat: int) -> list[tuple[float, float]]:
    """(median, best) CPU milliseconds of loading each state and dumping it again. CPU time,
    because the machine is shared; the states take turns, round after round, after one round
    to warm up, so that a busy moment falls on every step alike rather than on one."""
    times: list[list[float]] = [[] for _ in states]
    for round_ in range(repeat + 1):
        for index, state in enumerate(states):
            started = time.process_time()
            ProcessRun.load(definition, state).dump()
            if round_:
                times[index].append((time.process_time() - started) * 1000)
    return [(statistics.median(t), min(t)) for t in times]


def walk(definition, case: dict) -> list[tuple[str, str]]:
    """The case's path, saved and loaded after every step: (step, the state stored after it)."""
    run, changes = ProcessRun.start(definition, dict(case["start"]))
    seen, path = model_tests._Progress(), []
    failed = model_tests.CaseResult("", "", False)
    model_tests._collect(changes, path, seen)
    states = [("start", run.dump())]
    for index, step in enumerate(case["steps"], start=1):
        run = ProcessRun.load(definition, states[-1][1])
        changes = model_tests._step(run, step, seen, failed, index)
        if changes is None:
            raise SystemExit(f"step {index} failed: {failed.failures}")
        model_tests._collect(changes, path, seen)
        label = step.get("task") or step.get("service") or step.get("message")
        states.append((label, run.dump()))
    if not run.finished:
        raise SystemExit("the path did not finish")
    if path != case["expect"].get("path", path):
        raise SystemExit(f"the path differs from the case's: {path}")
    return states


def measure(definition, case: dict, repeat: int) -> list[tuple[str, int, int, int, float, float]]:
    """Per step: (label, bytes, called processes, tasks, median ms, best ms)."""
    states = walk(definition, case)
    rows = []
    timings = round_trips(definition, [state for _, state in states], repeat)
    for (label, state), timing in zip(states, timings, strict=True):
        parsed = json.loads(state)
        subs = parsed["subprocesses"].values()
        tasks = len(parsed["tasks"]) + sum(len(s["tasks"]) for s in subs)
        rows.append((label, len(state), len(parsed["subprocesses"]), tasks, *timing))
    return rows


def report(title: str, rows: list) -> None:
    print(f"\n{title}")
    header = f"{'bytes':>7} {'subs':>4} {'tasks':>5} {'median ms':>9} {'best ms':>8}"
    print(f"  {'step':28} {header}  (CPU)")
    for label, size, subs, tasks, median, best in rows:
        print(f"  {label:28} {size:7d} {subs:4d} {tasks:5d} {median:9.2f} {best:8.2f}")
    first, last = rows[0], rows[-1]
    print(
        f"  last/first: size {last[1] / first[1]:.2f}x, load+dump median "
        f"{last[4] / first[4]:.2f}x, best {last[5] / first[5]:.2f}x; "
        f"largest state {max(r[1] for r in rows)} B; finished state {last[1]} B"
    )
    print(
        f"  worst step/first: size {max(r[1] for r in rows) / first[1]:.2f}x, load+dump best "
        f"{max(r[5] for r in rows) / first[5]:.2f}x"
    )


def flatness(repeat: int = 10) -> dict[str, dict[str, float]]:
    """For another bench to print in one line: per path, the finished state's bytes and the
    last/first ratios of size and of load+dump time (median CPU)."""
    files = read_bundle(ROOT / "bpmn")
    definition = parse_bundle(files, "counter_dossier")
    cases = {name.split("/")[-1]: case for name, case in model_tests.cases(files).items()}
    figures = {}
    for name in CASES:
        rows = measure(definition, cases[name], repeat)
        figures[name.removesuffix(".test.json")] = {
            "finished_bytes": rows[-1][1],
            "size_ratio": rows[-1][1] / rows[0][1],
            "time_ratio": rows[-1][4] / rows[0][4],
        }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--case", action="append", help="a bpmn/tests case file name")
    args = parser.parse_args()
    files = read_bundle(ROOT / "bpmn")
    definition = parse_bundle(files, "counter_dossier")
    cases = {name.split("/")[-1]: case for name, case in model_tests.cases(files).items()}
    for name in args.case or CASES:
        report(f"{name}: stored (pruned)", measure(definition, cases[name], args.repeat))
        with unpruned():
            report(f"{name}: unpruned (before)", measure(definition, cases[name], args.repeat))


if __name__ == "__main__":
    main()

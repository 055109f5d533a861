"""Benchmark: the supervisor's counts over a province-sized key space.

`bench/task_lists.py` builds its tasks from a few repeating patterns, so its open tasks fall
into about 540 count keys. A province has far more: here 300 procedures, each run by 3 of 100
units, 10 steps each, claimed or not, two channels and three deadline states, 108,000 keys
(about 1.1M open tasks). This script fills the kept counts with that many keys (no tasks: the
counts are what is read) in an empty database and times `task_counts.counts` as the
supervisor's list calls it over the whole province: no filter, a channel, a deadline state (the
per-unit counts), a procedure's step (the per-key counts), and with unfolded changes waiting.

Usage: .venv/bin/python bench/task_counts.py [--sqlite PATH] [--postgres URL] [--runs 30]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from app.models import TaskCount, TaskCountChange, TaskCountUnit  # noqa: E402
from app.models.task_counts import UNIT_KEY_COLUMNS  # noqa: E402
from app.services.dossiers import task_counts, task_search  # noqa: E402
from app.services.dossiers.task_search import Scope, TaskQuery  # noqa: E402
from app.storage.db import db  # noqa: E402
from app.storage.migrate import upgrade  # noqa: E402
from bench.task_lists import configure  # noqa: E402

UNITS, PROCEDURES, STEPS = 100, 300, 10
ROLES = ("reception", "processing", "leader")


def fill(changes: int) -> None:
    """The province's kept counts, and `changes` unfolded changes besides."""
    pick = random.Random(7)  # nosec B311 - bench data, not a secret
    rows = [
        {
            "agency_id": unit,
            "role": ROLES[step % 3],
            "claimed": claimed,
            "procedure_id": procedure,
            "element_id": f"step_{step}",
            "channel": channel,
            "deadline_state": state,
            "n": pick.randint(1, 20),
        }
        for procedure in range(1, PROCEDURES + 1)
        for unit in pick.sample(range(1, UNITS + 1), 3)
        for step in range(STEPS)
        for claimed in (0, 1)
        for channel in ("counter", "online")
        for state in task_search.DEADLINE_STATES
    ]
    units: dict[tuple, int] = {}
    for row in rows:
        key = tuple(row[c] for c in UNIT_KEY_COLUMNS)
        units[key] = units.get(key, 0) + row["n"]
    with db.engine.begin() as conn:
        for start in range(0, len(rows), 20_000):
            conn.execute(insert(TaskCount), rows[start : start + 20_000])
        conn.execute(
            insert(TaskCountUnit),
            [dict(zip(UNIT_KEY_COLUMNS, k, strict=True)) | {"n": n} for k, n in units.items()],
        )
        if changes:
            conn.execute(
                insert(TaskCountChange),
                [{k: v for k, v in pick.choice(rows).items()} | {"n": 1} for _ in range(changes)],
            )
        conn.exec_driver_sql("ANALYZE")
    print(f"{len(rows):,} keys, {len(units):,} unit keys, {changes:,} unfolded changes")


def timed(query: TaskQuery, runs: int) -> tuple[float, float]:
    procedures = [(p, f"9.{p:06d}", f"Thủ tục {p}") for p in range(1, PROCEDURES + 1)]
    scope = Scope([], lambda t: [t.agency_id.in_(range(1, UNITS + 1))], by_unit=True)

    def once() -> None:
        with db.transaction() as session:
            f = task_search.filters(session, query)
            if query.procedure:  # the bench has no procedure rows: name the chosen one's id
                f = task_search.Filters(
                    {**f.parts}, 1, {**f.keyed_parts, "procedure": lambda t: [t.procedure_id == 1]}
                )
            task_counts.counts(session, [scope], query, f, procedures)

    once()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        once()
        samples.append(time.perf_counter() - t0)
    samples.sort()
    return statistics.median(samples) * 1000, samples[max(int(len(samples) * 0.95) - 1, 0)] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite", default="")
    parser.add_argument("--postgres", default="")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    url = args.postgres or f"sqlite:///{args.sqlite or Path(tempfile.mkdtemp()) / 'counts.db'}"
    upgrade(url)
    configure(url)
    with db.transaction() as session:
        if session.scalar(select(TaskCount.n).limit(1)) is not None:
            sys.exit("the database already holds counts: give an empty one")
    cases = [
        ("whole province, no filter", TaskQuery()),
        ("channel=online", TaskQuery(channel="online")),
        ("state=overdue", TaskQuery(state="overdue")),
        ("procedure + step (per-key counts)", TaskQuery(procedure="9.000001", element="step_2")),
        ("step alone (per-key counts)", TaskQuery(element="step_2")),
    ]
    for changes in (0, 5_000):
        if changes:
            with db.engine.begin() as conn:
                conn.execute(
                    insert(TaskCountChange),
                    [
                        {
                            "agency_id": 1 + i % UNITS,
                            "role": "processing",
                            "claimed": i % 2,
                            "procedure_id": 1 + i % PROCEDURES,
                            "element_id": f"step_{i % STEPS}",
                            "channel": "counter",
                            "deadline_state": "on_time",
                            "n": 1 if i % 3 else -1,
                        }
                        for i in range(changes)
                    ],
                )
            print(f"with {changes:,} changes not folded yet")
        else:
            fill(0)
        print(f"{'supervisor counts':<40}{'p50':>8}{'p95':>8}  ms")
        for label, query in cases:
            p50, p95 = timed(query, args.runs)
            print(f"{label:<40}{p50:>8.1f}{p95:>8.1f}")


if __name__ == "__main__":
    main()

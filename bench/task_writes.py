"""Benchmark: what the task lists' indexes and counts cost the writes, on a database built by
`bench/task_lists.py` (1M tasks): create tasks ten to a transaction (as the projection does
for a step's successors), claim each, complete each; then delete them, so the database is
left as it was. Run it on a copy at migration 0019 and one at 0020 to see the difference.

Usage: .venv/bin/python bench/task_writes.py URL [URL ...] [--tasks 2000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import MetaData, Table, create_engine, delete, insert, select, update  # noqa: E402

from app.models.base import utcnow  # noqa: E402
from app.storage.db import normalise_url  # noqa: E402

BATCH = 10


def run(url: str, count: int) -> dict[str, float]:
    """Microseconds per task for each kind of write, median of the batches."""
    engine = create_engine(normalise_url(url))
    # the table as this database has it (an older migration has fewer columns)
    table = Table("human_task", MetaData(), autoload_with=engine)
    columns = {c.name for c in table.columns}
    with engine.connect() as conn:
        template = dict(
            conn.execute(select(table).where(table.c.state == "open").limit(1)).one()._mapping
        )
        user = conn.scalar(
            select(table.c.assignee_id).where(table.c.assignee_id.is_not(None)).limit(1)
        )
    ids = [str(uuid.uuid4()) for _ in range(count)]
    batches = [ids[i : i + BATCH] for i in range(0, count, BATCH)]
    timings: dict[str, list[float]] = {"create": [], "claim": [], "complete": []}
    now = utcnow()
    try:
        for batch in batches:
            rows = [
                {k: v for k, v in template.items() if k in columns}
                | {"id": i, "assignee_id": None, "created_at": now}
                for i in batch
            ]
            t0 = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(insert(table), rows)
            timings["create"].append((time.perf_counter() - t0) / len(batch))
        for name, values in (
            ("claim", {"assignee_id": user, "claimed_at": now}),
            ("complete", {"state": "completed", "completed_at": now, "outcome": "on_time"}),
        ):
            for batch in batches:
                t0 = time.perf_counter()
                with engine.begin() as conn:
                    for task_id in batch:
                        conn.execute(update(table).where(table.c.id == task_id).values(**values))
                timings[name].append((time.perf_counter() - t0) / len(batch))
    finally:
        with engine.begin() as conn:
            for batch in batches:
                conn.execute(delete(table).where(table.c.id.in_(batch)))
        engine.dispose()
    return {name: statistics.median(t) * 1e6 for name, t in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--tasks", type=int, default=2000)
    args = parser.parse_args()
    print(f"{'database':<60}{'create':>10}{'claim':>10}{'complete':>10}  µs per task (median)")
    for url in args.urls:
        figures = run(url, args.tasks)
        print(
            f"{url[-60:]:<60}{figures['create']:>10.0f}{figures['claim']:>10.0f}"
            f"{figures['complete']:>10.0f}"
        )


if __name__ == "__main__":
    main()

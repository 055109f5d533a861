"""Benchmark: a reorganisation plan transferring 100,000 pending dossiers on PostgreSQL.

Three communes (and a district) merge into one, as in tests/services/reorg_world.py. One real
dossier is carried to appraisal through the services; the others are copies of it made with
server-side generate_series (their process state is the real one's; their open step a fresh
row). Then the plan is recorded and applied through `cutover.apply`, the function the scheduler's
job calls: one transaction per dossier, pages of BATCH dossiers. Prints dossiers per second and
the resident memory of this process along the run (it should stay flat: nothing is held but a
page of ids).
Usage: .venv/bin/python bench/reorganise.py [--dossiers 100000] [--workers 2]
"""

from __future__ import annotations

import argparse
import resource
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402

from app.models import ReorgItem  # noqa: E402
from app.services import cutover, queue  # noqa: E402
from app.services.actors import SYSTEM  # noqa: E402
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


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    queue.enqueue = lambda ids: None  # the outbox rows stay for the worker; not measured here
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
        samples: list[tuple[int, float]] = []
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(2):
                with db.transaction() as session:
                    done = session.scalar(
                        select(func.count()).where(
                            ReorgItem.plan_id == plan_id, ReorgItem.outcome != "pending"
                        )
                    )
                samples.append((done, rss_mb()))

        watcher = threading.Thread(target=sample, daemon=True)
        start_rss = rss_mb()
        t0 = time.perf_counter()
        watcher.start()
        report = cutover.apply_in_parallel(plan_id, args.workers)
        elapsed = time.perf_counter() - t0
        stop.set()
        watcher.join()
        print(
            f"report: before {report.before:,} = moved {report.moved:,} + finished "
            f"{report.finished:,} + refused {report.refused:,} (reconciles: {report.reconciles})"
        )
        print(
            f"apply with {args.workers} worker process(es): {elapsed:.1f} s, "
            f"{report.before / elapsed:.0f} dossiers/s"
        )
        print(f"resident memory: {start_rss:.1f} MB at start", end="")
        for fraction in (0.25, 0.5, 0.75):
            done, mb = next(((d, m) for d, m in samples if d >= fraction * report.before), (0, 0.0))
            print(f", {mb:.1f} MB at {done:,}", end="")
        print(f", {max([m for _, m in samples] + [rss_mb()]):.1f} MB peak")
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if args.workers > 1:
            print(f"peak resident memory of a worker process: {children:.1f} MB")


if __name__ == "__main__":
    main()

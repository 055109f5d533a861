"""Benchmark: deadline queries over 1,000,000 task rows on PostgreSQL.

Seeds a realistic mix (20 agencies under one province, 5 procedures, officers with every role,
about 15 % of tasks open; of those, on time / due soon / overdue) with server-side
generate_series, then prints p50/p95 of: an officer's inbox, a supervisor's overdue list
page, the per-step counts of one procedure, the supervisor's desk and at-risk dossiers, an
officer's dossier list (alone and searched),
and five sweep passes, each through the real service
function; at the end, every filter and sort of the two task lists (`bench/task_lists.measure`).
Then each of them runs once more (a sixth sweep pass, 48 hours on: the next day's
tasks cross their marks) with every single statement it sends to PostgreSQL captured as it goes
(a `before_cursor_execute` listener) and EXPLAIN ANALYZEd on the same connection, with the same
parameters, just before it runs: inside a savepoint rolled back at once, so an UPDATE's plan is
measured on the rows it is about to change, and then the statement runs for real. These plans
are of the statements the services run, not copies (batched executemany inserts are not
explained; plan lines are cut at 200 characters); the instrumented runs are not in the timings.
Usage: .venv/bin/python bench/overdue.py [--tasks 1000000] [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import event, select, text  # noqa: E402

from app.models import User  # noqa: E402
from app.models.base import utcnow  # noqa: E402
from app.services.core.actors import Actor  # noqa: E402
from app.services.deadlines import overdue, supervision  # noqa: E402
from app.services.deadlines.apologies import at_risk  # noqa: E402
from app.services.deadlines.supervision import overview  # noqa: E402
from app.services.dossiers import task_counts  # noqa: E402
from app.services.dossiers.dossier_queries import list_dossiers  # noqa: E402
from app.services.dossiers.inbox import inbox  # noqa: E402
from app.storage.db import db  # noqa: E402
from bench import task_lists  # noqa: E402
from tests.support.stack import seeded_postgres  # noqa: E402

SEED = """
INSERT INTO agency (code, name, parent_id, active)
SELECT format('000.00.%s.H31', lpad(i::text, 2, '0')), format('Cơ quan %s', i),
       (SELECT id FROM agency WHERE code = '000.00.00.H31'), true
FROM generate_series(20, 38) AS i;

WITH a AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM agency
           WHERE code NOT IN ('000.00.00.H31', '000.00.12.H31')),
     u AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM user_account
           WHERE username LIKE 'canbo%')
INSERT INTO user_role (user_id, role, agency_id)
SELECT u.id, r.role, a.id FROM u JOIN a ON a.n = u.n % 19
CROSS JOIN (VALUES ('reception'), ('processing'), ('leader')) AS r(role);

INSERT INTO procedure (code, name, level, agency_id, model_version_id, duration_days,
                       duration_unit, supplement_clock, components, step_durations, active)
SELECT format('9.%s', lpad(i::text, 6, '0')), format('Thủ tục %s', i), 2,
       (SELECT id FROM agency WHERE code = '000.00.12.H31'),
       (SELECT min(id) FROM model_version), 10, 'working_days', 'pause', '[]', '{}', true
FROM generate_series(1, 4) AS i;

INSERT INTO user_role (user_id, role, agency_id)
SELECT u.id, 'supervisor', a.id FROM user_account u, agency a
WHERE u.username = 'giamsat' AND a.code = '000.00.00.H31';

CREATE TEMP TABLE ids AS SELECT array_agg(id) AS agencies FROM agency WHERE parent_id IS NOT NULL;
CREATE TEMP TABLE procs AS SELECT array_agg(id) AS procedures FROM procedure;
CREATE TEMP TABLE officers AS
    SELECT array_agg(id) AS users FROM user_account WHERE username LIKE 'canbo%';

INSERT INTO dossier (code, procedure_id, agency_id, channel, status, owner_type, owner_id_type,
                     owner_id, owner_name, summary, data, received_at, due_at)
SELECT format('B-%s', i), procs.procedures[1 + i % array_length(procs.procedures, 1)],
       ids.agencies[1 + i % array_length(ids.agencies, 1)], 'counter', 4, 1, 'cccd',
       '001090012345', 'Nguyễn Văn An', '', '{}',
       now() - (i % 60) * interval '1 day', now() + (10 - i % 60) * interval '1 day'
FROM generate_series(1, :dossiers) AS i, ids, procs;

INSERT INTO process_instance (dossier_id, model_version_id, state, version, status,
                              created_at, updated_at)
SELECT d.id, (SELECT min(id) FROM model_version), '{}', 1, 'running', now(), now()
FROM dossier d WHERE d.code LIKE 'B-%';

INSERT INTO human_task (id, instance_id, dossier_id, procedure_id, channel, received_at,
                        element_id, title, role, agency_id,
                        assignee_id, state, created_at, due_at, due_soon_at, deadline_state,
                        completed_at, outcome)
SELECT md5(i::text)::uuid::text, p.id, p.dossier_id, d.procedure_id, d.channel, d.received_at,
       (ARRAY['reception', 'appraisal', 'approval', 'return_result'])[1 + i % 4],
       (ARRAY['Tiếp nhận hồ sơ', 'Thẩm định hồ sơ', 'Phê duyệt kết quả', 'Trả kết quả'])[1 + i % 4],
       (ARRAY['reception', 'processing', 'leader', 'reception'])[1 + i % 4],
       d.agency_id,
       CASE WHEN i % 3 = 0 THEN NULL
            ELSE officers.users[1 + i % array_length(officers.users, 1)] END,
       CASE WHEN i % 100 < 15 THEN 'open' WHEN i % 100 < 97 THEN 'completed' ELSE 'cancelled' END,
       now() - (i % 40) * interval '1 day',
       now() + ((i % 40) - 20) * interval '1 day',
       now() + ((i % 40) - 22) * interval '1 day',
       CASE WHEN i % 100 >= 15 THEN 'on_time' WHEN (i % 40) < 20 THEN 'overdue'
            WHEN (i % 40) < 22 THEN 'due_soon' ELSE 'on_time' END,
       CASE WHEN i % 100 >= 15 THEN now() - (i % 30) * interval '1 day' END,
       CASE WHEN i % 100 >= 15 AND i % 100 < 97 THEN
            (ARRAY['early', 'on_time', 'late'])[1 + i % 3] END
FROM generate_series(1, :tasks) AS i
JOIN process_instance p ON p.id = 1 + (i % :dossiers)
JOIN dossier d ON d.id = p.dossier_id, officers;
ANALYZE;
"""


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    samples.sort()
    return statistics.median(samples) * 1000, samples[max(int(len(samples) * 0.95) - 1, 0)] * 1000


EXPLAINED = ("SELECT", "WITH", "UPDATE", "INSERT", "DELETE")


@contextmanager
def explaining(into: list[tuple[str, list[str]]]) -> Iterator[None]:
    """While open, every single statement sent through `db.engine` is EXPLAIN ANALYZEd first
    (its text and plan appended to `into`); a savepoint undoes what the EXPLAIN did."""

    def before(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if executemany or not statement.lstrip().upper().startswith(EXPLAINED):
            return
        cursor.execute("SAVEPOINT bench_explain")
        try:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + statement, parameters)
            plan = [row[0] for row in cursor.fetchall()]
        except psycopg.Error as exc:
            plan = [f"(EXPLAIN failed: {exc})"]
        cursor.execute("ROLLBACK TO SAVEPOINT bench_explain")
        cursor.execute("RELEASE SAVEPOINT bench_explain")
        into.append((statement, plan))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def print_plans(label: str, fn: Callable[[], object]) -> None:
    """Run `fn` once under `explaining` and print each statement it ran with its plan."""
    captured: list[tuple[str, list[str]]] = []
    with explaining(captured):
        fn()
    print(f"\nEXPLAIN ANALYZE of the {len(captured)} statement(s) run by: {label}")
    for number, (statement, plan) in enumerate(captured, 1):
        print(f"  [{number}] {' '.join(statement.split())[:300]}")
        print("\n".join("      " + line[:200] for line in plan))


def fold_counts() -> None:
    """Fold the task counts' appended changes, as the scheduler's turn does."""
    t0 = time.perf_counter()
    keys = task_counts.fold()
    print(f"counts folded: {keys} keys in {(time.perf_counter() - t0) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with seeded_postgres(extra_officers=30):
        t0 = time.perf_counter()
        dossiers = max(args.tasks // 4, 1)
        with db.engine.begin() as conn:
            for statement in SEED.split(";\n"):
                if statement.strip():
                    conn.execute(text(statement), {"dossiers": dossiers, "tasks": args.tasks})
        print(
            f"seeded {args.tasks:,} tasks on {dossiers:,} dossiers in "
            f"{time.perf_counter() - t0:.1f} s"
        )
        # what the scheduler does every few seconds under `make run` (COUNTS_FOLD_EVERY): the
        # task lists' count changes folded; unfolded, every inbox would add up the seeding's
        fold_counts()
        with db.transaction() as session:
            officer = Actor.of(session.scalar(select(User).where(User.username == "canbo1")))
            supervisor = Actor.of(session.scalar(select(User).where(User.username == "giamsat")))
        print(f"{'measure':<52}{'p50 ms':>9}{'p95 ms':>9}")
        rows = [
            ("officer's inbox (mine + pool)", lambda: inbox(officer)),
            (
                "supervisor's overdue list, first page",
                lambda: supervision.task_list(supervisor, supervision.TaskFilter(state="overdue")),
            ),
            (
                "per-step counts of one procedure",
                lambda: supervision.procedure_diagram("9.000001", supervisor),
            ),
            ("supervisor's desk (unit, procedure, step, officer)", lambda: overview(supervisor)),
            ("supervisor's at-risk dossiers (shown + count)", lambda: at_risk(supervisor)),
            ("officer's dossier list", lambda: list_dossiers(officer)),
            # every seeded owner has the same name: each of its trigrams is in every dossier
            ("dossier list, search: a name", lambda: list_dossiers(officer, "Nguyễn")),
            ("dossier list, search: no one", lambda: list_dossiers(officer, "Phan Quang Thảo")),
            ("dossier list, search: a code", lambda: list_dossiers(officer, "B-1234")),
        ]
        for label, fn in rows:
            fn()
            p50, p95 = timed(fn, args.runs)
            print(f"{label:<52}{p50:>9.1f}{p95:>9.1f}")
        if os.environ.get("BENCH_PROFILE_QUERIES"):
            import cProfile
            import pstats

            for label, fn in rows:
                print(f"profile: {label}")
                profiler = cProfile.Profile()
                profiler.runcall(fn)
                pstats.Stats(profiler).sort_stats("tottime").print_stats(12)
        sweeps = []
        profile = os.environ.get("BENCH_PROFILE_SWEEP")
        for step in range(5):
            now = utcnow() + timedelta(hours=6 * (step + 1))
            t0 = time.perf_counter()
            if profile and step == 0:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                result = profiler.runcall(overdue.sweep, now)
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
            else:
                result = overdue.sweep(now)
            sweeps.append((time.perf_counter() - t0) * 1000)
            fold_counts()  # the scheduler's next turn (not in the sweep's time)
            print(
                f"sweep pass {step + 1}: {sweeps[-1]:.0f} ms "
                f"({result.due_soon} due soon, {result.overdue} overdue)"
            )
        for label, fn in rows:
            print_plans(label, fn)
        later = utcnow() + timedelta(hours=48)
        print_plans("sweep pass 6 (48 hours on)", lambda: overdue.sweep(later))
        print("\nthe task lists, every filter and sort (bench/task_lists.py):")
        task_lists.measure(officer, supervisor, args.runs)


if __name__ == "__main__":
    main()

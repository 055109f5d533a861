"""Benchmark: receipts at one agency with M concurrent receivers, on PostgreSQL.

Each receiver is a process of its own (as gunicorn's workers are) receiving N dossiers at the
same counter through `receive_dossier` (the queue is not used: the outbox rows stay pending).
Prints receipts per second and the receipt time p50 / p95 / max, first with the agency-day
number bumped inside the receipt's transaction (the row locked until the receipt commits, as
before issue 18), then as the service does it now (its own short transaction). Then checks
that the codes are distinct and consecutive. PostgreSQL runs with fsync and synchronous_commit
on, as a deployment does (`--fast` keeps the test server's settings, both off).
Usage: .venv/bin/python bench/receipts.py [--receivers 8] [--receipts 40] [--fast]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.dialects.postgresql import insert as pg_insert  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.models import DossierSequence, User  # noqa: E402
from app.services.core import queue  # noqa: E402
from app.services.core.actors import Actor  # noqa: E402
from app.services.dossiers import sequences  # noqa: E402
from app.services.dossiers.reception import ReceiveDossier, receive_dossier  # noqa: E402
from app.storage.db import db  # noqa: E402
from tests.support.stack import seeded_postgres  # noqa: E402

CMD = ReceiveDossier("2.000488", "cccd", "001090012345", "Nguyễn Văn An")


def locked_sequence(
    session: Session, agency_id: int, day: date, taken: sequences.Taken | None = None
) -> int:
    """The number as it was handed out before: the row stays locked until the receipt ends."""
    stmt = (
        pg_insert(DossierSequence)
        .values(agency_id=agency_id, day=day, last_value=1)
        .on_conflict_do_update(
            index_elements=["agency_id", "day"],
            set_={"last_value": DossierSequence.last_value + 1},
        )
        .returning(DossierSequence.last_value)
    )
    return int(session.execute(stmt).scalar_one())


# Set before the pool forks: a barrier is shared by inheritance, not sent with a task.
BARRIER: list = []


def receiver(args: tuple[Actor, int, bool]) -> list[float]:
    actor, count, locked = args
    db.engine.dispose(close=False)  # a forked process opens its own connections
    queue.enqueue = lambda ids, waited: None
    if locked:
        sequences.next_sequence = locked_sequence
    receive_dossier(CMD, actor)  # warm the caches (model, calendar) before timing
    BARRIER[0].wait()
    times = []
    for _ in range(count):
        t0 = time.perf_counter()
        receive_dossier(CMD, actor)
        times.append(time.perf_counter() - t0)
    return times


def run(actor: Actor, receivers: int, count: int, locked: bool) -> None:
    BARRIER[:] = [multiprocessing.get_context("fork").Barrier(receivers + 1)]
    with multiprocessing.get_context("fork").Pool(receivers) as pool:
        result = pool.map_async(receiver, [(actor, count, locked)] * receivers, 1)
        BARRIER[0].wait(timeout=300)
        t0 = time.perf_counter()
        times = sorted(t for part in result.get() for t in part)
        elapsed = time.perf_counter() - t0
    label = "locked until commit (before)" if locked else "own short transaction (now)  "
    print(
        f"{label}: {len(times) / elapsed:5.1f} receipts/s; receipt p50 "
        f"{statistics.median(times) * 1000:4.0f} ms, p95 "
        f"{times[int(len(times) * 0.95) - 1] * 1000:4.0f} ms, max {times[-1] * 1000:4.0f} ms"
    )


def check_codes(expected: int) -> None:
    with db.engine.connect() as conn:
        numbers = sorted(
            int(code.rsplit("-", 1)[1]) for code in conn.scalars(text("SELECT code FROM dossier"))
        )
    if numbers != list(range(1, expected + 1)):
        raise SystemExit(f"codes not distinct and consecutive: {len(numbers)} of {expected}")
    print(f"{expected} codes, distinct and consecutive")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--receivers", type=int, default=8)
    parser.add_argument("--receipts", type=int, default=40, help="per receiver")
    parser.add_argument("--fast", action="store_true", help="fsync and synchronous_commit off")
    args = parser.parse_args()
    with seeded_postgres() as url:
        if not args.fast:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for setting in ("fsync", "synchronous_commit", "full_page_writes"):
                    conn.execute(text(f"ALTER SYSTEM SET {setting} = on"))
                conn.execute(text("SELECT pg_reload_conf()"))
        with db.transaction() as session:
            actor = Actor.of(session.scalar(select(User).where(User.username == "tiepnhan")))
        print(
            f"{args.receivers} receivers × {args.receipts} receipts at one agency, PostgreSQL "
            f"{'fsync off' if args.fast else 'fsync and synchronous_commit on'} ({url})"
        )
        db.engine.dispose()
        for locked in (True, False):
            run(actor, args.receivers, args.receipts, locked)
        check_codes(2 * args.receivers * (args.receipts + 1))


if __name__ == "__main__":
    main()

"""Benchmark: what the outbox machinery costs a worker per delivered row (claim, mark done,
claim the dossier's next one, hand-offs), the call itself and any process resumption left out.

N dossiers (received through the services; their own calls marked done) each get a counter
dossier's 13 rows without a waiting task: 5 portal.sync_status and 4 portal.sync_progress
sharing the dossier's ordering key, 4 calls without one. Each dossier's rows are then delivered
by one `worker.jobs.deliver_outbox` job in this process, with the call answered at once (no
HTTP) and the queue a list. Prints this process's CPU per row (time.process_time) and
PostgreSQL's (its processes' user + system time from /proc), the statements and connection
check-outs (one per transaction) per row, which do not depend on the machine's load, and checks
every row is done once.
Database: a fresh SQLite file, or `--postgres`.
Usage: .venv/bin/python bench/outbox_rows.py [--n 200] [--postgres]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, select, update  # noqa: E402

import config as config_module  # noqa: E402
import worker.jobs  # noqa: E402
from app import bootstrap  # noqa: E402
from app.models import OutboxMessage, User  # noqa: E402
from app.services.core import outbox, queue  # noqa: E402
from app.services.core.actors import Actor  # noqa: E402
from app.services.dossiers.reception import ReceiveDossier, receive_dossier  # noqa: E402
from app.services.process_models.demo import seed_demo  # noqa: E402
from app.storage.db import db  # noqa: E402
from app.storage.migrate import upgrade  # noqa: E402
from bench.next_step import database  # noqa: E402
from bench.throughput_cpu import snapshot  # noqa: E402

KEYED = ["portal.sync_status"] * 5 + ["portal.sync_progress"] * 4
UNKEYED = ["portal.check_account", "portal.publish_result", "notify.sms", "notify.mail"]


def dossiers(n: int) -> list[int]:
    """N received dossiers, their own outbox rows marked done (out of the measure)."""
    with db.transaction() as session:
        actor = Actor.of(session.scalar(select(User).where(User.username == "tiepnhan")))
    for _ in range(n):
        receive_dossier(ReceiveDossier("2.000488", "cccd", "001090012345", "Nguyễn Văn An"), actor)
    with db.transaction() as session:
        session.execute(update(OutboxMessage).values(state="done"))
        return list(session.scalars(select(OutboxMessage.dossier_id).distinct()))


def add_rows(dossier_ids: list[int]) -> list[int]:
    """Each dossier's 13 rows, interleaved as a dossier's steps add them; returns the first
    row of each dossier (the one its job is handed)."""
    handed: list[int] = []
    queue.enqueue = lambda ids, waited: handed.extend(ids)
    for dossier_id in dossier_ids:
        with db.transaction() as session:
            for i, operator in enumerate(KEYED):
                key = f"dossier:{dossier_id}"
                outbox.add(session, operator, {"i": i}, dossier_id=dossier_id, ordering_key=key)
                if i < len(UNKEYED):
                    outbox.add(session, UNKEYED[i], {"i": i}, dossier_id=dossier_id)
    return handed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    logging.getLogger("rq").setLevel(logging.WARNING)
    with ExitStack() as stack:
        url = stack.enter_context(database(args.postgres))
        upgrade(url)
        folder = tempfile.mkdtemp(prefix="bench-outbox-rows-")
        overrides = {
            "DATABASE_URL": url,
            "FILE_STORE": f"{folder}/files",
            "PKI_DIR": f"{folder}/pki",
            "OUTBOX_BATCH_SECONDS": 60.0,
        }
        bootstrap.configure(type("BenchConfig", (config_module.Config,), overrides))
        seed_demo(str(ROOT / "bpmn"))
        queue.enqueue = lambda ids, waited: None
        ids = dossiers(args.n + 5)
        worker.jobs.call_operator = lambda operator, params, key, clients: {"ok": True}
        warm, measured = ids[:5], ids[5:]
        for first in add_rows(warm):  # imports, compiled statements, the pool
            worker.jobs.deliver_outbox(first)
        handed = add_rows(measured)
        counted = {"statements": 0, "transactions": 0}

        def count(kind: str):  # noqa: ANN202
            return lambda *args: counted.__setitem__(kind, counted[kind] + 1)

        event.listen(db.engine, "before_cursor_execute", count("statements"))
        event.listen(db.engine.pool, "checkout", count("transactions"))
        load = os.getloadavg()
        pg_before, cpu_before = snapshot().get("postgres", 0.0), time.process_time()
        for first in handed:
            worker.jobs.deliver_outbox(first)
        cpu = time.process_time() - cpu_before
        pg = snapshot().get("postgres", 0.0) - pg_before
        statements, transactions = counted["statements"], counted["transactions"]
        with db.transaction() as session:
            rows = session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.id >= min(handed))
            )
            undone = session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.state != "done")
            )
            attempts = session.scalar(select(func.max(OutboxMessage.attempts)))
    if undone or attempts != 1 or rows != args.n * len(KEYED + UNKEYED):
        raise SystemExit(f"{undone} rows not done, {attempts} attempts, {len(handed)} jobs")
    print(
        f"{args.n} dossiers, {rows} rows in {len(handed)} jobs,"
        f" {'PostgreSQL' if args.postgres else 'SQLite'}, load average {load[0]:.2f}"
    )
    print(f"worker CPU per row      {cpu * 1000 / rows:.2f} ms")
    print(f"statements per row      {statements / rows:.2f}")
    print(f"transactions per row    {transactions / rows:.2f}")
    if args.postgres:
        print(f"PostgreSQL CPU per row  {pg * 1000 / rows:.2f} ms")


if __name__ == "__main__":
    main()

"""Benchmark: status sync to the portal in real time, through the workers as `make run` starts
them (scripts/run.sh's `python -m worker work`: warm processes under a supervisor).

200 online dossiers each go through five statuses (1 registered, 2 received, 6 fee requested,
4 processing once paid on the portal, 3 refused once the leader approves the expert's proposed
refusal): 1,000 status changes made by the services on PostgreSQL while the worker processes
(WORKER_PROCESSES, `--workers` to choose) deliver the outbox to the portal simulator over HTTP.
Prints p50/p95 latency from the commit of each change to its receipt by the simulator (target
p95 < 200 ms in a burst), and confirms every dossier's statuses were queued by the system and
arrived once and in order (the simulator checks the order too); exits non-zero when they did not.
Usage: .venv/bin/python bench/status_sync.py [--dossiers 200] [--workers W] [--pace 0.2]
(--pace: seconds between dossiers, for a steady load instead of a burst)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from redis import Redis  # noqa: E402
from rq import Worker  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app import settings  # noqa: E402
from app.models import Dossier, OutboxMessage, User  # noqa: E402
from app.services.citizens import actions  # noqa: E402
from app.services.core.actors import Actor  # noqa: E402
from app.services.dossiers import tasks  # noqa: E402
from app.services.dossiers.reception import ReceiveDossier, receive_dossier  # noqa: E402
from app.storage.db import db  # noqa: E402
from tests.services.helpers import open_task  # noqa: E402
from tests.support.servers import _wait_port as wait_port  # noqa: E402
from tests.support.servers import free_port  # noqa: E402
from tests.support.stack import seeded_postgres  # noqa: E402

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}
# What bpmn/counter_dossier.bpmn emits on this path: start (1), reception (2), gw_fee with fee_due
# (an online dossier of 2.000488 owes its fee: 6), the payment message (4), the expert's refusal
# is only proposed and the leader's refusal_approval approves it (3).
EXPECTED = [1, 2, 6, 4, 3]


def actor(username: str) -> Actor:
    with db.transaction() as session:
        return Actor.of(session.scalar(select(User).where(User.username == username)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=200)
    parser.add_argument(
        "--workers",
        type=int,
        default=settings.current.WORKER_PROCESSES,
        help="worker processes (default: WORKER_PROCESSES, as make run)",
    )
    parser.add_argument(
        "--pace", type=float, default=0.0, help="seconds between dossiers (0: as fast as possible)"
    )
    args = parser.parse_args()
    # the portal simulator in its own process, as the real portal is elsewhere
    port = free_port()
    portal = f"http://127.0.0.1:{port}"
    simulator = subprocess.Popen(  # nosec B603 # this Python, fixed argument list
        [sys.executable, "-m", "app.integrations.simulators", "portal", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_port(port)
    with seeded_postgres(PORTAL_URL=portal, RQ_QUEUE="bench-sync") as url:
        env = {
            **os.environ,
            "APP_ENV": "development",
            "DATABASE_URL": url,
            "REDIS_URL": settings.current.REDIS_URL,
            "PORTAL_URL": portal,
            "RQ_QUEUE": "bench-sync",
            "WORKER_PROCESSES": str(args.workers),
        }
        # scripts/run.sh's worker line
        workers = subprocess.Popen(  # nosec B603 # this Python, fixed argument list
            [sys.executable, "-m", "worker", "work"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            ready(args.workers)
            run(portal, args.dossiers, args.pace)
        finally:
            workers.terminate()  # the supervisor stops its workers warm (the job in hand ends)
            workers.wait(timeout=30)
    simulator.terminate()
    simulator.wait(timeout=30)


def ready(count: int, timeout: float = 60) -> None:
    """Wait until the workers have started and listen (their start is not sync latency)."""
    connection = Redis.from_url(settings.current.REDIS_URL)
    deadline = time.time() + timeout
    while len(Worker.all(connection=connection)) < count:
        if time.time() > deadline:
            raise SystemExit("the workers did not start")
        time.sleep(0.2)


def run(portal: str, dossiers: int, pace: float) -> None:
    officer, expert, leader = actor("tiepnhan"), actor("chuyenvien"), actor("lanhdao")
    committed: dict[tuple[str, int], float] = {}
    started = time.time()
    for _ in range(dossiers):
        code = receive_dossier(
            ReceiveDossier("2.000488", "cccd", "033185004321", "Lê Thị Mai", channel="online"),
            actions.PORTAL,
        )
        committed[(code, 1)] = time.time()
        tasks.complete_task(open_task(code, "reception").id, officer, RECEPTION)
        committed[(code, 2)] = committed[(code, 6)] = time.time()
        actions.pay(code, 200_000, f"PAY-{code}")
        committed[(code, 4)] = time.time()
        tasks.complete_task(
            open_task(code, "appraisal").id,
            expert,
            {"decision": "refuse", "appraisal_note": "Không đủ điều kiện"},
        )
        tasks.complete_task(
            open_task(code, "refusal_approval").id, leader, {"refusal_decision": "approve"}
        )
        committed[(code, 3)] = time.time()
        if pace:
            time.sleep(pace)
    made = time.time() - started
    deadline = time.time() + 120
    while time.time() < deadline:
        received = requests.get(f"{portal}/_sim/received", timeout=10).json()
        if len(received) >= len(committed):
            break
        time.sleep(0.2)
    latencies, order = [], {}
    for message in received:
        key = (message["body"]["dossier_code"], message["body"]["status"])
        arrived = datetime.fromisoformat(message["received_at"]).timestamp()
        latencies.append(arrived - committed[key])
        order.setdefault(key[0], []).append(key[1])
    by_status: dict[int, list[float]] = {}
    for message in received:
        key = (message["body"]["dossier_code"], message["body"]["status"])
        arrived = datetime.fromisoformat(message["received_at"]).timestamp()
        by_status.setdefault(key[1], []).append(arrived - committed[key])
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000
    report = requests.get(f"{portal}/_sim/order", timeout=10).json()
    queued = queued_statuses()
    exact = len(order) == dossiers and all(s == EXPECTED for s in order.values())
    as_made = len(queued) == dossiers and all(s == EXPECTED for s in queued.values())
    print(
        f"{len(committed)} status changes on {dossiers} dossiers made in {made:.1f} s "
        f"({len(committed) / made:.0f} per second)"
    )
    print(f"received by the portal: {len(received)} (expected {len(committed)})")
    print(
        f"latency commit → portal: p50 {p50:.0f} ms, p95 {p95:.0f} ms "
        "(target p95 < 200 ms in a burst)"
    )
    for status, values in sorted(by_status.items()):
        values.sort()
        print(
            f"  status {status}: p50 {statistics.median(values) * 1000:.0f} ms, "
            f"p95 {values[int(len(values) * 0.95) - 1] * 1000:.0f} ms"
        )
    waits = phases()
    print(
        "where the time goes (outbox rows): created → claimed "
        f"p50 {waits['claim'][0]:.0f} ms, p95 {waits['claim'][1]:.0f} ms; claimed → done "
        f"p50 {waits['call'][0]:.0f} ms, p95 {waits['call'][1]:.0f} ms; "
        f"{waits['late']} rows claimed more than 1 s after they were made"
    )
    print(f"each dossier queued by the system as {EXPECTED}: {as_made}")
    print(f"each dossier received exactly {EXPECTED}: {exact}")
    print(f"out of order at the portal: {len(report['out_of_order'])}")
    if not (exact and as_made and len(received) == len(committed)) or report["out_of_order"]:
        raise SystemExit("FAILED: the portal did not receive every status once and in order")


def phases() -> dict:
    """p50/p95 (ms) of the status rows' wait before a worker claimed them and of their
    delivery once claimed, and how many waited more than a second (a wake-up missed)."""
    with db.transaction() as session:
        rows = session.execute(
            select(OutboxMessage.created_at, OutboxMessage.claimed_at, OutboxMessage.done_at).where(
                OutboxMessage.operator == "portal.sync_status", OutboxMessage.done_at.is_not(None)
            )
        ).all()
    claim = sorted((r.claimed_at - r.created_at).total_seconds() * 1000 for r in rows)
    call = sorted((r.done_at - r.claimed_at).total_seconds() * 1000 for r in rows)

    def p(values: list[float]) -> tuple[float, float]:
        if not values:
            return 0.0, 0.0
        return statistics.median(values), values[max(0, int(len(values) * 0.95) - 1)]

    return {"claim": p(claim), "call": p(call), "late": sum(1 for v in claim if v > 1000)}


def queued_statuses() -> dict[str, list[int]]:
    """The statuses the system queued for the portal, per dossier, in the order it made them."""
    with db.transaction() as session:
        rows = session.execute(
            select(Dossier.code, OutboxMessage.params)
            .join(Dossier, Dossier.id == OutboxMessage.dossier_id)
            .where(OutboxMessage.operator == "portal.sync_status")
            .order_by(OutboxMessage.id)
        ).all()
    queued: dict[str, list[int]] = {}
    for code, params in rows:
        queued.setdefault(code, []).append(params["status"])
    return queued


if __name__ == "__main__":
    main()

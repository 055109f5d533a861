"""What `bench/throughput.py` checks and counts: the run is correct (every dossier finished,
every portal status received once and in order, no incident, no failed job, the outbox
drained) and how much work it took (outbox rows and service jobs per dossier), and how late
the portal's statuses arrived."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any

import requests
from redis import Redis
from rq.registry import FailedJobRegistry
from sqlalchemy import func, select

from app import settings
from app.models import Dossier, Incident, OutboxMessage
from app.services.core import queue
from app.storage.db import db

# The portal statuses each path sends, in order (1 registered, 2 received, 6 fee requested,
# 4 processing, 9 result ready, 10 returned).
EXPECTED = {"counter": [1, 2, 4, 9, 10], "c1": [1, 2, 4, 9, 10], "online": [1, 2, 6, 4, 9, 10]}


class JobCounter:
    """Jobs run by the workers, from their RQ statistics in Redis (a worker's hash outlives it
    by 60 s, so one replaced after WORKER_MAX_JOBS is still counted): read every second."""

    def __init__(self) -> None:
        self.redis = Redis.from_url(settings.current.REDIS_URL)
        self.seen: dict[bytes, tuple[int, int, float]] = {}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        for key in self.redis.scan_iter("rq:worker:*", _type="hash"):
            done, failed, busy = self.redis.hmget(
                key, "successful_job_count", "failed_job_count", "total_working_time"
            )
            if done is None and failed is None:
                continue
            self.seen[key] = (int(done or 0), int(failed or 0), float(busy or 0))

    def _watch(self) -> None:
        while not self.stopping.wait(1.0):
            self._read()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join()
        self._read()

    def totals(self) -> tuple[int, int]:
        return sum(v[0] for v in self.seen.values()), sum(v[1] for v in self.seen.values())

    def busiest(self) -> tuple[str, float, int]:
        """The worker that ran longest: its name, seconds busy and jobs."""
        if not self.seen:
            return "", 0.0, 0
        key, (done, failed, busy) = max(self.seen.items(), key=lambda kv: kv[1][2])
        return key.decode().rsplit(":", 1)[-1], busy, done + failed


def wait_drained(timeout: float = 180) -> int:
    """Wait until no outbox row is pending or running; returns how many still are."""
    deadline = time.time() + timeout
    while True:
        with db.transaction() as session:
            left = session.scalar(
                select(func.count(OutboxMessage.id)).where(
                    OutboxMessage.state.in_(("pending", "running"))
                )
            )
        if not left or time.time() > deadline:
            return left
        time.sleep(0.2)


def outbox_counts(codes: list[str]) -> dict[str, float]:
    """Outbox rows of these dossiers, per dossier, by operator and in all."""
    with db.transaction() as session:
        rows = session.execute(
            select(OutboxMessage.operator, func.count(OutboxMessage.id))
            .join(Dossier, Dossier.id == OutboxMessage.dossier_id)
            .where(Dossier.code.in_(codes))
            .group_by(OutboxMessage.operator)
        ).all()
    per = {operator: count / max(len(codes), 1) for operator, count in rows}
    return dict(sorted(per.items(), key=lambda kv: -kv[1]))


def sync_lags(codes: list[str], portal_url: str) -> list[float]:
    """For each status of these dossiers the portal received: seconds from its outbox row's
    writing (in the step's transaction) to its arrival at the portal (one machine, one clock;
    both aware: the UTC columns read back with their zone).
    The syncs go to the queue taken second (`queue.names`): this is what waiting there cost."""
    received: list[dict[str, Any]] = requests.get(f"{portal_url}/_sim/received", timeout=30).json()
    wanted = set(codes)
    arrived = {
        int(m["idempotency_key"].removeprefix("outbox-")): datetime.fromisoformat(m["received_at"])
        for m in received
        if m["body"].get("dossier_code") in wanted and m["idempotency_key"].startswith("outbox-")
    }
    with db.transaction() as session:
        written = dict(
            session.execute(
                select(OutboxMessage.id, OutboxMessage.created_at).where(
                    OutboxMessage.id.in_(list(arrived))
                )
            ).all()
        )
    return [(arrived[i] - written[i]).total_seconds() for i in arrived if i in written]


def waited_calls(codes: list[str]) -> dict[str, tuple[list[float], list[float]]]:
    """Per operator of the calls a process waits for (a BPMN service task's: the row names a
    task): how long each row waited to be claimed (written → claimed; a row with an ordering
    key also waits there for the dossier's earlier syncs) and then took (claimed → done, the
    process resumed), in seconds."""
    with db.transaction() as session:
        rows = session.execute(
            select(
                OutboxMessage.operator,
                OutboxMessage.created_at,
                OutboxMessage.claimed_at,
                OutboxMessage.done_at,
            )
            .join(Dossier, Dossier.id == OutboxMessage.dossier_id)
            .where(
                Dossier.code.in_(codes),
                OutboxMessage.task_id.is_not(None),
                OutboxMessage.claimed_at.is_not(None),
                OutboxMessage.done_at.is_not(None),
            )
            .order_by(OutboxMessage.id)
        ).all()
    found: dict[str, tuple[list[float], list[float]]] = {}
    for operator, created, claimed, done in rows:
        queued, ran = found.setdefault(operator, ([], []))
        queued.append((claimed - created).total_seconds())
        ran.append((done - claimed).total_seconds())
    return found


def problems(path: str, codes: list[str], portal_url: str, expected_n: int) -> list[str]:
    """Everything wrong with the run, in words (empty: correct)."""
    found: list[str] = []
    if len(codes) != expected_n:
        found.append(f"{expected_n - len(codes)} of {expected_n} dossiers did not complete")
    with db.transaction() as session:
        unfinished = session.scalars(
            select(Dossier.code).where(
                Dossier.code.in_(codes), (Dossier.finished_at.is_(None)) | (Dossier.status != 10)
            )
        ).all()
        incidents = session.execute(select(Incident.operator, Incident.message)).all()
        stuck = session.execute(
            select(OutboxMessage.operator, OutboxMessage.state, OutboxMessage.last_error).where(
                OutboxMessage.state != "done"
            )
        ).all()
    if unfinished:
        found.append(f"{len(unfinished)} dossiers not finished with status 10: {unfinished[:5]}")
    if incidents:
        found.append(f"{len(incidents)} incidents, e.g. {incidents[:3]}")
    if stuck:
        found.append(f"{len(stuck)} outbox rows not delivered, e.g. {stuck[:3]}")
    connection = Redis.from_url(settings.current.REDIS_URL)
    failed = sum(len(FailedJobRegistry(name, connection=connection)) for name in queue.all_names())
    if failed:
        found.append(f"{failed} failed jobs (RQ's failed registry)")
    found += _portal_problems(path, codes, portal_url)
    return found


def _portal_problems(path: str, codes: list[str], portal_url: str) -> list[str]:
    received: list[dict[str, Any]] = requests.get(f"{portal_url}/_sim/received", timeout=30).json()
    statuses: dict[str, list[int]] = {}
    for message in received:
        body = message["body"]
        statuses.setdefault(body["dossier_code"], []).append(body["status"])
    wrong = {c: statuses.get(c, []) for c in codes if statuses.get(c, []) != EXPECTED[path]}
    found = []
    if wrong:
        sample = list(wrong.items())[:3]
        found.append(
            f"{len(wrong)} dossiers' portal statuses are not {EXPECTED[path]} once and in "
            f"order, e.g. {sample}"
        )
    order = requests.get(f"{portal_url}/_sim/order", timeout=30).json()
    if order["out_of_order"]:
        found.append(f"the portal saw {len(order['out_of_order'])} changes out of order")
    return found

"""What /metrics reads at scrape time (giám sát): the state the database and Redis already
hold, so that every web process answers the same and nothing is kept in memory. Each query
is a count or a minimum over a few rows, on an index made for it (outbox by state, open
incidents, open steps by agency and deadline). A part that does not answer is reported as
`gqtthc_scrape_error{source=...} 1` instead of failing the whole scrape."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from functools import lru_cache

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from redis import Redis
from sqlalchemy import func, select

from app import settings
from app.metrics import PREFIX
from app.models import Agency, HumanTask, Incident, OutboxMessage
from app.models.base import utcnow
from app.services.core import queue
from app.storage.db import db

log = logging.getLogger(__name__)
# Outbox rows not yet delivered: waiting for a worker, or in a worker's hands.
UNDELIVERED = ("pending", "running")
LAST_SWEEP_KEY = "scheduler:last-deadline-sweep"
REDIS_TIMEOUT = 1.0


def sweep_done() -> None:
    """Note that the deadline sweep just ran (its time is a metric and an alert's input)."""
    cfg = settings.current
    _redis(cfg.REDIS_URL).set(f"{cfg.RQ_QUEUE}:{LAST_SWEEP_KEY}", repr(time.time()))


@lru_cache(maxsize=4)
def _redis(url: str) -> Redis:
    return Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT)


class StateCollector(Collector):
    """The database's and Redis's gauges, read anew on each collect()."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The gauges of this scrape, and which source failed to answer it."""
        errors = GaugeMetricFamily(
            f"{PREFIX}_scrape_error",
            "1 when a source of this scrape did not answer (its gauges are then missing)",
            labels=["source"],
        )
        for source, read in (("database", _database), ("redis", _redis_state)):
            try:
                families = list(read())
            except Exception:  # noqa: BLE001 - a scrape reports the failure, never a 500
                log.warning("metrics: %s did not answer", source)
                errors.add_metric([source], 1)
                continue
            errors.add_metric([source], 0)
            yield from families
        yield errors


def _database() -> Iterator[GaugeMetricFamily]:
    now = utcnow()
    with db.transaction() as session:
        by_state = dict(
            session.execute(
                select(OutboxMessage.state, func.count())
                .where(OutboxMessage.state.in_(UNDELIVERED))
                .group_by(OutboxMessage.state)
            ).all()
        )
        oldest = session.scalar(
            select(func.min(OutboxMessage.created_at)).where(OutboxMessage.state.in_(UNDELIVERED))
        )
        incidents = session.scalar(
            select(func.count()).select_from(Incident).where(Incident.resolved_at.is_(None))
        )
        steps = session.execute(
            select(Agency.code, HumanTask.deadline_state, func.count())
            .join(Agency, Agency.id == HumanTask.agency_id)
            .where(HumanTask.state == "open")
            .group_by(Agency.code, HumanTask.deadline_state)
        ).all()
    rows = GaugeMetricFamily(
        f"{PREFIX}_outbox_rows",
        "Outbox rows not yet delivered, by state (pending: waiting; running: in a worker)",
        labels=["state"],
    )
    for state in UNDELIVERED:
        rows.add_metric([state], by_state.get(state, 0))
    yield rows
    yield GaugeMetricFamily(
        f"{PREFIX}_outbox_oldest_undelivered_age_seconds",
        "Age of the oldest outbox row not yet delivered (0 when there is none)",
        value=max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0,
    )
    yield GaugeMetricFamily(
        f"{PREFIX}_incidents_open", "Incidents not yet resolved", value=incidents or 0
    )
    open_steps = GaugeMetricFamily(
        f"{PREFIX}_steps_open",
        "Open steps (human tasks), by agency code and deadline state (on_time, due_soon, overdue)",
        labels=["agency", "deadline"],
    )
    for agency, deadline, count in steps:
        open_steps.add_metric([agency, str(deadline)], count)
    yield open_steps


def _redis_state() -> Iterator[GaugeMetricFamily]:
    cfg = settings.current
    client = _redis(cfg.REDIS_URL)
    depth = GaugeMetricFamily(
        f"{PREFIX}_rq_queue_depth", "Jobs waiting in each RQ queue", labels=["queue"]
    )
    for name in queue.all_names():
        depth.add_metric([name], client.llen(f"rq:queue:{name}"))
    yield depth
    last = client.get(f"{cfg.RQ_QUEUE}:{LAST_SWEEP_KEY}")
    if last is not None:
        yield GaugeMetricFamily(
            f"{PREFIX}_scheduler_last_sweep_timestamp_seconds",
            "When the deadline sweep last ran (Unix time); absent until it first runs",
            value=float(last),
        )

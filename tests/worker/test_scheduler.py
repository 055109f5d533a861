"""The scheduler sweeps deadlines at most once per interval, however many schedulers run."""

from __future__ import annotations

from datetime import datetime

import pytest
from redis import Redis
from sqlalchemy import select

from app.domain.status import VN_TZ
from app.models import HumanTask
from app.services.core import queue
from app.storage.db import db
from tests.services.helpers import deliver, receive
from worker import scheduler


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def overdue_count() -> int:
    with db.transaction() as session:
        return len(
            session.scalars(select(HumanTask).where(HumanTask.deadline_state == "overdue")).all()
        )


def test_deadline_sweep_runs_once_per_interval(app, actors, clock, redis_server):
    clock.set(datetime(2026, 11, 25, 9, tzinfo=VN_TZ))
    receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    clock.set(datetime(2026, 11, 26, 9, tzinfo=VN_TZ))
    scheduler.tick()
    assert overdue_count() == 1
    clock.set(datetime(2026, 11, 25, 9, tzinfo=VN_TZ))
    receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    clock.set(datetime(2026, 11, 26, 9, tzinfo=VN_TZ))
    scheduler.tick()
    assert overdue_count() == 1, "a second pass inside the interval must not run"
    Redis.from_url(redis_server.url).flushdb()
    scheduler.tick()
    assert overdue_count() == 2

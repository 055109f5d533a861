"""Fixtures shared by the screen tests."""

from __future__ import annotations

from datetime import datetime

import pytest
import requests
from sqlalchemy import select

from app.domain.status import VN_TZ
from app.models import HumanTask
from app.services.deadlines import overdue
from app.services.dossiers import tasks
from app.storage.db import db
from tests.services.helpers import deliver, receive
from tests.web import access_world


@pytest.fixture
def three_overdue(actors, clock) -> list[str]:
    """Three reception steps received Wed 25/11 09:00, one claimed, all overdue next day."""
    clock.set(datetime(2026, 11, 25, 9, tzinfo=VN_TZ))
    for _ in range(3):
        receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    with db.transaction() as session:
        ids = session.scalars(select(HumanTask.id).order_by(HumanTask.created_at)).all()
    tasks.claim_task(ids[0], actors["tiepnhan"])
    clock.set(datetime(2026, 11, 26, 9, tzinfo=VN_TZ))
    overdue.sweep()
    return ids


@pytest.fixture(scope="module")
def world(sqlite_template, redis_server, portal_url, warehouse_url, national_url, tmp_path_factory):
    """Every persona signed in once on one app and database, for a whole test module (the
    routes × personas table, the hostile walk: tests/web/access_world.py). The simulators
    start empty of what earlier modules put there (another citizen's Kho DL document would
    show on the world's pages)."""
    for url in (portal_url, warehouse_url, national_url):
        requests.post(f"{url}/_sim/reset", timeout=5).raise_for_status()
    built = access_world.build(
        sqlite_template,
        redis_server.url,
        (portal_url, warehouse_url, national_url),
        tmp_path_factory.mktemp("world"),
    )
    yield built
    access_world.close(built)

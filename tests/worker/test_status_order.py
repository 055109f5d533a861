"""Four worker processes, a slow portal, 200 dossiers: every status and step entry reaches the
portal simulator once, and each dossier's changes arrive in the order they were made (the
simulator checks the order itself)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests
from sqlalchemy import func, select

from app.models import OutboxMessage
from app.services.citizens import actions
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from app.storage.db import db
from config import ROOT
from tests.conftest import _postgres_url
from tests.services.helpers import complete
from tests.support.stack import app_environment
from tests.support.waiting import wait_until
from worker import scheduler

pytestmark = [pytest.mark.simulators, pytest.mark.fault, pytest.mark.postgres]
DOSSIERS = 200
WORKERS = 4
RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}


@pytest.fixture
def database_url(pg_server) -> str:
    """PostgreSQL, the production target: four processes write to it at once."""
    return _postgres_url(pg_server)


def run_workers(app) -> None:
    """Burst workers in parallel processes, with scheduler passes, until the outbox is empty."""
    env = app_environment(app)

    def one_round_empties_the_outbox() -> bool:
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "worker", "work", "--burst", "--simple"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(WORKERS)
        ]
        for worker in workers:
            worker.wait(timeout=120)
        scheduler.tick()
        with db.transaction() as session:
            return not session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.state != "done")
            )

    wait_until(one_round_empties_the_outbox, timeout=240, what="every outbox row delivered")


def test_two_hundred_dossiers_through_four_workers_arrive_in_order(app, actors, portal_url):
    officer, expert, leader = actors["tiepnhan"], actors["chuyenvien"], actors["lanhdao"]
    codes = []
    for _ in range(DOSSIERS):
        code = receive_dossier(
            ReceiveDossier("2.000488", "cccd", "033185004321", "Lê Thị Mai", channel="online"),
            actions.PORTAL,
        )
        complete(code, "reception", officer, RECEPTION)  # 2, then 6: the fee is due
        actions.pay(code, 200_000, f"PAY-{code}")  # 4
        complete(code, "appraisal", expert, {"decision": "refuse", "appraisal_note": "Không"})
        complete(code, "refusal_approval", leader, {"refusal_decision": "approve"})
        codes.append(code)
    # every call to the portal now takes 20 ms: the four workers overlap
    requests.post(f"{portal_url}/_sim/faults", json={"latency_ms": 20}, timeout=5)
    run_workers(app)

    statuses: dict[str, list[int]] = {}
    for message in requests.get(f"{portal_url}/_sim/received", timeout=5).json():
        statuses.setdefault(message["body"]["dossier_code"], []).append(message["body"]["status"])
    assert len(statuses) == DOSSIERS
    assert all(statuses[code] == [1, 2, 6, 4, 3] for code in codes), statuses[codes[0]]
    steps: dict[str, list[str]] = {}
    for entry in requests.get(f"{portal_url}/_sim/progress", timeout=5).json():
        steps.setdefault(entry["body"]["dossier_code"], []).append(entry["body"]["title"])
    assert all(
        steps[code] == ["Tiếp nhận hồ sơ", "Thẩm định hồ sơ", "Phê duyệt từ chối giải quyết"]
        for code in codes
    )
    report = requests.get(f"{portal_url}/_sim/order", timeout=5).json()
    assert report == {"out_of_order": [], "dossiers": DOSSIERS}

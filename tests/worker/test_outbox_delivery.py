"""The outbox through a real Redis, RQ worker and the simulators over HTTP."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from app.models import Dossier, Incident, OutboxMessage
from app.services.core import queue
from app.services.core.outbox import retry_incident
from app.storage.db import db
from tests.services.helpers import complete, open_task, receive, settle

pytestmark = [pytest.mark.fault, pytest.mark.simulators]
RECEPTION_FORM = {"components_checked": True, "original_count": 1, "copy_count": 0}


def outbox_states() -> dict[str, int]:
    with db.transaction() as session:
        rows = session.scalars(select(OutboxMessage)).all()
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    return counts


def statuses(portal_received) -> list[int]:
    return [m["body"]["status"] for m in portal_received()]


def test_rows_are_delivered_after_commit_and_the_process_resumes(actors, drain, portal_received):
    code = receive(actors["tiepnhan"])
    drain()
    assert outbox_states() == {"done": 2}
    assert statuses(portal_received) == [1]
    assert portal_received()[0]["body"]["dossier_code"] == code
    assert open_task(code, "reception") is not None


def test_crash_between_commit_and_enqueue_is_recovered_by_the_sweeper(
    actors, drain, portal_received, clock, monkeypatch
):
    def crash(ids, waited):
        raise RuntimeError("process died before enqueue")

    monkeypatch.setattr(queue, "enqueue", crash)
    code = receive(actors["tiepnhan"])
    assert outbox_states() == {"pending": 2}
    monkeypatch.setattr(queue, "enqueue", queue.rq_enqueue)  # the process is back
    settle(drain, clock, lambda: outbox_states() == {"done": 2})
    assert statuses(portal_received) == [1]
    assert open_task(code, "reception") is not None


def test_portal_outage_retries_then_raises_incidents_and_retry_completes_in_order(
    app, actors, drain, portal_received, portal_url, clock
):
    requests.post(f"{portal_url}/_sim/faults", json={"fail_next": 1000, "status": 503}, timeout=5)
    code = receive(actors["tiepnhan"])
    settle(drain, clock, lambda: outbox_states().get("incident") == 2)
    with db.transaction() as session:
        rows = session.scalars(select(OutboxMessage)).all()
        assert {r.attempts for r in rows} == {app.config["OUTBOX_MAX_ATTEMPTS"]}
        incidents = session.scalars(select(Incident).order_by(Incident.id)).all()
    assert {i.operator for i in incidents} == {"portal.sync_status", "portal.check_account"}
    assert "503" in incidents[0].message
    assert portal_received() == []

    requests.post(f"{portal_url}/_sim/faults", json={"fail_next": 0}, timeout=5)
    for incident in incidents:
        retry_incident(incident.id, actors["giamsat"])
    settle(drain, clock, lambda: outbox_states() == {"done": 2})

    complete(code, "reception", actors["tiepnhan"], RECEPTION_FORM)
    complete(
        code,
        "appraisal",
        actors["chuyenvien"],
        {"decision": "accept", "appraisal_note": "Đủ điều kiện"},
    )
    complete(
        code,
        "approval",
        actors["lanhdao"],
        {"approval_decision": "approve", "result_name": "Phiếu LLTP số 1"},
    )
    settle(drain, clock, lambda: open_task(code, "return_result") is not None)
    complete(
        code,
        "return_result",
        actors["tiepnhan"],
        {"return_method": "counter", "receiver_name": "Nguyễn Văn An"},
    )
    settle(
        drain, clock, lambda: "pending" not in outbox_states() and "running" not in outbox_states()
    )
    assert statuses(portal_received) == [1, 2, 4, 9, 10]
    keys = [m["idempotency_key"] for m in portal_received()]
    assert len(keys) == len(set(keys))
    with db.transaction() as session:
        assert session.scalar(select(Dossier.status).where(Dossier.code == code)) == 10


def test_later_statuses_wait_behind_an_undelivered_earlier_one(
    actors, drain, portal_received, portal_url, clock
):
    requests.post(f"{portal_url}/_sim/faults", json={"fail_next": 1000, "status": 503}, timeout=5)
    code = receive(actors["tiepnhan"])
    settle(drain, clock, lambda: outbox_states().get("incident") == 2)
    requests.post(f"{portal_url}/_sim/faults", json={"fail_next": 0}, timeout=5)
    with db.transaction() as session:
        check = session.scalar(select(Incident).where(Incident.operator == "portal.check_account"))
    retry_incident(check.id, actors["giamsat"])
    settle(drain, clock, lambda: open_task(code, "reception") is not None)
    complete(code, "reception", actors["tiepnhan"], RECEPTION_FORM)
    drain()
    assert portal_received() == []
    with db.transaction() as session:
        first = session.scalar(select(Incident).where(Incident.operator == "portal.sync_status"))
    retry_incident(first.id, actors["giamsat"])
    settle(drain, clock, lambda: len(portal_received()) == 3)
    assert statuses(portal_received) == [1, 2, 4]

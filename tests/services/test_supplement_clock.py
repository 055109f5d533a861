"""The supplement clock, hand-counted: pause adds the waiting time, restart counts anew."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select, update

from app.domain.status import VN_TZ, portal_time
from app.models import AuditEvent, Dossier, OutboxMessage, Procedure
from app.services.core import queue
from app.storage.db import db
from tests.services.helpers import complete, deliver, receive

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def vn(d: int, m: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, m, d, hh, mm, tzinfo=VN_TZ)


def dossier(code: str) -> Dossier:
    with db.transaction() as session:
        return session.scalar(select(Dossier).where(Dossier.code == code))


@pytest.mark.parametrize(
    ("mode", "expected_due"),
    [
        # Received Wed 25/11 09:00, 10 working days → Wed 9/12 09:00. Supplement asked Wed
        # 14:00, back Thu 26/11 10:00: 3 h that Wednesday + 3 h on Thursday = 6 h waited.
        ("pause", vn(9, 12, 17)),
        # The full 80 working hours again from Thu 26/11 10:00.
        ("restart", vn(10, 12, 10)),
    ],
)
def test_supplement_clock_pause_or_restart(actors, clock, mode, expected_due):
    with db.transaction() as session:
        session.execute(update(Procedure).values(duration_days=10, supplement_clock=mode))
    clock.set(vn(25, 11, 9))
    code = receive(actors["tiepnhan"])
    assert dossier(code).due_at == vn(9, 12, 9)
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    clock.set(vn(25, 11, 14))
    complete(
        code,
        "appraisal",
        actors["chuyenvien"],
        {"decision": "supplement", "appraisal_note": "Thiếu", "supplement_request": "Nộp bản sao"},
    )
    assert dossier(code).clock_paused_at == vn(25, 11, 14)
    clock.set(vn(26, 11, 10))
    complete(code, "receive_supplement", actors["tiepnhan"], {"supplement_received": True})
    resumed = dossier(code)
    assert resumed.status == 4 and resumed.clock_paused_at is None
    assert resumed.due_at == expected_due
    with db.transaction() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.kind == "clock_resumed"))
        last_sync = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.operator == "portal.sync_status")
            .order_by(OutboxMessage.id.desc())
        ).first()
    assert event.data["waited_hours"] == 6.0 and event.data["mode"] == mode
    assert last_sync.params["status"] == 4 and last_sync.params["due_at"] == portal_time(
        expected_due
    )


def test_refusal_while_waiting_leaves_the_due_time_alone(actors, clock):
    clock.set(vn(25, 11, 9))
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    complete(code, "appraisal", actors["chuyenvien"], {"decision": "refuse", "appraisal_note": "x"})
    complete(code, "refusal_approval", actors["lanhdao"], {"refusal_decision": "approve"})
    refused = dossier(code)
    assert (
        refused.status == 3 and refused.clock_paused_at is None and refused.due_at == vn(9, 12, 9)
    )

"""Timers fire once from the index; late service results for cancelled tasks are dropped; a
result for a call that is not running is refused."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import AuditEvent, Dossier, HumanTask, OutboxMessage, ProcessInstance
from app.models.base import utcnow
from app.services.core import queue
from app.services.core.errors import Conflict, NotFound
from app.services.core.outbox import claim
from app.services.dossiers import service_calls
from app.services.dossiers.timers import fire_due_timers
from app.storage.db import db
from tests.services.helpers import (
    PORTAL_ACCOUNT,
    complete,
    deliver,
    open_task,
    receive,
    use_test_model,
)

RECEPTION_FORM = {"components_checked": True, "original_count": 1, "copy_count": 0}


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def awaiting_supplement(actors, wait: str) -> str:
    code = receive(actors["tiepnhan"], supplement_wait=wait)
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION_FORM)
    complete(
        code,
        "appraisal",
        actors["chuyenvien"],
        {
            "decision": "supplement",
            "appraisal_note": "Thiếu tờ khai",
            "supplement_request": "Nộp tờ khai",
        },
    )
    return code


def test_supplement_deadline_refuses_the_dossier_and_cancels_the_waiting_task(actors, clock):
    clock.freeze()
    code = awaiting_supplement(actors, "PT1H")
    waiting = open_task(code, "receive_supplement")
    with db.transaction() as session:
        assert session.get(ProcessInstance, waiting.instance_id).next_timer_at is not None
    clock.advance(3599)
    assert fire_due_timers() == 0
    clock.advance(2)
    assert fire_due_timers() == 1
    assert fire_due_timers() == 0
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        instance = session.get(ProcessInstance, waiting.instance_id)
        assert (
            dossier.status == 3
            and instance.status == "completed"
            and instance.next_timer_at is None
        )
        assert session.get(HumanTask, waiting.id).state == "cancelled"


def test_timers_fired_from_two_schedulers_at_once_fire_once(actors, clock):
    clock.freeze()
    awaiting_supplement(actors, "PT1H")
    clock.advance(3601)
    counts: list[int] = []
    threads = [threading.Thread(target=lambda: counts.append(fire_due_timers())) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == 1
    with db.transaction() as session:
        assert (
            len(session.scalars(select(AuditEvent).where(AuditEvent.kind == "timer_fired")).all())
            == 1
        )


def test_supplement_in_time_returns_the_dossier_to_processing(actors):
    code = awaiting_supplement(actors, "P30D")
    complete(code, "receive_supplement", actors["tiepnhan"], {"supplement_received": True})
    with db.transaction() as session:
        assert session.scalar(select(Dossier.status).where(Dossier.code == code)) == 4
        instance = session.scalar(select(ProcessInstance))
        # The supplement deadline is gone; what waits now is the appraisal's 3-day escalation.
        assert instance.next_timer_at > utcnow() + timedelta(days=2)
    assert open_task(code, "appraisal") is not None


def test_late_result_for_a_task_cancelled_by_its_timer_is_discarded(actors, clock):
    clock.freeze()
    use_test_model("late_call")
    receive(actors["tiepnhan"])
    with db.transaction() as session:
        row = session.scalar(
            select(OutboxMessage).where(OutboxMessage.operator == "warehouse.list_documents")
        )
    claimed = claim(row.id)
    assert fire_due_timers() == 0
    clock.advance(0.4)  # the model's timer: PT0.3S
    assert fire_due_timers() == 1
    assert service_calls.complete_service_call(claimed.id, {"documents": []}) == "discarded"
    with db.transaction() as session:
        kinds = session.scalars(select(AuditEvent.kind).order_by(AuditEvent.id)).all()
        assert kinds[-1] == "late_result_discarded"
        assert session.get(OutboxMessage, row.id).state == "done"
        assert [t.element_id for t in session.scalars(select(HumanTask))] == ["timed_out"]


def test_a_result_for_a_call_not_running_is_refused_and_changes_nothing(actors):
    receive(actors["tiepnhan"])
    with db.transaction() as session:
        call = session.scalar(
            select(OutboxMessage).where(OutboxMessage.operator == "portal.check_account")
        )
    with pytest.raises(Conflict):  # still pending: no worker claimed it
        service_calls.complete_service_call(call.id, {"exists": True})
    with pytest.raises(NotFound):
        service_calls.complete_service_call(call.id + 1000, {"exists": True})
    assert claim(call.id) is not None
    answer = {"exists": True, "account": PORTAL_ACCOUNT}
    assert service_calls.complete_service_call(call.id, answer) == "resumed"
    with pytest.raises(Conflict):  # delivered twice: the second result is refused
        service_calls.complete_service_call(call.id, {"exists": False})
    with db.transaction() as session:
        done = session.get(OutboxMessage, call.id)
        assert done.state == "done" and done.result == answer
        assert done.done_at is not None and done.last_error is None

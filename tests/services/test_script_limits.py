"""A script over its hard limits, wherever it runs: a located 422 on an officer's completion,
an incident on a service step or a timer's path; the process that ran it keeps serving.

The `bomb` model asks on its first task which path to take: `task` runs `while True: pass`
in the completion, `service` runs `9 ** 9 ** 9` when the warehouse answers, `timer` runs
`'a' * 10 ** 10` when a 0.2 s boundary timer fires; any other answer ends normally.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from app.models import AuditEvent, Incident, OutboxMessage, ProcessInstance
from app.services.core import queue
from app.services.core.errors import InvalidInput
from app.services.core.outbox import retry_incident
from app.services.dossiers.timers import fire_due_timers
from app.storage.db import db
from tests.services.helpers import complete, open_task, receive, use_test_model
from worker import jobs


@pytest.fixture(autouse=True)
def bomb_model(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)
    use_test_model("bomb")


def test_a_completion_whose_script_never_ends_is_refused_with_the_element_and_the_limit(actors):
    officer = actors["tiepnhan"]
    code = receive(officer)
    with pytest.raises(InvalidInput) as refused:
        complete(code, "choose", officer, {"path": "task"})
    assert refused.value.status == 422
    assert "bomb_task" in refused.value.message
    assert "Kịch bản chạy quá" in refused.value.message and "bước" in refused.value.message
    # nothing was saved: the task still waits, and the next completion goes through
    assert open_task(code, "choose") is not None
    complete(code, "choose", officer, {"path": ""})
    with db.transaction() as session:
        assert session.scalar(select(ProcessInstance.status)) == "completed"


def test_the_endless_script_stops_within_about_a_second_of_cpu(actors):
    officer = actors["tiepnhan"]
    code = receive(officer)
    started = time.thread_time()
    with pytest.raises(InvalidInput):
        complete(code, "choose", officer, {"path": "task"})
    assert time.thread_time() - started < 2.0


def test_a_service_result_that_trips_a_limit_becomes_an_incident_and_the_worker_goes_on(
    actors, monkeypatch
):
    monkeypatch.setattr(jobs, "call_operator", lambda *args: {"documents": []})
    officer = actors["tiepnhan"]
    code = receive(officer)
    complete(code, "choose", officer, {"path": "service"})
    with db.transaction() as session:
        call_id = session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.operator == "warehouse.list_documents")
        )
    assert jobs.deliver_outbox(call_id) == "incident"
    with db.transaction() as session:
        incident = session.scalar(select(Incident))
        assert incident.outbox_id == call_id
        assert "bomb_call" in incident.message and "4,096" in incident.message
    # the same worker serves the next dossier
    other = receive(officer)
    complete(other, "choose", officer, {"path": ""})
    assert open_task(other, "choose") is None


def test_a_timer_path_that_trips_a_limit_is_an_incident_not_a_scheduler_crash(actors, clock):
    officer = actors["tiepnhan"]
    clock.freeze()
    code = receive(officer)
    complete(code, "choose", officer, {"path": "timer"})
    assert fire_due_timers() == 0
    with db.transaction() as session:
        assert session.scalar(select(Incident)) is None  # not due yet: nothing ran
    clock.advance(0.3)  # the model's timer: PT0.2S
    assert fire_due_timers() == 0
    with db.transaction() as session:
        incident = session.scalar(select(Incident))
        assert "bomb_timer" in incident.message and "1,000,000" in incident.message
        instance = session.scalar(select(ProcessInstance))
        # the failing timer is not retried on every pass of the scheduler
        assert instance.next_timer_at is None
        assert session.scalar(select(AuditEvent.kind).order_by(AuditEvent.id.desc())) == (
            "incident_raised"
        )
    assert fire_due_timers() == 0
    assert open_task(code, "wait") is not None


def test_retrying_a_timer_incident_fires_the_timer_again(actors, clock):
    officer = actors["tiepnhan"]
    clock.freeze()
    code = receive(officer)
    complete(code, "choose", officer, {"path": "timer"})
    clock.advance(0.3)  # the model's timer: PT0.2S
    fire_due_timers()
    with db.transaction() as session:
        incident_id = session.scalar(select(Incident.id))
    retry_incident(incident_id, actors["giamsat"])
    with db.transaction() as session:
        assert session.scalar(select(ProcessInstance.next_timer_at)) is not None
    assert fire_due_timers() == 0
    with db.transaction() as session:
        assert len(session.scalars(select(Incident)).all()) == 2

"""Escalation from the model: the appraisal timer returns the step to its pool, raises its
priority and tells the officer and the leaders; the dossier then goes on normally."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from app.models import AuditEvent, HumanTask
from app.services import queue, tasks
from app.services.escalation import parse_actions
from app.services.timers import fire_due_timers
from app.storage.db import db
from tests.services.helpers import complete, deliver, notices_of, open_task, receive

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}


@pytest.fixture(autouse=True)
def no_queue(app):
    queue.enqueue = lambda ids: None


def test_appraisal_overrun_escalates_and_the_dossier_goes_on(actors):
    code = receive(actors["tiepnhan"], appraisal_escalation="PT0.3S")
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    step = open_task(code, "appraisal")
    tasks.claim_task(step.id, actors["chuyenvien"])
    time.sleep(0.4)
    assert fire_due_timers() == 1
    with db.transaction() as session:
        escalated = session.get(HumanTask, step.id)
        event = session.scalar(select(AuditEvent).where(AuditEvent.kind == "escalated"))
    assert (escalated.state, escalated.assignee_id, escalated.priority) == ("open", None, 1)
    assert event.data["actions"] == ["notify_leader", "release_to_pool", "raise_priority"]
    assert any("trả về nhóm" in m for m in notices_of("chuyenvien"))
    assert any(f"Hồ sơ {code}: «Thẩm định hồ sơ» cần đôn đốc" in m for m in notices_of("lanhdao"))
    complete(code, "appraisal", actors["chuyenvien"], {"decision": "refuse", "appraisal_note": "x"})
    assert open_task(code, "appraisal") is None


def test_unknown_escalation_actions_are_reported_not_run():
    assert parse_actions("notify_leader, fire_everyone") == (["notify_leader"], ["fire_everyone"])

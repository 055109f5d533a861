"""Escalation from the model: the appraisal timer returns the step to its pool, raises its
priority and tells the officer and the leaders; the dossier then goes on normally."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import AuditEvent, HumanTask
from app.services.core import queue
from app.services.deadlines.escalation import parse_actions
from app.services.dossiers import tasks
from app.services.dossiers.timers import fire_due_timers
from app.storage.db import db
from tests.services.helpers import complete, deliver, notices_of, open_task, receive

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def test_appraisal_overrun_escalates_and_the_dossier_goes_on(actors, clock):
    clock.freeze()
    code = receive(actors["tiepnhan"], appraisal_escalation="PT1H")
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    step = open_task(code, "appraisal")
    tasks.claim_task(step.id, actors["chuyenvien"])
    clock.advance(3599)
    assert fire_due_timers() == 0
    clock.advance(2)
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


def _vn(day: int, month: int, hour: int, minute: int = 0):
    from datetime import datetime

    from app.domain.status import VN_TZ

    return datetime(2026, month, day, hour, minute, tzinfo=VN_TZ)


def test_escalation_counts_working_time_on_the_project_clock(actors, clock):
    """One working day from Friday 15:00 is Monday 15:00 (2 h on Friday, 4.5 h Monday morning,
    1.5 h after lunch); the weekend does not count. The engine's timers read the same clock as
    the deadlines, so the timer is exercised on a frozen clock."""
    clock.set(_vn(6, 3, 15))  # Friday 6 March 2026
    code = receive(actors["tiepnhan"], appraisal_escalation=1)
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    step = open_task(code, "appraisal")
    clock.set(_vn(8, 3, 23))  # Sunday night: a calendar day and more has passed
    assert fire_due_timers() == 0
    clock.set(_vn(9, 3, 14, 59))  # Monday, one minute before
    assert fire_due_timers() == 0
    clock.set(_vn(9, 3, 15, 1))
    assert fire_due_timers() == 1
    with db.transaction() as session:
        escalated = session.get(HumanTask, step.id)
        event = session.scalar(select(AuditEvent).where(AuditEvent.kind == "timer_fired"))
    assert escalated.priority == 1 and escalated.state == "open"
    assert event.data["due"].startswith("2026-03-09T08:00")  # 15:00 in Vietnam, in UTC


def test_a_day_off_set_by_the_administrator_moves_the_escalation(actors, clock, app):
    from app.services.core import calendars

    clock.set(_vn(6, 3, 15))
    calendars.add_override(2026, date_of(9, 3), "day_off", "Nghỉ bù (thử)", actors["quantri"])
    code = receive(actors["tiepnhan"], appraisal_escalation=1)
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    clock.set(_vn(9, 3, 15, 1))  # Monday is off now: the timer waits for Tuesday 15:00
    assert fire_due_timers() == 0
    clock.set(_vn(10, 3, 15, 1))
    assert fire_due_timers() == 1


def date_of(day: int, month: int):
    from datetime import date

    return date(2026, month, day)

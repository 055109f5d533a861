"""The deadline sweep marks steps once, from the index; outcomes are recorded on completion."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.domain.status import VN_TZ
from app.models import AuditEvent, Dossier, HumanTask
from app.services.core import queue
from app.services.deadlines import overdue
from app.storage.db import db
from tests.services.helpers import complete, deliver, open_task, receive

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def vn(d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 11, d, hh, mm, tzinfo=VN_TZ)


def reception_task(actors, clock) -> HumanTask:
    # Received Wed 25/11 09:00; the reception step lasts 0.5 working day (4 h): 2.5 h before
    # lunch, 1.5 h after → due 15:00; due soon when 0.8 h remain → 14:12.
    clock.set(vn(25, 9))
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    return open_task(code, "reception")


def state_of(task_id: str) -> str:
    with db.transaction() as session:
        return session.get(HumanTask, task_id).deadline_state


def test_steps_become_due_soon_then_overdue_once(actors, clock):
    task = reception_task(actors, clock)
    assert (task.due_at, task.due_soon_at) == (vn(25, 15), vn(25, 14, 12))
    assert overdue.sweep(vn(25, 11)) == overdue.SweepResult(0, 0)
    assert overdue.sweep(vn(25, 14, 10)) == overdue.SweepResult(0, 0)
    assert overdue.sweep(vn(25, 14, 15)) == overdue.SweepResult(1, 0)
    assert state_of(task.id) == "due_soon"
    assert overdue.sweep(vn(25, 14, 30)) == overdue.SweepResult(0, 0)
    assert overdue.sweep(vn(25, 15)) == overdue.SweepResult(0, 1)
    assert overdue.sweep(vn(25, 16)) == overdue.SweepResult(0, 0)
    with db.transaction() as session:
        kinds = session.scalars(
            select(AuditEvent.kind).where(AuditEvent.task_id == task.id).order_by(AuditEvent.id)
        ).all()
    assert kinds[-2:] == ["task_due_soon", "task_overdue"]


def test_two_schedulers_sweeping_at_once_mark_each_step_once(actors, clock):
    tasks = [reception_task(actors, clock) for _ in range(4)]
    results: list[overdue.SweepResult] = []
    threads = [
        threading.Thread(target=lambda: results.append(overdue.sweep(vn(25, 16)))) for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.overdue for r in results) == 4
    assert {state_of(t.id) for t in tasks} == {"overdue"}


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        (vn(25, 10), "on_time"),
        (vn(25, 15, 5), "late"),
    ],
)
def test_completion_records_the_step_outcome(actors, clock, finished, expected):
    task = reception_task(actors, clock)
    clock.set(finished)
    complete(_code(task), "reception", actors["tiepnhan"], RECEPTION)
    with db.transaction() as session:
        assert session.get(HumanTask, task.id).outcome == expected


def _code(task: HumanTask) -> str:
    with db.transaction() as session:
        return session.get(Dossier, task.dossier_id).code


def test_a_long_step_finished_a_day_early_is_early(actors, clock):
    task = reception_task(actors, clock)
    complete(_code(task), "reception", actors["tiepnhan"], RECEPTION)
    appraisal = open_task(_code(task), "appraisal")
    assert appraisal.due_at.astimezone(VN_TZ).date() > vn(25, 9).date()
    complete(
        _code(task),
        "appraisal",
        actors["chuyenvien"],
        {"decision": "refuse", "appraisal_note": "x"},
    )
    complete(_code(task), "refusal_approval", actors["lanhdao"], {"refusal_decision": "approve"})
    with db.transaction() as session:
        assert session.get(HumanTask, appraisal.id).outcome == "early"
        dossier = session.get(Dossier, task.dossier_id)
        assert dossier.outcome == "early" and dossier.finished_at == vn(25, 9)


def test_a_mass_deadline_change_sends_one_summary_per_officer(actors, clock):
    from sqlalchemy import update

    from app.models import Notification, User

    clock.set(vn(25, 9))
    codes = [receive(actors["tiepnhan"]) for _ in range(overdue.DIGEST_AFTER + 2)]
    deliver("portal.check_account", {"exists": True})
    with db.transaction() as session:
        session.execute(
            update(HumanTask)
            .where(HumanTask.element_id == "reception")
            .values(assignee_id=actors["tiepnhan"].id)
        )
    clock.set(vn(27, 9))
    result = overdue.sweep()
    assert result.overdue == len(codes)
    with db.transaction() as session:
        officer = session.scalars(
            select(Notification.kind).where(Notification.user_id == actors["tiepnhan"].id)
        ).all()
        leader_id = session.scalar(select(User.id).where(User.username == "lanhdao"))
        leader = session.scalars(
            select(Notification.message).where(Notification.user_id == leader_id)
        ).all()
    assert officer == ["task_overdue_digest"]
    assert leader == [f"{len(codes)} bước xử lý đã quá hạn; xem danh sách công việc"]
    # every step is still audited one by one
    with db.transaction() as session:
        audited = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "task_overdue")
        )
    assert audited == len(codes)

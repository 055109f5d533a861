"""Claiming and completing tasks; stale and concurrent completions are conflicts."""

from __future__ import annotations

import contextlib
import threading

import pytest
from sqlalchemy import func, select

from app.models import (
    AuditEvent,
    Dossier,
    HumanTask,
    OutboxMessage,
    ProcessInstance,
    User,
    UserRole,
)
from app.services.core import queue
from app.services.core.actors import Actor
from app.services.core.errors import Conflict, Forbidden, InvalidInput
from app.services.dossiers import tasks
from app.storage.db import db
from tests.services.helpers import complete, deliver, open_task, receive

RECEPTION_FORM = {"components_checked": True, "original_count": 1, "copy_count": 0}


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def at_reception(actors) -> str:
    code = receive(actors["tiepnhan"])
    assert deliver("portal.check_account", {"exists": True, "account": {}}) == ["resumed"]
    return code


def test_account_check_result_creates_the_reception_task_for_the_reception_pool(actors):
    code = at_reception(actors)
    task = open_task(code, "reception")
    assert task.role == "reception" and task.assignee_id is None and task.due_at is not None


def test_claim_then_someone_else_cannot_claim(actors, app):
    code = at_reception(actors)
    task = open_task(code, "reception")
    tasks.claim_task(task.id, actors["tiepnhan"])
    with db.transaction() as session:
        other = session.scalar(select(User).where(User.username == "quantri"))
        other.roles.append(UserRole(role="reception", agency_id=task.agency_id))
        session.flush()
        other_actor = Actor.of(other)
    with pytest.raises(Conflict):
        tasks.claim_task(task.id, other_actor)
    with pytest.raises(Conflict):
        tasks.complete_task(task.id, other_actor, RECEPTION_FORM)
    tasks.unclaim_task(task.id, actors["tiepnhan"])
    tasks.claim_task(task.id, other_actor)


def test_wrong_role_cannot_claim_or_complete(actors):
    code = at_reception(actors)
    task = open_task(code, "reception")
    with pytest.raises(Forbidden):
        tasks.claim_task(task.id, actors["chuyenvien"])
    assert claims_of(task.id) == (None, 0)  # the refused claim took nothing and left no event
    with pytest.raises(Forbidden):
        tasks.complete_task(task.id, actors["chuyenvien"], RECEPTION_FORM)
    # the same claim and completion by the reception role go through
    tasks.claim_task(task.id, actors["tiepnhan"])
    tasks.complete_task(task.id, actors["tiepnhan"], RECEPTION_FORM)
    assert open_task(code, "reception") is None


def test_invalid_form_is_refused_per_field_and_changes_nothing(actors):
    code = at_reception(actors)
    task = open_task(code, "reception")
    with db.transaction() as session:
        before = session.get(ProcessInstance, task.instance_id).version
    with pytest.raises(InvalidInput) as err:
        tasks.complete_task(
            task.id, actors["tiepnhan"], {"components_checked": False, "original_count": -1}
        )
    assert set(err.value.fields) == {"components_checked", "original_count", "copy_count"}
    with db.transaction() as session:
        assert session.get(ProcessInstance, task.instance_id).version == before
        assert session.get(HumanTask, task.id).state == "open"


def test_conditional_requirement_supplement_needs_its_request_text(actors):
    code = at_reception(actors)
    complete(code, "reception", actors["tiepnhan"], RECEPTION_FORM)
    task = open_task(code, "appraisal")
    with pytest.raises(InvalidInput) as err:
        tasks.complete_task(
            task.id, actors["chuyenvien"], {"decision": "supplement", "appraisal_note": "x"}
        )
    assert "supplement_request" in err.value.fields


def test_completion_moves_the_dossier_on_and_queues_status_syncs_in_order(actors):
    code = at_reception(actors)
    complete(code, "reception", actors["tiepnhan"], RECEPTION_FORM)
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        statuses = [
            r.params["status"]
            for r in session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.operator == "portal.sync_status")
                .order_by(OutboxMessage.id)
            )
        ]
        completed = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "task_completed")
        ).all()
    assert dossier.status == 4 and statuses == [1, 2, 4]
    assert (
        completed[0].actor_name == "Nguyễn Thị Hoa"
        and completed[0].data["form"]["original_count"] == 1
    )
    assert open_task(code, "appraisal") is not None


def race_to_claim(task_id: str, claimants: list, monkeypatch) -> list[str]:
    """Each claimant claims the step in its own thread; both read the step before either
    writes, where the database lets them (PostgreSQL; SQLite serialises the writers, so the
    barrier gives way after its timeout). Returns their outcomes."""
    barrier = threading.Barrier(len(claimants), timeout=2)
    check = tasks._check_open

    def read_then_wait(*args) -> None:  # noqa: ANN002
        check(*args)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()

    monkeypatch.setattr(tasks, "_check_open", read_then_wait)
    outcomes: list[str] = []

    def work(actor) -> None:  # noqa: ANN001
        try:
            tasks.claim_task(task_id, actor)
            outcomes.append(f"ok {actor.name}")
        except Conflict:
            outcomes.append(f"conflict {actor.name}")

    threads = [threading.Thread(target=work, args=(actor,)) for actor in claimants]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def claims_of(task_id: str) -> tuple[int | None, int]:
    """Who holds the step, and how many claims the dossier's history records for it."""
    with db.transaction() as session:
        holder = session.scalar(select(HumanTask.assignee_id).where(HumanTask.id == task_id))
        claims = session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.task_id == task_id, AuditEvent.kind == "task_claimed"
            )
        )
    return holder, claims


def test_two_officers_claiming_at_once_one_gets_the_step_the_other_a_conflict(actors, monkeypatch):
    code = at_reception(actors)
    task = open_task(code, "reception")
    with db.transaction() as session:
        other = session.scalar(select(User).where(User.username == "quantri"))
        other.roles.append(UserRole(role="reception", agency_id=task.agency_id))
        session.flush()
        rival = Actor.of(other)
    outcomes = race_to_claim(task.id, [actors["tiepnhan"], rival], monkeypatch)
    assert sorted(o.split()[0] for o in outcomes) == ["conflict", "ok"]
    winner = next(o for o in outcomes if o.startswith("ok")).split(" ", 1)[1]
    holder, claims = claims_of(task.id)
    assert holder == {a.name: a.id for a in (actors["tiepnhan"], rival)}[winner]
    assert claims == 1


def test_the_same_claim_sent_twice_at_once_takes_the_step_once(actors, monkeypatch):
    code = at_reception(actors)
    task = open_task(code, "reception")
    officer = actors["tiepnhan"]
    outcomes = race_to_claim(task.id, [officer, officer], monkeypatch)
    assert outcomes == [f"ok {officer.name}"] * 2
    assert claims_of(task.id) == (officer.id, 1)


def test_claiming_a_finished_step_is_a_conflict_and_changes_nothing(actors):
    code = at_reception(actors)
    task = open_task(code, "reception")
    tasks.complete_task(task.id, actors["tiepnhan"], RECEPTION_FORM)
    with pytest.raises(Conflict):
        tasks.claim_task(task.id, actors["tiepnhan"])
    assert claims_of(task.id)[1] == 0


def test_completing_a_finished_task_is_a_conflict(actors):
    code = at_reception(actors)
    task = open_task(code, "reception")
    tasks.complete_task(task.id, actors["tiepnhan"], RECEPTION_FORM)
    with pytest.raises(Conflict):
        tasks.complete_task(task.id, actors["tiepnhan"], RECEPTION_FORM)


def race_to_complete(task_id: str, actor) -> list[str]:
    """Two threads submit the same task at the same instant; returns their outcomes."""
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def work() -> None:
        barrier.wait()
        try:
            tasks.complete_task(task_id, actor, RECEPTION_FORM)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_two_concurrent_completions_exactly_one_wins(actors):
    for _ in range(3):
        code = at_reception(actors)
        task = open_task(code, "reception")
        assert sorted(race_to_complete(task.id, actors["tiepnhan"])) == ["conflict", "ok"]
        with db.transaction() as session:
            appraisals = session.scalars(
                select(HumanTask).where(
                    HumanTask.dossier_id == task.dossier_id, HumanTask.element_id == "appraisal"
                )
            ).all()
        assert len(appraisals) == 1


def test_a_repeated_status_is_not_synced_twice(actors):
    code = at_reception(actors)
    complete(code, "reception", actors["tiepnhan"], RECEPTION_FORM)
    complete(
        code, "appraisal", actors["chuyenvien"], {"decision": "accept", "appraisal_note": "ok"}
    )
    complete(code, "approval", actors["lanhdao"], {"approval_decision": "return"})
    assert open_task(code, "appraisal") is not None
    with db.transaction() as session:
        statuses = [
            r.params["status"]
            for r in session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.operator == "portal.sync_status")
                .order_by(OutboxMessage.id)
            )
        ]
        changes = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "status_changed").order_by(AuditEvent.id)
        ).all()
    assert statuses == [1, 2, 4]
    assert [(e.data["previous"], e.data["status"]) for e in changes] == [(0, 1), (1, 2), (2, 4)]

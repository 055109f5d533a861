"""Saved filters belong to one officer and one list; a nudge carries a bounded message that is
sent and audited; a bulk reassignment checks every step on its own and reports per step."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import AuditEvent, HumanTask, SavedFilter, User, UserRole
from app.services.core import queue
from app.services.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.services.deadlines import handover
from app.services.dossiers import saved_filters
from app.storage.db import db
from tests.services.helpers import notices_of


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def test_a_saved_filter_is_listed_for_its_owner_and_list_only(actors):
    officer = actors["tiepnhan"]
    saved = saved_filters.save_filter("inbox", "Quá hạn", "state=overdue&q=B%C3%ACnh", officer)
    assert saved_filters.saved_filters("inbox", officer) == [saved]
    assert saved.query == "state=overdue&q=B%C3%ACnh"
    assert saved_filters.saved_filters("inbox", actors["chuyenvien"]) == []
    assert saved_filters.saved_filters("supervisor", actors["giamsat"]) == []


def test_the_supervisors_list_keeps_filters_for_supervisors_only(actors):
    saved_filters.save_filter("supervisor", "Quá hạn", "state=overdue", actors["giamsat"])
    with pytest.raises(Forbidden):
        saved_filters.save_filter("supervisor", "x", "state=overdue", actors["tiepnhan"])
    with pytest.raises(InvalidInput):
        saved_filters.save_filter("admin", "x", "", actors["tiepnhan"])


def test_another_officers_saved_filter_cannot_be_deleted(actors):
    saved = saved_filters.save_filter("inbox", "Của tôi", "state=overdue", actors["tiepnhan"])
    with pytest.raises(NotFound):
        saved_filters.delete_filter(saved.id, actors["chuyenvien"])
    with pytest.raises(NotFound):
        saved_filters.delete_filter(saved.id + 1000, actors["tiepnhan"])
    assert saved_filters.delete_filter(saved.id, actors["tiepnhan"]) == "inbox"
    assert saved_filters.saved_filters("inbox", actors["tiepnhan"]) == []


def test_a_duplicate_name_is_refused_per_officer_and_list(actors):
    saved_filters.save_filter("inbox", "Quá hạn", "state=overdue", actors["tiepnhan"])
    with pytest.raises(Conflict):
        saved_filters.save_filter("inbox", "  Quá   hạn ", "state=due_soon", actors["tiepnhan"])
    saved_filters.save_filter("inbox", "Quá hạn", "state=overdue", actors["chuyenvien"])
    saved_filters.save_filter("supervisor", "Quá hạn", "state=overdue", actors["giamsat"])
    saved_filters.save_filter("inbox", "Quá hạn", "state=overdue", actors["giamsat"])


@pytest.mark.parametrize(
    "query",
    [
        "q=" + "x" * 1000,  # over the length limit
        "state=overdue&state=due_soon",  # a key twice
        "page=3",  # not a filter
        "evil=1",
        "state",  # not key=value
        "q=%00",  # a control character
        "a=1&" * 20,
    ],
)
def test_a_huge_or_malformed_query_is_refused(actors, query):
    with pytest.raises(InvalidInput):
        saved_filters.save_filter("inbox", "x", query, actors["tiepnhan"])
    with db.transaction() as session:
        assert session.scalar(select(SavedFilter.id)) is None


@pytest.mark.parametrize("name", ["", "   ", "x" * 81, "a\x00b", "a\u200bb\x7f"])
def test_a_blank_long_or_unprintable_name_is_refused(actors, name):
    with pytest.raises(InvalidInput):
        saved_filters.save_filter("inbox", name, "", actors["tiepnhan"])


def test_a_name_with_markup_is_kept_as_text(actors):
    name = '<script>alert("x")</script>'
    saved = saved_filters.save_filter("inbox", name, "", actors["tiepnhan"])
    assert saved.name == name  # escaped where shown (tests/web/test_task_list_screens.py)


def test_a_nudge_needs_a_message_within_bounds(actors, three_overdue):
    claimed = three_overdue[0]
    for message in ("", "   ", "x" * 501, "bad\x00byte"):
        with pytest.raises(InvalidInput):
            handover.nudge(claimed, actors["giamsat"], message)
    assert not [m for m in notices_of("tiepnhan") if "nhắc xử lý" in m]


def test_a_nudge_sends_and_audits_its_message(actors, three_overdue):
    claimed = three_overdue[0]
    assert handover.nudge(claimed, actors["giamsat"], "  Hồ sơ của bà Bình, xử lý gấp  ") == 1
    nudges = [m for m in notices_of("tiepnhan") if "nhắc xử lý" in m]
    assert nudges and nudges[-1].endswith(": Hồ sơ của bà Bình, xử lý gấp")
    with db.transaction() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.kind == "task_nudged"))
        assert event.data["message"] == "Hồ sơ của bà Bình, xử lý gấp"


def test_a_nudge_outside_the_supervisors_scope_is_not_found(actors, three_overdue):
    with pytest.raises(Forbidden):
        handover.nudge(three_overdue[0], actors["tiepnhan"], "nhắc")
    with pytest.raises(NotFound):
        handover.nudge("no-such-task", actors["giamsat"], "nhắc")


@pytest.fixture
def second_receiver(actors) -> int:
    """Another reception officer of the Sở Tư pháp (the administrator, given the role)."""
    with db.transaction() as session:
        admin = session.scalar(select(User).where(User.username == "quantri"))
        admin.roles.append(UserRole(role="reception", agency_id=admin.agency_id))
        session.flush()
        return admin.id


def test_bulk_reassign_hands_every_step_over_with_the_reason(
    actors, three_overdue, second_receiver
):
    outcomes = handover.reassign_tasks(
        three_overdue, second_receiver, "Cán bộ nghỉ phép", actors["giamsat"]
    )
    assert [o.ok for o in outcomes] == [True, True, True]
    with db.transaction() as session:
        assert {session.get(HumanTask, t).assignee_id for t in three_overdue} == {second_receiver}
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "task_reassigned")
        ).all()
        assert len(events) == 3 and {e.data["reason"] for e in events} == {"Cán bộ nghỉ phép"}


def test_bulk_reassign_reports_each_refused_step_and_keeps_the_others(
    actors, three_overdue, second_receiver
):
    with db.transaction() as session:
        foreign = session.scalar(select(HumanTask).where(HumanTask.id == three_overdue[2]))
        police = session.scalar(
            select(UserRole.agency_id).join(User).where(User.username == "congan")
        )
        foreign.agency_id = police  # outside the Sở Tư pháp supervisor's scope
    batch = [three_overdue[0], "no-such-task", three_overdue[2], three_overdue[1]]
    outcomes = handover.reassign_tasks(batch, second_receiver, "Điều phối", actors["giamsat"])
    assert [(o.task_id, o.ok) for o in outcomes] == [
        (three_overdue[0], True),
        ("no-such-task", False),
        (three_overdue[2], False),
        (three_overdue[1], True),
    ]
    assert all(o.message for o in outcomes if not o.ok)
    with db.transaction() as session:
        assert session.get(HumanTask, three_overdue[2]).assignee_id is None


def test_bulk_reassign_to_an_officer_without_the_role_changes_nothing(actors, three_overdue):
    processing = actors["chuyenvien"].id
    outcomes = handover.reassign_tasks(three_overdue, processing, "x", actors["giamsat"])
    assert [o.ok for o in outcomes] == [False, False, False]
    with db.transaction() as session:
        assert session.get(HumanTask, three_overdue[1]).assignee_id is None
        assert (
            session.scalar(select(AuditEvent).where(AuditEvent.kind == "task_reassigned")) is None
        )


@pytest.mark.parametrize(
    ("ids", "reason"),
    [([], "lý do"), (["", "  "], "lý do"), ([f"t{i}" for i in range(101)], "lý do")],
)
def test_bulk_reassign_refuses_an_empty_or_oversized_selection(actors, ids, reason):
    with pytest.raises(InvalidInput):
        handover.reassign_tasks(ids, actors["tiepnhan"].id, reason, actors["giamsat"])


def test_bulk_reassign_needs_a_reason_and_a_supervisor(actors, three_overdue, second_receiver):
    with pytest.raises(InvalidInput):
        handover.reassign_tasks(three_overdue, second_receiver, "  ", actors["giamsat"])
    with pytest.raises(Forbidden):
        handover.reassign_tasks(three_overdue, second_receiver, "x", actors["tiepnhan"])

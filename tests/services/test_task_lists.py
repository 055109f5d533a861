"""The inbox and the supervisor's list read like a mature tasklist: nearest due first (no due
date last), search by code, name or identifier (wildcards and quotes taken literally), filters
by procedure, step, deadline state, channel, days received and unit, sort by any column with a
stable tie-break, and each choice counted within the officer's scope."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.domain.status import VN_TZ
from app.models import Agency, Dossier, HumanTask, Procedure
from app.services.core import queue
from app.services.core.errors import InvalidInput
from app.services.deadlines import supervision
from app.services.dossiers import dossier_queries, inbox, task_counts, task_pages
from app.services.dossiers.task_search import TaskQuery
from app.storage.db import db
from tests.services.helpers import deliver, receive

# (owner name, owner id, channel, day received in November, deadline state, due in hours or None)
OWNERS = [
    ("Nguyễn Văn An", "001090012345", "counter", 2, "on_time", 72),
    ("Trần Thị Bình", "079095000123", "online", 3, "due_soon", 10),
    ("Lê 100% Chắc", "001190000777", "counter", 4, "overdue", -5),
    ("O'Brien_Hà", "001290000888", "online", 5, "on_time", None),
    ("Phạm Văn Cường", "001390000999", "counter", 6, "overdue", -30),
]


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


@pytest.fixture
def desk(actors, clock) -> dict[str, dict]:
    """Five reception steps in the Sở Tư pháp's pool, each dossier with its own owner,
    channel, day received and deadline; the last moved to another procedure and unit."""
    clock.set(datetime(2026, 11, 25, 9, tzinfo=VN_TZ))
    codes = [receive(actors["tiepnhan"]) for _ in OWNERS]
    deliver("portal.check_account", {"exists": True})
    now = datetime(2026, 11, 25, 9, tzinfo=VN_TZ)
    by_code: dict[str, dict] = {}
    with db.transaction() as session:
        other = session.scalar(select(Procedure).where(Procedure.code != "2.000488"))
        unit = session.scalar(select(Agency).where(Agency.code == "000.01.12.H31"))
        for code, (name, owner_id, channel, day, state, due) in zip(codes, OWNERS, strict=True):
            dossier = session.scalar(select(Dossier).where(Dossier.code == code))
            dossier.owner_name, dossier.owner_id, dossier.channel = name, owner_id, channel
            dossier.received_at = datetime(2026, 11, day, 10, tzinfo=VN_TZ)
            task = session.scalar(select(HumanTask).where(HumanTask.dossier_id == dossier.id))
            # the copies the projection keeps (as it would have written them at reception)
            task.channel, task.received_at = channel, dossier.received_at
            task.deadline_state = state
            task.due_at = None if due is None else now + timedelta(hours=due)
            by_code[code] = {"task": task.id, "name": name, "owner_id": owner_id}
        last = session.scalar(select(Dossier).where(Dossier.code == codes[-1]))
        last.procedure_id = other.id
        moved = session.scalar(select(HumanTask).where(HumanTask.dossier_id == last.id))
        moved.procedure_id, moved.agency_id = other.id, unit.id
        by_code[codes[-1]]["procedure"] = other.code
    return by_code


def test_a_new_step_carries_its_dossiers_channel_and_day_received(actors, clock):
    clock.set(datetime(2026, 11, 25, 9, tzinfo=VN_TZ))
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        task = session.scalar(select(HumanTask).where(HumanTask.dossier_id == dossier.id))
        assert (task.channel, task.received_at) == ("counter", dossier.received_at)


def pool_codes(actor, **query) -> list[str]:
    return [t.dossier_code for t in inbox.inbox(actor, TaskQuery(**query)).pool]


def listed(actor, **query) -> list[str]:
    rows, _ = supervision.task_list(actor, TaskQuery(**query))
    return [t.dossier_code for t in rows]


def code_of(desk, name: str) -> str:
    return next(c for c, d in desk.items() if d["name"] == name)


def test_the_inbox_is_nearest_due_first_and_no_due_date_last(actors, desk):
    codes = pool_codes(actors["tiepnhan"])
    names = [desk[c]["name"] for c in codes]
    assert names == ["Lê 100% Chắc", "Trần Thị Bình", "Nguyễn Văn An", "O'Brien_Hà"]


def test_the_supervisor_sees_the_same_order_and_the_unit_of_each_step(actors, desk):
    rows, total = supervision.task_list(actors["giamsat"], TaskQuery())
    assert total == 5
    assert [desk[r.dossier_code]["name"] for r in rows] == [
        "Phạm Văn Cường",
        "Lê 100% Chắc",
        "Trần Thị Bình",
        "Nguyễn Văn An",
        "O'Brien_Hà",
    ]
    assert rows[0].agency_name == "Phòng Hành chính tư pháp"
    assert {r.agency_name for r in rows[1:]} == {"Sở Tư pháp tỉnh Hưng Yên"}


def test_search_finds_by_code_prefix_owner_name_or_identifier(actors, desk):
    officer = actors["tiepnhan"]
    binh = code_of(desk, "Trần Thị Bình")
    assert pool_codes(officer, q=binh) == [binh]
    assert pool_codes(officer, q=binh.lower()) == [binh]
    assert pool_codes(officer, q="Thị Bình") == [binh]
    assert pool_codes(officer, q="0790950") == [binh]
    assert pool_codes(officer, q="  Thị   Bình ") == [binh]
    assert pool_codes(officer, q="không ai tên này") == []


HOSTILE = [
    ("%", ["Lê 100% Chắc"]),
    ("100%", ["Lê 100% Chắc"]),
    ("_", ["O'Brien_Hà"]),
    ("'", ["O'Brien_Hà"]),
    ("O'Brien", ["O'Brien_Hà"]),
    ("\\", []),
    ("' OR '1'='1", []),
    ("%' OR 1=1 --", []),
    ('"; DROP TABLE human_task; --', []),
]


@pytest.mark.parametrize(("typed", "who"), HOSTILE)
def test_search_takes_wildcards_quotes_and_injection_literally(actors, desk, typed, who):
    assert [desk[c]["name"] for c in pool_codes(actors["tiepnhan"], q=typed)] == who
    assert len(pool_codes(actors["tiepnhan"])) == 4  # the table is still there


def test_search_longer_than_the_limit_is_refused(actors, desk):
    with pytest.raises(InvalidInput):
        inbox.inbox(actors["tiepnhan"], TaskQuery(q="x" * 101))


def test_filter_by_deadline_state(actors, desk):
    overdue = pool_codes(actors["tiepnhan"], state="overdue")
    assert [desk[c]["name"] for c in overdue] == ["Lê 100% Chắc"]
    assert len(listed(actors["giamsat"], state="overdue")) == 2
    with pytest.raises(InvalidInput):
        pool_codes(actors["tiepnhan"], state="late")


def test_filter_by_procedure_and_step(actors, desk):
    moved = next(c for c, d in desk.items() if "procedure" in d)
    assert listed(actors["giamsat"], procedure=desk[moved]["procedure"]) == [moved]
    assert len(listed(actors["giamsat"], procedure="2.000488")) == 4
    assert len(listed(actors["giamsat"], procedure="2.000488", element="reception")) == 4
    assert listed(actors["giamsat"], element="no_such_step") == []
    assert listed(actors["giamsat"], procedure="9.999999") == []


def test_filter_by_channel(actors, desk):
    online = pool_codes(actors["tiepnhan"], channel="online")
    assert sorted(desk[c]["name"] for c in online) == ["O'Brien_Hà", "Trần Thị Bình"]
    with pytest.raises(InvalidInput):
        pool_codes(actors["tiepnhan"], channel="fax")


def test_filter_by_days_received_includes_both_ends(actors, desk):
    codes = pool_codes(
        actors["tiepnhan"], received_from=date(2026, 11, 3), received_to=date(2026, 11, 4)
    )
    assert sorted(desk[c]["name"] for c in codes) == ["Lê 100% Chắc", "Trần Thị Bình"]
    with pytest.raises(InvalidInput):
        pool_codes(
            actors["tiepnhan"], received_from=date(2026, 11, 5), received_to=date(2026, 11, 4)
        )


def test_filter_by_unit(actors, desk):
    moved = next(c for c, d in desk.items() if "procedure" in d)
    assert listed(actors["giamsat"], agency="000.01.12.H31") == [moved]
    assert len(listed(actors["giamsat"], agency="000.00.12.H31")) == 4


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (
            "owner",
            ["Lê 100% Chắc", "Nguyễn Văn An", "O'Brien_Hà", "Phạm Văn Cường", "Trần Thị Bình"],
        ),
        (
            "-owner",
            ["Trần Thị Bình", "Phạm Văn Cường", "O'Brien_Hà", "Nguyễn Văn An", "Lê 100% Chắc"],
        ),
        (
            "received",
            ["Nguyễn Văn An", "Trần Thị Bình", "Lê 100% Chắc", "O'Brien_Hà", "Phạm Văn Cường"],
        ),
        (
            "-due",
            ["Nguyễn Văn An", "Trần Thị Bình", "Lê 100% Chắc", "Phạm Văn Cường", "O'Brien_Hà"],
        ),
    ],
)
def test_sort_by_a_column_either_way(actors, desk, sort, expected):
    assert [desk[c]["name"] for c in listed(actors["giamsat"], sort=sort)] == expected


def test_sort_by_code_and_ties_broken_by_the_task_id(actors, desk):
    codes = listed(actors["giamsat"], sort="code")
    assert codes == sorted(codes)
    assert listed(actors["giamsat"], sort="-code") == sorted(codes, reverse=True)
    # every step has the same title: the order is the tasks' ids, the same both times
    by_step = listed(actors["giamsat"], sort="step")
    ids = [desk[c]["task"] for c in by_step]
    assert ids == sorted(ids) and listed(actors["giamsat"], sort="step") == by_step
    with pytest.raises(InvalidInput):
        listed(actors["giamsat"], sort="owner_name; DROP TABLE x")


def test_each_choice_is_counted_within_the_scope_and_the_other_filters(actors, desk):
    box = inbox.inbox(actors["tiepnhan"], TaskQuery(channel="counter"))
    assert {c.value: c.count for c in box.states} == {"on_time": 1, "due_soon": 0, "overdue": 1}
    assert {c.value: c.count for c in box.procedures} == {"2.000488": 2}
    listing = supervision.task_list_page(actors["giamsat"], TaskQuery(state="overdue"))
    assert {c.value: c.count for c in listing.states} == {
        "on_time": 2,
        "due_soon": 1,
        "overdue": 2,
    }
    assert sum(c.count for c in listing.procedures) == 2
    assert {"000.01.12.H31", "000.00.12.H31"} <= {c.value for c in listing.agencies}


def test_an_officer_outside_the_pool_sees_none_of_it(actors, desk):
    assert pool_codes(actors["chuyenvien"]) == []
    assert {c.count for c in inbox.inbox(actors["chuyenvien"]).states} == {0}


@pytest.mark.parametrize(
    "sort", ["due", "-due", "code", "-code", "owner", "-owner", "procedure", "-agency", "step"]
)
def test_a_long_list_is_ordered_and_counted_as_a_short_one(actors, desk, monkeypatch, sort):
    # short lists are read then sorted; long ones walk an index per segment (or the dossiers
    # in order); counts read from the kept counts equal counts read from the tasks
    short = supervision.task_list_page(actors["giamsat"], TaskQuery(sort=sort))
    short_box = inbox.inbox(actors["tiepnhan"], TaskQuery(sort=sort, channel="counter"))
    monkeypatch.setattr(task_pages, "FEW", -1)
    monkeypatch.setattr(task_counts, "KEPT", False)
    monkeypatch.setattr(task_pages, "NARROW_MAX", -1)
    long = supervision.task_list_page(actors["giamsat"], TaskQuery(sort=sort))
    long_box = inbox.inbox(actors["tiepnhan"], TaskQuery(sort=sort, channel="counter"))
    assert [r.id for r in long.rows] == [r.id for r in short.rows]
    assert (long.total, long.states, long.procedures) == (
        short.total,
        short.states,
        short.procedures,
    )
    assert [r.id for r in long_box.pool] == [r.id for r in short_box.pool]
    assert (long_box.pool_total, long_box.states) == (short_box.pool_total, short_box.states)


def test_a_code_or_identifier_search_finds_the_dossier_without_reading_names(actors, desk):
    code = next(iter(desk))
    assert pool_codes(actors["tiepnhan"], q=code.lower()) == [code]
    assert [desk[c]["owner_id"] for c in pool_codes(actors["tiepnhan"], q="0790950")] == [
        "079095000123"
    ]


def test_the_dossier_list_searches_as_the_task_lists_do(actors, desk):
    officer = actors["tiepnhan"]
    binh = code_of(desk, "Trần Thị Bình")
    for q in (binh, binh.lower(), "Thị Bình", "0790950", "  Thị   Bình "):
        assert [d["code"] for d in dossier_queries.list_dossiers(officer, q)[0]] == [binh], q
    assert dossier_queries.list_dossiers(officer, binh[:-2])[1] == len(desk)  # a code's start
    rows, total = dossier_queries.list_dossiers(officer, "Văn")
    assert {desk[d["code"]]["name"] for d in rows} == {"Nguyễn Văn An", "Phạm Văn Cường"}
    assert total == 2
    assert dossier_queries.list_dossiers(officer, "không ai tên này") == ([], 0)
    # a code's or an identifier's tail is not the start of one
    assert dossier_queries.list_dossiers(officer, "95000123") == ([], 0)
    assert dossier_queries.list_dossiers(officer, "")[1] == len(desk)
    with pytest.raises(InvalidInput):
        dossier_queries.list_dossiers(officer, "x" * 101)
    # none of them is another agency's to list
    assert dossier_queries.list_dossiers(actors["tiepnhanyt"], binh) == ([], 0)


@pytest.mark.parametrize(("typed", "who"), HOSTILE)
def test_the_dossier_list_takes_wildcards_quotes_and_injection_literally(actors, desk, typed, who):
    rows, total = dossier_queries.list_dossiers(actors["tiepnhan"], typed)
    assert sorted(desk[d["code"]]["name"] for d in rows) == who and total == len(who)
    assert dossier_queries.list_dossiers(actors["tiepnhan"])[1] == len(desk)


def test_a_search_is_planned_with_its_words_every_time(actors, desk):
    # PostgreSQL keeps one plan for any words once a prepared statement has run ten times;
    # such a plan cannot read the names' trigrams (bench/overdue.py: 12 -> 130-210 ms)
    if db.engine.dialect.name != "postgresql":
        pytest.skip("plans of prepared statements are PostgreSQL's")
    for _ in range(15):
        assert pool_codes(actors["tiepnhan"], q="Thị Bình")
        assert dossier_queries.list_dossiers(actors["tiepnhan"], "Thị Bình")[1] == 1
    with db.engine.connect() as conn:
        plans = conn.exec_driver_sql(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE strpos(statement, 'owner_name ILIKE') > 0"
        ).all()
    assert plans and sum(custom for _, custom in plans) >= 10  # prepared after five runs
    assert sum(generic for generic, _ in plans) == 0

"""The open-task counts the database keeps (migration 0020): whatever writes the tasks (the
projection, a claim, the deadline sweep, a hand-over, raw SQL), the kept counts plus their
appended changes equal a count of the open tasks, before and after every fold; and no writer
ever waits on another for a counter."""

from __future__ import annotations

import threading
import uuid
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, delete, func, insert, select, text, update
from sqlalchemy import event as sa_event

from app.models import (
    Agency,
    Dossier,
    HumanTask,
    Procedure,
    TaskCount,
    TaskCountChange,
    TaskCountUnit,
    User,
)
from app.models.base import utcnow
from app.models.task_counts import KEY_COLUMNS, UNIT_KEY_COLUMNS
from app.services.core import queue
from app.services.deadlines import overdue, supervision
from app.services.dossiers import task_counts, tasks
from app.services.dossiers.task_search import TaskQuery
from app.storage.db import db
from tests.services.helpers import complete, deliver, open_task, receive

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def kept(table=TaskCount, columns=KEY_COLUMNS) -> Counter:  # noqa: ANN001
    """Open tasks per key as `table` (the per-key or per-unit counts) and the unfolded changes
    say, keys at 0 dropped."""
    found: Counter = Counter()
    with db.transaction() as session:
        for counts in (table, TaskCountChange):
            key = [getattr(counts, c) for c in columns]
            for *values, n in session.execute(select(*key, counts.n)):
                found[tuple(values)] += n
    return +found


def by_unit(full: Counter) -> Counter:
    """Full-key counts summed per unit key (agency, claimed, procedure, channel, state)."""
    found: Counter = Counter()
    for (agency, _role, claimed, procedure, _element, channel, state), n in full.items():
        found[(agency, claimed, procedure, channel, state)] += n
    return found


def exact() -> bool:
    """Both kinds of kept counts equal the open tasks counted."""
    now = counted()
    return kept() == now and kept(TaskCountUnit, UNIT_KEY_COLUMNS) == by_unit(now)


def counted() -> Counter:
    """Open tasks per full key, counted from the tasks."""
    found: Counter = Counter()
    with db.transaction() as session:
        rows = session.execute(
            select(
                HumanTask.agency_id,
                HumanTask.role,
                HumanTask.assignee_id,
                HumanTask.procedure_id,
                HumanTask.element_id,
                HumanTask.channel,
                HumanTask.deadline_state,
            ).where(HumanTask.state == "open")
        )
        for agency, role, assignee, procedure, element, channel, state in rows:
            claimed = 0 if assignee is None else 1
            found[(agency, role, claimed, procedure or 0, element, channel or "", state)] += 1
    return found


def test_the_kept_counts_follow_the_projection_claims_and_the_sweep(actors, clock):
    codes = [receive(actors["tiepnhan"]) for _ in range(3)]
    deliver("portal.check_account", {"exists": True})
    assert exact() and counted() != Counter()
    complete(codes[0], "reception", actors["tiepnhan"], RECEPTION)
    tasks.claim_task(open_task(codes[0], "appraisal").id, actors["chuyenvien"])
    assert exact()
    task_counts.fold()
    assert exact()
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(TaskCountChange)) == 0
    clock.advance(40 * 86400)
    overdue.sweep()
    assert {key[-1] for key in counted()} == {"overdue"}
    assert exact()
    task_counts.fold()
    assert exact()


def test_the_supervisors_counts_read_from_the_kept_counts_equal_the_tasks(actors, monkeypatch):
    for _ in range(3):
        receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    task_counts.fold()
    receive(actors["tiepnhan"])  # a change not folded yet
    deliver("portal.check_account", {"exists": True})
    queries = [TaskQuery(), TaskQuery(channel="counter"), TaskQuery(assignee="none")]
    queries += [TaskQuery(element="reception"), TaskQuery(state="on_time", procedure="2.000488")]
    for query in queries:
        fast = supervision.task_list_page(actors["giamsat"], query)
        monkeypatch.setattr(task_counts, "KEPT", False)
        slow = supervision.task_list_page(actors["giamsat"], query)
        monkeypatch.setattr(task_counts, "KEPT", True)
        assert (fast.total, fast.states, fast.procedures) == (
            slow.total,
            slow.states,
            slow.procedures,
        )
        assert fast.total == 4


def test_recount_rebuilds_counts_that_were_damaged(app, actors):
    for _ in range(2):
        receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    with db.transaction() as session:
        session.execute(update(TaskCountChange).values(n=7))
    assert not exact()
    result = app.test_cli_runner().invoke(args=["recount-tasks"])
    assert result.exit_code == 0 and "Đã đếm lại" in result.output
    assert exact()


# One write to the tasks, as raw SQL would do it: (what, which task, a value)
WRITES = st.lists(
    st.tuples(
        st.sampled_from(
            ["insert", "delete", "state", "assignee", "deadline", "agency", "element", "fold"]
        ),
        st.integers(0, 7),
        st.integers(0, 2),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(writes=WRITES)
def test_any_sequence_of_writes_keeps_the_counts_exact(actors, writes):
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        template = session.scalar(select(HumanTask).where(HumanTask.dossier_id == dossier.id))
        base = {
            c.name: getattr(template, c.key)
            for c in HumanTask.__table__.columns
            if c.name not in ("id",)
        }
        agencies = list(session.scalars(select(Agency.id).limit(3)))
        users = [None, *session.scalars(select(User.id).limit(2))]
    ids = [str(uuid.uuid4()) for _ in range(8)]
    states = ["open", "completed", "cancelled"]
    deadlines = ["on_time", "due_soon", "overdue"]
    for what, which, value in writes:
        task = HumanTask.__table__
        where = task.c.id == ids[which]
        with db.transaction() as session:
            if what == "insert":
                exists = session.scalar(select(func.count()).where(where))
                if not exists:
                    row = base | {"id": ids[which], "state": states[value % 2]}
                    row |= {"procedure_id": None if value == 2 else base["procedure_id"]}
                    session.execute(insert(task), row)
            elif what == "delete":
                session.execute(delete(task).where(where))
            elif what == "state":
                session.execute(update(task).where(where).values(state=states[value]))
            elif what == "assignee":
                session.execute(update(task).where(where).values(assignee_id=users[value]))
            elif what == "deadline":
                session.execute(update(task).where(where).values(deadline_state=deadlines[value]))
            elif what == "agency":
                session.execute(
                    update(task).where(where).values(agency_id=agencies[value % len(agencies)])
                )
            elif what == "element":
                session.execute(update(task).where(where).values(element_id=f"step_{value}"))
        if what == "fold":
            task_counts.fold()
        assert exact()
    with db.transaction() as session:
        session.execute(delete(HumanTask.__table__).where(HumanTask.id.in_(ids)))


def test_writers_of_the_same_key_never_wait_on_each_other_nor_on_a_fold(database_url, actors):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time by design")
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    with db.transaction() as session:
        dossier_id = session.scalar(select(Dossier.id).where(Dossier.code == code))
        template = session.scalar(select(HumanTask).where(HumanTask.dossier_id == dossier_id))
        row = {c.name: getattr(template, c.key) for c in HumanTask.__table__.columns}
    engine = create_engine(database_url)
    first = engine.connect()
    second = engine.connect()
    try:
        first.begin()
        first.execute(insert(HumanTask.__table__), row | {"id": str(uuid.uuid4())})
        # the first transaction is open and holds its change; the second writes the same key
        second.begin()
        second.execute(text("SET LOCAL lock_timeout = '2s'"))
        finished = threading.Event()

        def write() -> None:
            second.execute(
                insert(HumanTask.__table__), row | {"id": str(uuid.uuid4()), "created_at": utcnow()}
            )
            finished.set()

        writer = threading.Thread(target=write)
        writer.start()
        writer.join(5)
        assert finished.is_set(), "the second writer waited on the first one's counter"
        # a fold while both are open neither waits for them nor takes their changes
        task_counts.fold()
        second.commit()
        first.commit()
    finally:
        first.close()
        second.close()
        engine.dispose()
    assert exact()
    task_counts.fold()
    assert exact()


def test_an_inbox_count_after_a_burst_is_not_planned_as_a_parallel_scan(database_url, actors):
    """After a burst of changes (a bulk import: 300,000 here) folded away, the change table's
    statistics still say "large": every inbox's count was planned as a parallel scan of an
    almost empty table (~45 ms of worker start-up each at 1M tasks, bench/overdue.py). The
    count tables are never scanned in parallel (migration 0031)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no parallel scans")
    columns = ", ".join(KEY_COLUMNS)
    with db.transaction() as session:
        # the units of the inbox's count and of the supervisor's whole province
        units = sorted({1, *supervision.scope(session, actors["giamsat"])})
        session.execute(
            text(
                f"INSERT INTO task_count_change ({columns}, n) "  # nosec B608 - constant names
                "SELECT (:units)[1 + i % :n], 'processing', 0, 1, 'appraisal', 'direct', "
                "'on_time', 1 FROM generate_series(1, 300000) AS i"
            ),
            {"units": units, "n": len(units)},
        )
    with db.engine.connect() as connection:
        connection.execute(text("ANALYZE task_count_change"))
        connection.commit()  # the statistics of 300,000 changes are kept
    task_counts.fold()
    statement = []

    @sa_event.listens_for(db.engine, "before_cursor_execute")
    def capture(conn, cursor, sql, parameters, context, executemany):  # noqa: ANN001, ARG001
        if "task_count_change" in sql and sql.lstrip().upper().startswith("SELECT"):
            statement.append((sql, parameters))

    try:
        with db.transaction() as session:
            task_counts.tally(session, lambda t: [t.agency_id == 1])
        # and the supervisor's desk, over every unit of the province (the fold has the
        # change table's statistics read again after a burst)
        supervision.overview(actors["giamsat"])
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", capture)
    assert len(statement) >= 4
    for sql, parameters in statement:
        with db.engine.connect() as connection:
            cursor = connection.connection.driver_connection.cursor()
            cursor.execute("SET max_parallel_workers_per_gather = 2")
            cursor.execute("EXPLAIN " + sql, parameters)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Parallel" not in plan and "Gather" not in plan, plan


def test_the_diagrams_step_counts_equal_the_open_tasks_of_the_procedure(actors, clock):
    """The supervisor's diagram counts a procedure's open steps per shape from the kept counts
    (folded and not yet folded): the same open / due soon / overdue as the tasks themselves."""

    def by_element() -> dict:
        found: dict = {}
        for (_a, _r, _c, _p, element, _ch, state), n in counted().items():
            step = found.setdefault(element, {"open": 0, "due_soon": 0, "overdue": 0})
            step["open"] += n
            if state in ("due_soon", "overdue"):
                step[state] += n
        return found

    codes = [receive(actors["tiepnhan"]) for _ in range(3)]
    deliver("portal.check_account", {"exists": True})
    task_counts.fold()
    complete(codes[0], "reception", actors["tiepnhan"], RECEPTION)  # changes not folded yet
    clock.advance(40 * 86400)
    overdue.sweep()
    with db.transaction() as session:
        procedure = session.scalar(select(HumanTask.procedure_id).limit(1))
        agencies = session.scalars(select(Agency.id)).all()
        kept_now = task_counts.per_element(session, procedure, agencies)
    expected = by_element()
    assert kept_now == expected and {s["overdue"] for s in expected.values()} != {0}
    drawn = supervision.procedure_diagram("2.000488", actors["giamsat"])
    assert sum(c["open"] for c in drawn.counts.values()) + sum(
        e.counts["open"] for e in drawn.elsewhere
    ) == sum(s["open"] for s in expected.values())


def test_the_supervisors_desk_counts_equal_the_open_steps(actors, clock):
    """The desk's counts by unit, procedure, step and officer come from the kept counts
    (folded and not yet folded) and the officers' held steps: the same open / due soon /
    overdue as the tasks themselves."""

    def from_tasks() -> dict[str, set]:
        with db.transaction() as session:
            codes = dict(session.execute(select(Procedure.id, Procedure.code)).all())
            rows = session.execute(
                select(
                    HumanTask.agency_id,
                    HumanTask.procedure_id,
                    HumanTask.element_id,
                    HumanTask.assignee_id,
                    HumanTask.deadline_state,
                ).where(HumanTask.state == "open")
            ).all()
        views: dict[str, Counter] = {k: Counter() for k in ("agency", "procedure", "step", "who")}
        for agency, procedure, element, who, state in rows:
            for view, key in zip(views, (agency, codes[procedure], element, who), strict=True):
                views[view][(key, "open")] += 1
                views[view][(key, state)] += 1
        return {
            view: {
                (k, n, c[(k, "due_soon")], c[(k, "overdue")])
                for (k, s), n in c.items()
                if s == "open"
            }
            for view, c in views.items()
        }

    def shown() -> dict[str, set]:
        view = supervision.overview(actors["giamsat"])
        lists = (view.by_agency, view.by_procedure, view.by_step, view.by_officer)
        return {
            name: {(c.key, c.open, c.due_soon, c.overdue) for c in counts}
            for name, counts in zip(("agency", "procedure", "step", "who"), lists, strict=True)
        }

    codes = [receive(actors["tiepnhan"]) for _ in range(4)]
    deliver("portal.check_account", {"exists": True})
    task_counts.fold()
    complete(codes[0], "reception", actors["tiepnhan"], RECEPTION)  # changes not folded yet
    tasks.claim_task(open_task(codes[0], "appraisal").id, actors["chuyenvien"])
    tasks.claim_task(open_task(codes[1], "reception").id, actors["tiepnhan"])
    clock.advance(40 * 86400)
    overdue.sweep()
    expected = from_tasks()
    assert shown() == expected
    assert {n for _, n, _, late in expected["who"]} == {1, 2} and None in {
        k for k, *_ in expected["who"]
    }
    assert {late for *_, late in expected["step"]} != {0}
    task_counts.fold()
    assert shown() == expected
    view = supervision.overview(actors["giamsat"])
    assert (view.totals.open, view.totals.overdue) == (4, sum(c.overdue for c in view.by_agency))
    assert [c.open for c in view.by_step] == sorted((c.open for c in view.by_step), reverse=True)

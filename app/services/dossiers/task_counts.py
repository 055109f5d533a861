"""Counts of open tasks per deadline state and procedure, read from the counts the database keeps
(`task_count` plus the changes its triggers appended since the last fold, migration 0020) instead
of from every open task; and the fold itself, which the scheduler runs.

A list's scope and filters are served here when each names only a key column (unit, role,
claimed or not, procedure, step, channel, deadline state); a search, a day received or one
officer's tasks are counted from the tasks themselves (`task_search.counts`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, delete, func, literal, select, text, union_all
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.models import HumanTask, TaskCount, TaskCountChange, TaskCountUnit
from app.models.task_counts import KEY_COLUMNS, UNIT_KEY_COLUMNS
from app.services.dossiers.queries import COUNT_CAP
from app.services.dossiers.task_search import (
    DEADLINE_STATES,
    Choice,
    Filters,
    Scope,
    TaskQuery,
)
from app.storage.db import db

# pg_advisory_xact_lock's key for the fold: one folding transaction at a time (SQLite's
# BEGIN IMMEDIATE serialises writers already).
_FOLD_LOCK = 2_000_020
# A fold that takes this many changes has the change table's statistics read again (as
# autovacuum would after the same number, migration 0031).
RESTATE_AFTER = 5_000

Tally = Counter  # (deadline state, procedure id or None) → open tasks


@dataclass(frozen=True)
class Counts:
    totals: list[int]  # per scope, capped
    states: list[Choice]
    procedures: list[Choice]
    sizes: list[int]  # per scope, exact


# Counts read from the counts tables where a scope and its filters allow; False counts every
# list from its tasks (the tests compare both ways).
KEPT = True


def counts(
    session: Any,
    scopes: list[Scope],
    query: TaskQuery,
    f: Filters,
    procedures: list[tuple] | None = None,
) -> Counts:
    """The total of each scope under `f`, and, with `procedures` ((id, code, name) rows), each
    deadline state's and each procedure's count under the other filters (summed over the
    scopes, which are disjoint; procedures with none left out unless chosen); each capped at
    `COUNT_CAP` + 1 ("1.000+").

    A scope is counted with one grouped statement: over the kept counts when the scope and the
    filters are keys of them (a unit, a pool: a few hundred rows whatever the tasks), else over
    its tasks (one officer's, or a search's, or a few days' received)."""
    keyed = f.keyed("state", "procedure")
    # a unit's counts serve a scope of units when no filter names a step (nor a role)
    per_unit = "element" not in f.parts
    tallies = []
    for scope in scopes:
        if KEPT and scope.keys is not None and keyed is not None:
            keys = scope.keys
            table = TaskCountUnit if per_unit and scope.by_unit else TaskCount
            tallies.append(tally(session, lambda t, k=keys: [*k(t), *keyed(t)], table))
        else:
            conditions = [*scope.tasks, *f.where("state", "procedure")]
            tallies.append(tally_tasks(session, conditions, scope.index))
    chosen_state = query.state or None
    chosen_procedure = f.procedure_id if query.procedure else None

    def state_ok(state: str) -> bool:
        return chosen_state is None or state == chosen_state

    def procedure_ok(procedure: int | None) -> bool:
        if not query.procedure:
            return True
        return chosen_procedure is not None and procedure == chosen_procedure

    sizes = [sum(n for (s, p), n in t.items() if state_ok(s) and procedure_ok(p)) for t in tallies]
    totals = [_capped(n) for n in sizes]
    if procedures is None:
        return Counts(totals, [], [], sizes)
    by_state: Counter = Counter()
    by_procedure: Counter = Counter()
    for t in tallies:
        for (s, p), n in t.items():
            if procedure_ok(p):
                by_state[s] += n
            if state_ok(s):
                by_procedure[p] += n
    states = [Choice(s, s, _capped(by_state[s])) for s in DEADLINE_STATES]
    chosen = [
        Choice(code, name, _capped(by_procedure[id_]))
        for id_, code, name in procedures
        if by_procedure[id_] or code == query.procedure
    ]
    return Counts(totals, states, chosen, sizes)


def _capped(n: int) -> int:
    return min(n, COUNT_CAP + 1)


def tally(session: Any, where: Any, table: Any = TaskCount) -> Tally:
    """Open tasks per (deadline state, procedure) among the keys `where(table)` selects (a
    function giving the conditions on a counts table's columns): the folded counts of `table`
    (per key, or per unit) plus the changes not folded yet."""
    rows = _summed(session, ("deadline_state", "procedure_id"), where, table)
    return Counter({(state, procedure or None): int(n) for state, procedure, n in rows if n})


def per_element(
    session: Any, procedure_id: int, agencies: Collection[int]
) -> dict[str, dict[str, int]]:
    """Open tasks of one procedure per step (element) in `agencies`: {element: {"open",
    "due_soon", "overdue"}}, from the kept counts and their unfolded changes (a procedure
    with tens of thousands of open steps is not read task by task)."""
    rows = _summed(
        session,
        ("element_id", "deadline_state"),
        lambda t: [t.procedure_id == procedure_id, t.agency_id.in_(agencies)],
    )
    counts: dict[str, dict[str, int]] = {}
    for element, state, n in rows:
        if not n:
            continue
        step = counts.setdefault(element, {"open": 0, "due_soon": 0, "overdue": 0})
        step["open"] += int(n)
        if state in ("due_soon", "overdue"):
            step[state] += int(n)
    return counts


def _summed(session: Any, columns: tuple[str, ...], where: Any, table: Any = TaskCount) -> Any:
    """Rows of `columns` with their summed count among the keys `where(table)` selects: the
    folded counts of `table` plus the changes not folded yet."""
    both = _both(columns, where, table)
    keys = [both.c[c] for c in columns]
    return session.execute(select(*keys, func.sum(both.c.n)).group_by(*keys))


def _both(columns: tuple[str, ...], where: Any, table: Any) -> Any:
    """The rows of `table` that `where(table)` selects and the unfolded changes of the same
    keys, each with `columns` and its count `n`, as one subquery."""
    parts = [
        select(*(getattr(t, c) for c in columns), t.n.label("n")).where(*where(t))
        for t in (table, TaskCountChange)
    ]
    return union_all(*parts).subquery()


def with_states(columns: tuple[str, ...], where: Any, table: Any = TaskCount) -> Any:
    """A statement giving open tasks per `columns` among the keys `where(table)` selects, and
    how many of them are due soon and overdue: rows (*columns, open, due_soon, overdue), from
    the kept counts of `table` plus the changes not folded yet. A key whose tasks are all gone
    may still show with 0 open."""
    both = _both((*columns, "deadline_state"), where, table)
    keys = [both.c[c] for c in columns]

    def of(state: str) -> Any:
        return func.sum(case((both.c.deadline_state == state, both.c.n), else_=0))

    return select(
        *keys,
        func.sum(both.c.n).label("open"),
        of("due_soon").label("due_soon"),
        of("overdue").label("overdue"),
    ).group_by(*keys)


def tally_tasks(session: Any, conditions: list[Any], index: str | None = None) -> Tally:
    """Open tasks per (deadline state, procedure) among the tasks matching `conditions`, counted
    from the tasks (a scope small enough, or a filter the counts do not hold), read from
    `index` on SQLite when given."""
    statement = (
        select(HumanTask.deadline_state, HumanTask.procedure_id, func.count())
        .where(*conditions)
        .group_by(HumanTask.deadline_state, HumanTask.procedure_id)
    )
    if index:
        statement = statement.with_hint(HumanTask, f"INDEXED BY {index}", "sqlite")
    rows = session.execute(statement)
    return Counter({(state, procedure): int(n) for state, procedure, n in rows})


def fold() -> int:
    """Fold the appended changes into the counts, per key and per unit (the scheduler's turn);
    returns the keys touched. Safe to run from several schedulers: one folds at a time, and the
    changes are taken by the one statement that deletes them, so a change committed meanwhile
    is left for the next fold, never lost or counted twice."""
    with db.transaction() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _FOLD_LOCK})
        key = [getattr(TaskCountChange, c) for c in KEY_COLUMNS]
        taken = session.execute(delete(TaskCountChange).returning(*key, TaskCountChange.n)).all()
        sums: Counter = Counter()
        for *values, n in taken:
            sums[tuple(values)] += n
        rows = [dict(zip(KEY_COLUMNS, k, strict=True)) | {"n": n} for k, n in sums.items() if n]
        if rows:
            session.execute(_add_counts(session, TaskCount, KEY_COLUMNS), rows)
            session.execute(delete(TaskCount).where(TaskCount.n == 0))
            by_unit: Counter = Counter()
            for row in rows:
                by_unit[tuple(row[c] for c in UNIT_KEY_COLUMNS)] += row["n"]
            units = [
                dict(zip(UNIT_KEY_COLUMNS, k, strict=True)) | {"n": n}
                for k, n in by_unit.items()
                if n
            ]
            if units:
                session.execute(_add_counts(session, TaskCountUnit, UNIT_KEY_COLUMNS), units)
                session.execute(delete(TaskCountUnit).where(TaskCountUnit.n == 0))
    if len(taken) >= RESTATE_AFTER and db.engine.dialect.name == "postgresql":
        # a burst just left the queue: until autovacuum comes round (up to a minute) its
        # statistics still say "large", and a count over many units is planned as a parallel
        # append of two tiny tables (~30 ms of worker start-up each, bench/overdue.py)
        with db.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE task_count_change")
            connection.commit()
    return len(rows)


def _add_counts(session: Any, table: Any, key: tuple[str, ...]) -> Any:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(key), set_={"n": table.n + statement.excluded.n}
    )


def recount() -> int:
    """Rebuild the counts from the open tasks (an operator's repair; the triggers keep them
    right otherwise); returns the keys counted."""
    claimed = case((HumanTask.assignee_id.is_(None), 0), else_=1)
    key = [
        HumanTask.agency_id,
        HumanTask.role,
        claimed,
        func.coalesce(HumanTask.procedure_id, 0),
        HumanTask.element_id,
        func.coalesce(HumanTask.channel, literal("")),
        HumanTask.deadline_state,
    ]
    with db.transaction() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _FOLD_LOCK})
            session.execute(text("LOCK TABLE human_task IN SHARE MODE"))
        session.execute(delete(TaskCountChange))
        session.execute(delete(TaskCount))
        session.execute(delete(TaskCountUnit))
        rows = session.execute(
            select(*key, func.count()).where(HumanTask.state == "open").group_by(*key)
        ).all()
        if rows:
            session.execute(
                TaskCount.__table__.insert(),
                [dict(zip(KEY_COLUMNS, r[:-1], strict=True)) | {"n": int(r[-1])} for r in rows],
            )
        unit = [getattr(TaskCount, c) for c in UNIT_KEY_COLUMNS]
        session.execute(
            TaskCountUnit.__table__.insert().from_select(
                [*UNIT_KEY_COLUMNS, "n"],
                select(*unit, func.sum(TaskCount.n)).group_by(*unit),
            )
        )
        return len(rows)

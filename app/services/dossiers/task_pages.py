"""The order of the task lists: a page of task ids in the order a `TaskQuery` asks, found by
walking an index where the list is long and by sorting what was read where it is short (its
count, `task_counts.counts`, tells which)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, literal_column, select, union_all

from app.models import Agency, HumanTask, Procedure, User
from app.services.dossiers.queries import COUNT_CAP
from app.services.dossiers.task_search import JOINED_BY, SORT_COLUMNS, TaskQuery

_NULLABLE = {"due", "received"}
# A list of at most this many tasks (its capped count) is read first and then sorted.
FEW = COUNT_CAP
# An officer's tasks or a pool up to this many are read whole and sorted on a joined column.
NARROW_MAX = 20_000


def page_ids(
    session: Any,
    scope: list[Any],
    query: TaskQuery,
    limit: int,
    offset: int,
    total: int | None = None,
) -> list[str]:
    """The ids of one page of tasks in `scope` matching `query`, in its order.

    With `total` (the capped count of those tasks) at most `COUNT_CAP`, the few matching tasks
    are read first, by whichever index their conditions choose, and only they are sorted: an
    order's index walked past every other open task would find them last. Otherwise a sort on
    the task table is read in segments, each in an order an index holds (escalated steps, then
    those with a value, then those without: "no due date last"), so that a page is found by
    walking an index and stopping, never by sorting every open task (the dossier's code and
    owner are on the task); one by procedure, unit or officer walks each name's tasks in turn.
    Ties are broken by the task's id, in the sort's direction."""
    key = query.sort.removeprefix("-")
    if total is not None and total <= FEW:
        return _sorted(session, [(scope, None)], query, limit, offset, FEW + 1)
    if key in JOINED_BY:
        walked = _by_value(session, scope, query, offset + limit)
        if walked is not None:
            return walked[offset:]
        return list(
            session.scalars(
                _joined_order(select(HumanTask.id), query).where(*scope).limit(limit).offset(offset)
            )
        )
    wanted = offset + limit
    found: list[str] = []
    for extra, order in _segments(query):
        found += session.scalars(
            select(HumanTask.id)
            .where(*scope, *extra)
            .order_by(*order, _tie(query))
            .limit(wanted - len(found))
        )
        if len(found) >= wanted:
            break
    return found[offset:wanted]


def narrow_page_ids(
    session: Any,
    scopes: list[tuple[list[Any], str | None]],
    query: TaskQuery,
    limit: int,
    offset: int,
    size: int,
) -> list[str]:
    """A page of the tasks of a few narrow scopes (an officer's own, their roles' pools: a few
    thousand tasks), each given with the partial index that holds it: every matching task is
    read from that index and the page sorted from them, in one statement; a list wider than
    `NARROW_MAX` (its uncapped `size`) is paged scope by scope as a wide one."""
    if not scopes:
        return []
    if size <= NARROW_MAX:
        return _sorted(session, scopes, query, limit, offset, NARROW_MAX)
    wanted = offset + limit
    firsts = [i for scope, _ in scopes for i in page_ids(session, scope, query, wanted, 0)]
    return _sorted(session, [([HumanTask.id.in_(firsts)], None)], query, limit, offset, len(firsts))


# More distinct names than this to walk one by one: one joined, sorted statement instead.
_VALUES_MAX = 300


def _by_value(session: Any, scope: list[Any], query: TaskQuery, wanted: int) -> list[str] | None:
    """The first `wanted` tasks sorted by their procedure's, unit's or officer's name: a segment
    per name, in order (each an index walked by task id), none (no value) last; None when
    there are too many names to walk."""
    key = query.sort.removeprefix("-")
    table, column, name = {
        "procedure": (Procedure, HumanTask.procedure_id, Procedure.name),
        "agency": (Agency, HumanTask.agency_id, Agency.name),
        "assignee": (User, HumanTask.assignee_id, User.full_name),
    }[key]
    if session.scalar(select(func.count()).select_from(table)) > _VALUES_MAX:
        return None
    order = name.desc() if query.sort.startswith("-") else name.asc()
    groups: dict[str, list[int]] = {}
    for id_, label in session.execute(select(table.id, name).order_by(order, table.id)):
        groups.setdefault(label, []).append(id_)
    segments = [column.in_(ids) for ids in groups.values()]
    if key != "agency":
        segments.append(column.is_(None))
    found: list[str] = []
    for segment in segments:
        found += session.scalars(
            select(HumanTask.id)
            .where(*scope, segment)
            .order_by(_tie(query))
            .limit(wanted - len(found))
        )
        if len(found) >= wanted:
            break
    return found


def _sorted(
    session: Any,
    scopes: list[tuple[list[Any], str | None]],
    query: TaskQuery,
    limit: int,
    offset: int,
    cap: int,
) -> list[str]:
    """A page of the (at most `cap` per scope) tasks matching each scope's conditions: read
    (each scope from its index on SQLite, then all together, a sub-select with its own limit
    that neither database plans with the outer order), then sorted."""
    key = query.sort.removeprefix("-")
    column = SORT_COLUMNS[key]
    parts = []
    for conditions, index in scopes:
        inner = select(HumanTask.id, HumanTask.priority, column.label("sort_key"))
        if key in JOINED_BY:
            inner = _join_for(inner, key)
        if index:
            inner = inner.with_hint(HumanTask, f"INDEXED BY {index}", "sqlite")
        parts.append(inner.where(*conditions).limit(max(cap, 1)).subquery())
    found = parts[0] if len(parts) == 1 else union_all(*(select(*p.c) for p in parts)).subquery()
    value = found.c.sort_key
    desc = query.sort.startswith("-")
    order = (value.desc() if desc else value.asc()).nulls_last()
    first = [found.c.priority.desc()] if query.sort == "due" else []
    tie = found.c.id.desc() if desc else found.c.id
    return list(
        session.scalars(select(found.c.id).order_by(*first, order, tie).limit(limit).offset(offset))
    )


def _tie(query: TaskQuery) -> Any:
    return HumanTask.id.desc() if query.sort.startswith("-") else HumanTask.id


def _segments(query: TaskQuery) -> list[tuple[list[Any], list[Any]]]:
    key = query.sort.removeprefix("-")
    column = SORT_COLUMNS[key]
    order = column.desc() if query.sort.startswith("-") else column.asc()
    if key not in _NULLABLE:
        return [([], [order])]
    valued = ([column.is_not(None)], [order])
    empty = ([column.is_(None)], [])
    if query.sort != "due":
        return [valued, empty]
    # the default: escalated steps first (few), then the nearest deadline, no due date last
    # written as a literal, so that SQLite reads the escalated steps' own partial index
    escalated = (
        [HumanTask.priority > literal_column("0")],
        [HumanTask.priority.desc(), order.nulls_last()],
    )
    plain = [HumanTask.priority <= 0]
    return [escalated, (plain + valued[0], valued[1]), (plain + empty[0], empty[1])]


def _join_for(statement: Select, key: str) -> Select:
    joined = JOINED_BY[key]
    if joined == "procedure":
        return statement.outerjoin(Procedure, Procedure.id == HumanTask.procedure_id)
    if joined == "agency":
        return statement.join(Agency, Agency.id == HumanTask.agency_id)
    return statement.outerjoin(User, User.id == HumanTask.assignee_id)


def _joined_order(statement: Select, query: TaskQuery) -> Select:
    key = query.sort.removeprefix("-")
    statement = _join_for(statement, key)
    column = SORT_COLUMNS[key]
    order = (column.desc() if query.sort.startswith("-") else column.asc()).nulls_last()
    return statement.order_by(order, _tie(query))

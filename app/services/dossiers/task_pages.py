"""The order of the task lists: a page of task ids in the order a `TaskQuery` asks, found by
walking an index where the list is long and by sorting what was read where it is short (its
capped count, `task_search.counts`, tells which)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from app.models import Agency, Dossier, HumanTask, Procedure, User
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
    narrow: bool = False,
) -> list[str]:
    """The ids of one page of tasks in `scope` matching `query`, in its order (`narrow`: the
    scope is an officer's tasks or one pool, a few thousand at most, which a sort on a joined
    column reads whole rather than walking every dossier).

    With `total` (the capped count of those tasks) at most `COUNT_CAP`, the few matching tasks
    are read first, by whichever index their conditions choose, and only they are sorted: an
    order's index walked past every other open task would find them last. Otherwise a sort on
    the task table is read in segments, each in an order an index holds (escalated steps, then
    those with a value, then those without: "no due date last"), so that a page is found by
    walking an index and stopping, never by sorting every open task; a sort on the dossier's code
    or owner walks the dossiers in that order, one by procedure, unit or officer walks each name's
    tasks in turn; a narrow scope's is one joined, sorted statement."""
    key = query.sort.removeprefix("-")
    if total is not None and total <= FEW:
        return _few_sorted(session, scope, query, limit, offset)
    if narrow and key in JOINED_BY:
        # a narrow scope's tasks, joined and sorted whole (read first, so that no planner walks
        # every dossier looking for them), when there are not too many of them
        size = session.scalar(
            select(func.count()).select_from(
                select(HumanTask.id).where(*scope).limit(NARROW_MAX + 1).subquery()
            )
        )
        if size <= NARROW_MAX:
            return _few_sorted(session, scope, query, limit, offset, NARROW_MAX)
        narrow = False
    if key in ("code", "owner") and not narrow:
        return _by_dossier(session, scope, query, offset + limit)[offset:]
    if key in JOINED_BY and not narrow:
        walked = _by_value(session, scope, query, offset + limit)
        if walked is not None:
            return walked[offset:]
    if key in JOINED_BY:
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
            .order_by(*order, HumanTask.id)
            .limit(wanted - len(found))
        )
        if len(found) >= wanted:
            break
    return found[offset:wanted]


def _by_dossier(session: Any, scope: list[Any], query: TaskQuery, wanted: int) -> list[str]:
    """The first `wanted` tasks by their dossier's code or owner's name: the dossiers are walked
    in that order on its index, a batch at a time (each ending where a value does), and only
    each batch's tasks are read (by dossier id) and sorted, until the page is full."""
    column = Dossier.code if query.sort.removeprefix("-") == "code" else Dossier.owner_name
    desc = query.sort.startswith("-")
    found: list[tuple[str, str]] = []
    last: str | None = None
    batch = 256
    while len(found) < wanted:
        ahead = select(column).order_by(column.desc() if desc else column).limit(batch)
        if last is not None:
            ahead = ahead.where(column < last if desc else column > last)
        values = list(session.scalars(ahead))
        if not values:
            break
        end = values[-1]
        where = [column <= last if desc else column > last] if last is not None else []
        where += [column >= end if desc else column <= end]
        dossiers = {d: v for d, v in session.execute(select(Dossier.id, column).where(*where))}
        rows = session.execute(
            select(HumanTask.id, HumanTask.dossier_id).where(
                *scope, HumanTask.dossier_id.in_(list(dossiers))
            )
        )
        # one value's tasks by id, the values in the order asked (byte order: both databases)
        batch_rows = sorted((dossiers[d], t) for t, d in rows)
        if desc:
            batch_rows.sort(key=lambda r: r[1])
            batch_rows.sort(key=lambda r: r[0], reverse=True)
        found += batch_rows
        last, batch = end, min(batch * 4, 4096)
    return [t for _, t in found[:wanted]]


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
            .order_by(HumanTask.id)
            .limit(wanted - len(found))
        )
        if len(found) >= wanted:
            break
    return found


def page_ids_of_many(
    session: Any,
    scopes: list[list[Any]],
    query: TaskQuery,
    limit: int,
    offset: int,
    totals: list[int],
) -> list[str]:
    """A page of tasks from disjoint scopes (an officer's pools) in `query`'s order: each
    scope's first tasks read on their own (a seek each, where their OR would have the planner
    read every unclaimed task), then those few merged in the same order."""
    if not scopes:
        return []
    if len(scopes) == 1:
        return page_ids(session, scopes[0], query, limit, offset, totals[0], narrow=True)
    wanted = offset + limit
    firsts = [
        i
        for scope, total in zip(scopes, totals, strict=True)
        for i in page_ids(session, scope, query, wanted, 0, total, narrow=True)
    ]
    return _few_sorted(session, [HumanTask.id.in_(firsts)], query, limit, offset, len(firsts))


def _few_sorted(
    session: Any,
    scope: list[Any],
    query: TaskQuery,
    limit: int,
    offset: int,
    cap: int | None = None,
) -> list[str]:
    """A page of at most `COUNT_CAP` + 1 matching tasks: read (a sub-select with its own limit,
    which neither database plans together with the outer order), then sorted."""
    key = query.sort.removeprefix("-")
    column = SORT_COLUMNS[key]
    inner = select(HumanTask.id, HumanTask.priority, column.label("sort_key"))
    if key in JOINED_BY:
        inner = _join_for(inner, key)
    found = inner.where(*scope).limit(FEW + 1 if cap is None else max(cap, 1)).subquery()
    value = found.c.sort_key
    order = (value.desc() if query.sort.startswith("-") else value.asc()).nulls_last()
    first = [found.c.priority.desc()] if query.sort == "due" else []
    return list(
        session.scalars(
            select(found.c.id).order_by(*first, order, found.c.id).limit(limit).offset(offset)
        )
    )


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
    escalated = ([HumanTask.priority > 0], [HumanTask.priority.desc(), order.nulls_last()])
    plain = [HumanTask.priority <= 0]
    return [escalated, (plain + valued[0], valued[1]), (plain + empty[0], empty[1])]


def _join_for(statement: Select, key: str) -> Select:
    joined = JOINED_BY[key]
    if joined == "dossier":
        return statement.join(Dossier, Dossier.id == HumanTask.dossier_id)
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
    return statement.order_by(order, HumanTask.id)

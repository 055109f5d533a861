"""Search, filters, sort and per-choice counts of the task lists (the officer's inbox and the
supervisor's list): one query language for both, read from the URL by the web layer.

Every condition is on the task table or a sub-select of dossiers, so a page of ids is chosen
before anything is joined (see `queries.task_rows`); counts are capped (`queries.COUNT_CAP`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, literal_column, select, union

from app.domain.status import VN_TZ
from app.i18n import _l
from app.models import Agency, Dossier, HumanTask, Procedure, User
from app.services.core.errors import InvalidInput
from app.services.dossiers.queries import COUNT_CAP

DEADLINE_STATES = ("on_time", "due_soon", "overdue")
# Open tasks, written as a literal: SQLite reads a partial index (`WHERE state = 'open'`) without
# its table rows only when the query says the same in so many words, not through a parameter.
IS_OPEN = HumanTask.state == literal_column("'open'")
CHANNELS = ("counter", "online")
SEARCH_MAX = 100
# A search matching more dossiers than this lists the tasks of the first ones found (a search
# that wide narrows nothing; the filters do that better).
SEARCH_DOSSIERS_MAX = 2000
# The keys of a list's URL besides its page: what a saved filter may keep.
FILTER_KEYS = (
    "q",
    "procedure",
    "element",
    "state",
    "channel",
    "from",
    "to",
    "agency",
    "assignee",
    "sort",
)
CODE_MAX = 128

# Sort keys (a leading "-" reverses): the column each one orders by. Ties are broken by the
# task's id, so a page never repeats or skips a row.
SORT_COLUMNS: dict[str, Any] = {
    "due": HumanTask.due_at,
    "created": HumanTask.created_at,
    "step": HumanTask.title,
    "code": Dossier.code,
    "owner": Dossier.owner_name,
    "received": HumanTask.received_at,
    "procedure": Procedure.name,
    "agency": Agency.name,
    "assignee": User.full_name,
}
_JOINED_BY = {
    "code": "dossier",
    "owner": "dossier",
    "procedure": "procedure",
    "agency": "agency",
    "assignee": "user",
}


@dataclass(frozen=True)
class TaskQuery:
    """What a task list shows: search text, filters, sort, page (all from the URL)."""

    q: str = ""
    procedure: str = ""  # a procedure's code
    element: str = ""  # a step of the model (its element id)
    state: str = ""  # on_time | due_soon | overdue
    channel: str = ""  # counter | online
    received_from: date | None = None
    received_to: date | None = None
    agency: str = ""  # an agency's code
    assignee: str = ""  # supervisor's list: a user id, "none" for unclaimed
    sort: str = "due"
    page: int = 1

    def with_(self, **changes: Any) -> TaskQuery:
        """The same query with some values changed."""
        return replace(self, **changes)


def check(query: TaskQuery) -> TaskQuery:
    """The query with its text trimmed, or InvalidInput naming the first bad value."""
    q = " ".join(query.q.split())
    if len(q) > SEARCH_MAX:
        _bad("q", _l("Từ khoá tìm kiếm dài quá %(max)s ký tự", max=SEARCH_MAX))
    if query.state and query.state not in DEADLINE_STATES:
        _bad("state", _l("Trạng thái thời hạn không hợp lệ: %(state)s", state=query.state[:40]))
    if query.channel and query.channel not in CHANNELS:
        _bad("channel", _l("Kênh nộp không hợp lệ"))
    if query.sort.removeprefix("-") not in SORT_COLUMNS:
        _bad("sort", _l("Cách sắp xếp không hợp lệ: %(sort)s", sort=query.sort[:40]))
    for name in ("procedure", "element", "agency"):
        value = getattr(query, name)
        if len(value) > CODE_MAX or not value.isprintable():
            _bad(name, _l("Giá trị lọc không hợp lệ"))
    if query.assignee not in ("", "none") and not (
        query.assignee.isascii() and query.assignee.isdigit() and len(query.assignee) <= 18
    ):
        _bad("assignee", _l("Cán bộ không hợp lệ"))
    if query.received_from and query.received_to and query.received_from > query.received_to:
        _bad("received_to", _l("Ngày kết thúc phải sau ngày bắt đầu"))
    return query.with_(q=q)


def _bad(field: str, message: Any) -> None:
    raise InvalidInput(message, fields={field: message})


def _like(text: str) -> str:
    """`text` with LIKE's wildcards taken literally (escaped with "\\")."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=VN_TZ)


@dataclass(frozen=True)
class Filters:
    """A query's conditions on tasks, by the filter each comes from (codes resolved once)."""

    parts: dict[str, list[Any]]
    # the chosen procedure's id (None: no such procedure), counted against in Python
    procedure_id: int | None = None

    def where(self, *skip: str) -> list[Any]:
        """Every condition but those of the filters named in `skip` (a choice counted against
        the other filters)."""
        return [c for name, conds in self.parts.items() if name not in skip for c in conds]


def filters(session: Any, query: TaskQuery) -> Filters:
    """The conditions on tasks that `query`'s filters add."""
    parts: dict[str, list[Any]] = {}
    procedure_id = None
    if query.state:
        parts["state"] = [HumanTask.deadline_state == query.state]
    if query.procedure:
        procedure_id = session.scalar(select(Procedure.id).where(Procedure.code == query.procedure))
        parts["procedure"] = [HumanTask.procedure_id == procedure_id]
    if query.element:
        parts["element"] = [HumanTask.element_id == query.element]
    if query.agency:
        agency_id = session.scalar(select(Agency.id).where(Agency.code == query.agency))
        parts["agency"] = [HumanTask.agency_id == agency_id]
    if query.assignee == "none":
        parts["assignee"] = [HumanTask.assignee_id.is_(None)]
    elif query.assignee:
        parts["assignee"] = [HumanTask.assignee_id == int(query.assignee)]
    if query.channel:
        parts["channel"] = [HumanTask.channel == query.channel]
    if query.received_from:
        parts["from"] = [HumanTask.received_at >= _day_start(query.received_from)]
    if query.received_to:
        parts["to"] = [HumanTask.received_at < _day_start(query.received_to + timedelta(days=1))]
    if query.q:
        # the matching dossiers are read once, not again inside every count of the page
        found = list(session.scalars(_matching_dossiers(query.q).limit(SEARCH_DOSSIERS_MAX)))
        parts["q"] = [HumanTask.dossier_id.in_(found)]
    return Filters(parts, procedure_id)


# Above every character a code or identifier holds: `prefix <= x < prefix + _TOP` is a range
# an index serves (byte order: SQLite, and PostgreSQL under the C collation the project uses).
_TOP = "\U0010ffff"


_CODE_LIKE = re.compile(r"(?=[^ ]*[0-9])[0-9A-Za-z.\-_/]+")


def _matching_dossiers(text: str) -> Select:
    """The dossiers whose code or owner identifier starts with `text` (any case), or whose
    owner's name holds it (unless `text` is code-like); wildcards in `text` are taken literally."""
    upper = text.upper()
    prefix, anywhere = _like(upper) + "%", "%" + _like(text) + "%"
    by_code = select(Dossier.id).where(
        Dossier.code >= upper, Dossier.code < upper + _TOP, Dossier.code.like(prefix, escape="\\")
    )
    by_owner_id = select(Dossier.id).where(
        Dossier.owner_id >= upper,
        Dossier.owner_id < upper + _TOP,
        Dossier.owner_id.like(prefix, escape="\\"),
    )
    if _CODE_LIKE.fullmatch(text):
        # a code or an identifier (digits, Latin letters, dots, dashes, no space): found on
        # their index without reading every owner's name
        return select(union(by_code, by_owner_id).subquery().c.id)
    by_name = select(Dossier.id).where(Dossier.owner_name.ilike(anywhere, escape="\\"))
    return select(union(by_code, by_owner_id, by_name).subquery().c.id)


_NULLABLE = {"due", "received"}
# A list of at most this many tasks (its capped count) is read first and then sorted.
FEW = COUNT_CAP


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
    walking an index and stopping, never by sorting every open task; a sort on a joined column
    (code, owner, procedure, unit, officer) is one joined, sorted statement."""
    key = query.sort.removeprefix("-")
    if total is not None and total <= FEW:
        return _few_sorted(session, scope, query, limit, offset)
    if key in ("code", "owner"):
        return _by_dossier(session, scope, query, offset + limit)[offset:]
    if key in _JOINED_BY:
        found = _by_value(session, scope, query, offset + limit)
        if found is not None:
            return found[offset:]
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


def _few_sorted(
    session: Any, scope: list[Any], query: TaskQuery, limit: int, offset: int
) -> list[str]:
    """A page of at most `COUNT_CAP` + 1 matching tasks: read (a sub-select with its own limit,
    which neither database plans together with the outer order), then sorted."""
    key = query.sort.removeprefix("-")
    column = SORT_COLUMNS[key]
    inner = select(HumanTask.id, HumanTask.priority, column.label("sort_key"))
    if key in _JOINED_BY:
        inner = _join_for(inner, key)
    found = inner.where(*scope).limit(FEW + 1).subquery()
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
    joined = _JOINED_BY[key]
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


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    count: int  # capped: more than COUNT_CAP means "COUNT_CAP+"


def count_many(session: Any, condition_lists: list[list[Any]], cap: int = COUNT_CAP) -> list[int]:
    """How many tasks match each list of conditions, each counted up to `cap` + 1, in one
    statement (one round trip however many choices are counted)."""
    if not condition_lists:
        return []
    columns = [
        select(func.count())
        # "1", not the id: a count an index holds is read from the index alone
        .select_from(select(literal_column("1")).where(*conds).limit(cap + 1).subquery())
        .scalar_subquery()
        for conds in condition_lists
    ]
    return [int(n or 0) for n in session.execute(select(*columns)).one()]


@dataclass(frozen=True)
class Counts:
    totals: list[int]  # per scope
    states: list[Choice]
    procedures: list[Choice]


def counts(
    session: Any,
    scopes: list[list[Any]],
    query: TaskQuery,
    f: Filters,
    procedures: list[tuple] | None = None,
) -> Counts:
    """The total of each scope under `f`, and, with `procedures` ((id, code, name) rows), each
    deadline state's and each procedure's count under the other filters (summed over the
    scopes, which are disjoint; procedures with none left out unless chosen).

    Each scope's tasks under every filter but the state and the procedure are read first, at
    most `SCAN_MAX` of them (two short columns each, from an index): when that is all of them,
    every count is counted from those rows. Only a scope holding more (where capped counts
    stop early) is counted by one capped probe per choice."""
    procedure_ids = [p[0] for p in procedures] if procedures is not None else []
    per_scope = []
    for scope in scopes:
        rows = session.execute(
            select(HumanTask.deadline_state, HumanTask.procedure_id)
            .where(*scope, *f.where("state", "procedure"))
            .limit(SCAN_MAX + 1)
        ).all()
        if len(rows) <= SCAN_MAX:
            per_scope.append(_counted_rows(rows, query, f, procedure_ids))
        else:
            per_scope.append(_probed(session, scope, f, procedure_ids, procedures is not None))
    totals = [n[0] for n in per_scope]
    if procedures is None:
        return Counts(totals, [], [])
    summed = [min(sum(n[i] for n in per_scope), COUNT_CAP + 1) for i in range(1, len(per_scope[0]))]
    states = [Choice(s, s, n) for s, n in zip(DEADLINE_STATES, summed, strict=False)]
    chosen = [
        Choice(code, name, n)
        for (_, code, name), n in zip(procedures, summed[len(DEADLINE_STATES) :], strict=True)
        if n or code == query.procedure
    ]
    return Counts(totals, states, chosen)


# Tasks of a scope read to count its choices exactly; more than this are counted by probes.
SCAN_MAX = 3000


def _counted_rows(
    rows: list[Any], query: TaskQuery, f: Filters, procedure_ids: list[int]
) -> list[int]:
    """[total, per state..., per procedure...] of `rows` ((deadline state, procedure) pairs
    under every other filter), capped."""
    by_state: dict[str, int] = {}
    by_procedure: dict[Any, int] = {}
    total = 0
    for state, procedure_id in rows:
        state_ok = not query.state or state == query.state
        procedure_ok = not query.procedure or procedure_id == f.procedure_id
        if procedure_ok:
            by_state[state] = by_state.get(state, 0) + 1
        if state_ok:
            by_procedure[procedure_id] = by_procedure.get(procedure_id, 0) + 1
        total += state_ok and procedure_ok
    numbers = [total, *(by_state.get(s, 0) for s in DEADLINE_STATES)]
    numbers += [by_procedure.get(p, 0) for p in procedure_ids]
    return [min(n, COUNT_CAP + 1) for n in numbers]


def _probed(
    session: Any, scope: list[Any], f: Filters, procedure_ids: list[int], choices: bool
) -> list[int]:
    """[total, per state..., per procedure...] of a scope, each by one capped probe."""
    lists = [[*scope, *f.where()]]
    if choices:
        lists += [
            [*scope, *f.where("state"), HumanTask.deadline_state == state]
            for state in DEADLINE_STATES
        ]
        lists += [
            [*scope, *f.where("procedure"), HumanTask.procedure_id == procedure_id]
            for procedure_id in procedure_ids
        ]
    return count_many(session, lists)


def step_choices(session: Any, query: TaskQuery) -> list[Choice]:
    """The steps of the chosen procedure that have open tasks (the chosen step kept), by title:
    read from the open-procedure index alone, then one title per step."""
    elements: list[str] = []
    procedure_id = None
    if query.procedure:
        procedure_id = session.scalar(select(Procedure.id).where(Procedure.code == query.procedure))
        elements = list(
            session.scalars(
                select(HumanTask.element_id)
                .where(HumanTask.state == "open", HumanTask.procedure_id == procedure_id)
                .distinct()
            )
        )
    if query.element and query.element not in elements:
        elements.append(query.element)
    steps = []
    for element in elements:
        title = session.scalar(
            select(HumanTask.title)
            .where(
                HumanTask.element_id == element,
                *([HumanTask.procedure_id == procedure_id] if procedure_id else []),
            )
            .limit(1)
        )
        steps.append(Choice(element, title or element, 0))
    return sorted(steps, key=lambda c: c.label)


def agency_choices(session: Any, agency_ids: set[int]) -> list[Choice]:
    """The agencies of a list's scope, by name, to filter by."""
    return [
        Choice(code, name, 0)
        for code, name in session.execute(
            select(Agency.code, Agency.name).where(Agency.id.in_(agency_ids)).order_by(Agency.name)
        )
    ]


def all_procedures(session: Any) -> list[tuple]:
    """Every procedure (a few hundred at most) as (id, code, name): a procedure's steps may run
    at any agency (paths C1, C2), so none is left out before its tasks are counted."""
    return [
        tuple(r)
        for r in session.execute(
            select(Procedure.id, Procedure.code, Procedure.name).order_by(Procedure.code)
        )
    ]

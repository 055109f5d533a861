"""Search, filters, sort and per-choice counts of the task lists (the officer's inbox and the
supervisor's list): one query language for both, read from the URL by the web layer.

Every condition is on the task table or a sub-select of dossiers, so a page of ids is chosen
before anything is joined (see `queries.task_rows`); counts are capped (`queries.COUNT_CAP`).
"""

from __future__ import annotations

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

    def where(self, skip: str = "") -> list[Any]:
        """Every condition but those of the filter named `skip` (a choice counted against the
        other filters)."""
        return [c for name, conds in self.parts.items() if name != skip for c in conds]


def filters(session: Any, query: TaskQuery) -> Filters:
    """The conditions on tasks that `query`'s filters add."""
    parts: dict[str, list[Any]] = {}
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
    return Filters(parts)


# Above every character a code or identifier holds: `prefix <= x < prefix + _TOP` is a range
# an index serves (byte order: SQLite, and PostgreSQL under the C collation the project uses).
_TOP = "\U0010ffff"


def _matching_dossiers(text: str) -> Select:
    """The dossiers whose code or owner identifier starts with `text` (any case), or whose
    owner's name holds it; wildcards in `text` are taken literally."""
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
    by_name = select(Dossier.id).where(Dossier.owner_name.ilike(anywhere, escape="\\"))
    return select(union(by_code, by_owner_id, by_name).subquery().c.id)


_NULLABLE = {"due", "received"}


def page_ids(
    session: Any, scope: list[Any], query: TaskQuery, limit: int, offset: int
) -> list[str]:
    """The ids of one page of tasks in `scope` matching `query`, in its order.

    A sort on the task table is read in segments, each in an order an index holds (escalated
    steps, then those with a value, then those without: "no due date last"), so that a page is
    found by walking an index and stopping, never by sorting every open task; a sort on a
    joined column (code, owner, procedure, unit, officer) is one joined, sorted statement."""
    key = query.sort.removeprefix("-")
    if key in _JOINED_BY:
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


def _joined_order(statement: Select, query: TaskQuery) -> Select:
    key = query.sort.removeprefix("-")
    joined = _JOINED_BY[key]
    if joined == "dossier":
        statement = statement.join(Dossier, Dossier.id == HumanTask.dossier_id)
    elif joined == "procedure":
        statement = statement.outerjoin(Procedure, Procedure.id == HumanTask.procedure_id)
    elif joined == "agency":
        statement = statement.join(Agency, Agency.id == HumanTask.agency_id)
    else:
        statement = statement.outerjoin(User, User.id == HumanTask.assignee_id)
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
    scopes, which are disjoint; procedures with none left out unless chosen)."""
    lists = [[*scope, *f.where()] for scope in scopes]
    if procedures is not None:
        lists += [
            [*scope, *f.where("state"), HumanTask.deadline_state == state]
            for state in DEADLINE_STATES
            for scope in scopes
        ]
        lists += [
            [*scope, *f.where("procedure"), HumanTask.procedure_id == procedure_id]
            for procedure_id, _, _ in procedures
            for scope in scopes
        ]
    numbers = count_many(session, lists)
    width = len(scopes)
    totals, rest = numbers[:width], numbers[width:]
    summed = [min(sum(rest[i : i + width]), COUNT_CAP + 1) for i in range(0, len(rest), width)]
    if procedures is None:
        return Counts(totals, [], [])
    states = [Choice(s, s, n) for s, n in zip(DEADLINE_STATES, summed, strict=False)]
    chosen = [
        Choice(code, name, n)
        for (_, code, name), n in zip(procedures, summed[len(DEADLINE_STATES) :], strict=True)
        if n or code == query.procedure
    ]
    return Counts(totals, states, chosen)


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

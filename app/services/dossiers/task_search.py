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
JOINED_BY = {
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

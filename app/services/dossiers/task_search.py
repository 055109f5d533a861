"""Search, filters, sort and per-choice counts of the task lists (the officer's inbox and the
supervisor's list): one query language for both, read from the URL by the web layer.

Every condition is on the task table or a sub-select of dossiers, so a page of ids is chosen
before anything is joined (see `queries.task_rows`); the choices are counted by `task_counts`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ARRAY,
    Integer,
    Select,
    and_,
    any_,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    union,
    union_all,
)

from app.domain.status import VN_TZ
from app.i18n import _l
from app.models import Agency, Dossier, HumanTask, Procedure, TaskCount, TaskCountChange, User
from app.services.core.errors import InvalidInput

DEADLINE_STATES = ("on_time", "due_soon", "overdue")
# Open tasks, written as a literal: SQLite reads a partial index (`WHERE state = 'open'`) without
# its table rows only when the query says the same in so many words, not through a parameter.
IS_OPEN = HumanTask.state == literal_column("'open'")
CHANNELS = ("counter", "online")
SEARCH_MAX = 100
# A search matching more dossiers than this lists the tasks of the first ones found (a search
# that wide narrows nothing; the filters do that better).
SEARCH_DOSSIERS_MAX = 500
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
    "code": HumanTask.dossier_code,
    "owner": HumanTask.owner_name,
    "received": HumanTask.received_at,
    "procedure": Procedure.name,
    "agency": Agency.name,
    "assignee": User.full_name,
}
JOINED_BY = {
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
    # the same filters on a counts table's key columns (app/models/task_counts.py), each a
    # function of the table; a filter missing here (a search, days received, one officer)
    # is one the counts do not hold
    keyed_parts: dict[str, Callable[[Any], list[Any]]] = field(default_factory=dict)

    def where(self, *skip: str) -> list[Any]:
        """Every condition but those of the filters named in `skip` (a choice counted against
        the other filters)."""
        return [c for name, conds in self.parts.items() if name not in skip for c in conds]

    def keyed(self, *skip: str) -> Callable[[Any], list[Any]] | None:
        """The filters but those in `skip` as conditions on a counts table, or None when one of
        them is not a key of the counts."""
        names = [name for name in self.parts if name not in skip]
        if any(name not in self.keyed_parts for name in names):
            return None
        return lambda table: [c for name in names for c in self.keyed_parts[name](table)]


@dataclass(frozen=True)
class Scope:
    """Which open tasks a list holds: as conditions on the tasks, and (None: not a key of the
    counts, e.g. one officer's tasks) as conditions on a counts table's key columns."""

    tasks: list[Any]
    keys: Callable[[Any], list[Any]] | None = None
    # the partial index that holds the scope (SQLite is told to read it: its planner, led by
    # a filter's index, would read thousands of other tasks to find a pool's)
    index: str | None = None
    # `keys` names units only (no role): the per-unit counts serve it
    by_unit: bool = False


def filters(session: Any, query: TaskQuery) -> Filters:
    """The conditions on tasks that `query`'s filters add."""
    parts: dict[str, list[Any]] = {}
    keyed: dict[str, Callable[[Any], list[Any]]] = {}
    procedure_id = None
    if query.state:
        parts["state"] = [HumanTask.deadline_state == query.state]
        keyed["state"] = lambda t: [t.deadline_state == query.state]
    if query.procedure:
        procedure_id = session.scalar(select(Procedure.id).where(Procedure.code == query.procedure))
        # no such procedure: nothing matches (-1 is no row's id; None would read "IS NULL")
        wanted = -1 if procedure_id is None else procedure_id
        parts["procedure"] = [HumanTask.procedure_id == wanted]
        keyed["procedure"] = lambda t: [t.procedure_id == wanted]
    if query.element:
        parts["element"] = [HumanTask.element_id == query.element]
        keyed["element"] = lambda t: [t.element_id == query.element]
    if query.agency:
        agency_id = session.scalar(select(Agency.id).where(Agency.code == query.agency))
        unit = -1 if agency_id is None else agency_id
        parts["agency"] = [HumanTask.agency_id == unit]
        keyed["agency"] = lambda t: [t.agency_id == unit]
    if query.assignee == "none":
        parts["assignee"] = [HumanTask.assignee_id.is_(None)]
        keyed["assignee"] = lambda t: [t.claimed == 0]
    elif query.assignee:
        parts["assignee"] = [HumanTask.assignee_id == int(query.assignee)]
    if query.channel:
        parts["channel"] = [HumanTask.channel == query.channel]
        keyed["channel"] = lambda t: [t.channel == query.channel]
    if query.received_from:
        parts["from"] = [HumanTask.received_at >= _day_start(query.received_from)]
    if query.received_to:
        parts["to"] = [HumanTask.received_at < _day_start(query.received_to + timedelta(days=1))]
    if query.q:
        # the matching dossiers are read once, not again inside every count of the page
        dialect = session.get_bind().dialect.name
        plan_with_values(session)
        found = list(
            session.scalars(_matching_dossiers(query.q, dialect).limit(SEARCH_DOSSIERS_MAX))
        )
        if dialect == "postgresql":
            # one array parameter, not thousands: planned and sent once per statement
            parts["q"] = [HumanTask.dossier_id == any_(literal(found, ARRAY(Integer)))]
        else:
            parts["q"] = [HumanTask.dossier_id.in_(found)]
    return Filters(parts, procedure_id, keyed)


# Above every character a code or identifier holds: `prefix <= x < prefix + _TOP` is a range
# an index serves (byte order: SQLite, and PostgreSQL under the C collation the project uses).
_TOP = "\U0010ffff"


_CODE_LIKE = re.compile(r"(?=[^ ]*[0-9])[0-9A-Za-z.\-_/]+")


def _matching_dossiers(text: str, dialect: str = "") -> Select:
    """The dossiers matching `text` (`matches`), at most `SEARCH_DOSSIERS_MAX` found each way."""
    return _first_of(*(select(Dossier.id).where(way) for way in _ways(text, dialect)))


def matches(session: Any, text: str) -> Any:
    """The condition on dossiers that a search for `text` (already checked) sets: their code
    or owner identifier starts with it (any case), or their owner's name holds it (unless
    `text` is code-like); wildcards in `text` are taken literally. Each way is read from an
    index, so that it joins any other condition of the list (its scope) in the database; the
    rest of the transaction is planned with its values (`plan_with_values`)."""
    dialect = session.get_bind().dialect.name
    plan_with_values(session)
    return or_(*_ways(text, dialect))


def plan_with_values(session: Any) -> None:
    """Have PostgreSQL plan the rest of the transaction's statements with their values.

    A search's best plan depends on its words: once a statement has run ten times (psycopg
    prepares it after five, PostgreSQL then tries five custom plans), PostgreSQL may keep one
    plan for any words, which cannot use the names' trigrams and reads every dossier (1M
    tasks: a search 12 -> 130-210 ms, bench/overdue.py)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.set_config("plan_cache_mode", "force_custom_plan", True)))


def _ways(text: str, dialect: str) -> list[Any]:
    """One condition per way a dossier matches `text`. A name is looked up in an index of its
    trigrams (FTS5 on SQLite, pg_trgm on PostgreSQL), which also folds the case of Vietnamese
    letters on SQLite; fewer than three letters are looked for in every name."""
    upper = text.upper()
    prefix, anywhere = _like(upper) + "%", "%" + _like(text) + "%"
    ways = [
        and_(
            Dossier.code >= upper,
            Dossier.code < upper + _TOP,
            Dossier.code.like(prefix, escape="\\"),
        ),
        and_(
            Dossier.owner_id >= upper,
            Dossier.owner_id < upper + _TOP,
            Dossier.owner_id.like(prefix, escape="\\"),
        ),
    ]
    if _CODE_LIKE.fullmatch(text):
        # a code or an identifier (digits, Latin letters, dots, dashes, no space): found on
        # their index without reading every owner's name
        return ways
    if dialect == "sqlite" and len(text) >= 3:
        # a phrase of the FTS5 trigram index: a substring, quotes doubled, nothing a wildcard
        phrase = '"' + text.replace('"', '""') + '"'
        ways.append(
            Dossier.id.in_(
                select(literal_column("rowid"))
                .select_from(table("dossier_name"))
                .where(literal_column("dossier_name").op("MATCH")(phrase))
            )
        )
    else:
        ways.append(Dossier.owner_name.ilike(anywhere, escape="\\"))
    return ways


def _first_of(*found: Select) -> Select:
    """The ids `found` by each way, at most `SEARCH_DOSSIERS_MAX` from each (a common name
    stops being read there), once each."""
    each = [select(f.limit(SEARCH_DOSSIERS_MAX).subquery().c.id) for f in found]
    return select(union(*each).subquery().c.id)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    count: int  # capped: more than COUNT_CAP means "COUNT_CAP+"


def step_choices(session: Any, query: TaskQuery) -> list[Choice]:
    """The steps of the chosen procedure that have open tasks (the chosen step kept), by title:
    read from the kept counts (app/models/task_counts.py), then one title per step."""
    elements: list[str] = []
    procedure_id = None
    if query.procedure:
        procedure_id = session.scalar(select(Procedure.id).where(Procedure.code == query.procedure))
        both = union_all(
            *(
                select(t.element_id, t.n).where(t.procedure_id == procedure_id)
                for t in (TaskCount, TaskCountChange)
            )
        ).subquery()
        elements = list(
            session.scalars(
                select(both.c.element_id)
                .group_by(both.c.element_id)
                .having(func.sum(both.c.n) > 0)
                .order_by(both.c.element_id)
            )
        )
    if query.element and query.element not in elements:
        elements.append(query.element)
    steps = []
    for element in elements:
        title = session.scalar(
            select(HumanTask.title)
            .where(
                IS_OPEN,
                *([HumanTask.procedure_id == procedure_id] if procedure_id else []),
                HumanTask.element_id == element,
            )
            .limit(1)
        ) or session.scalar(select(HumanTask.title).where(HumanTask.element_id == element).limit(1))
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

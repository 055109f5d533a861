"""Search, filters, sort and per-choice counts of the task lists (the officer's inbox and the
supervisor's list): one query language for both, read from the URL by the web layer.

Every condition is on the task table or a sub-select of dossiers, so a page of ids is chosen
before anything is joined (see `queries.task_rows`); counts are capped (`queries.COUNT_CAP`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select

from app.domain.status import VN_TZ
from app.i18n import _l
from app.models import Agency, Dossier, HumanTask, Procedure, User
from app.services.core.errors import InvalidInput
from app.services.dossiers.queries import COUNT_CAP, count_tasks

DEADLINE_STATES = ("on_time", "due_soon", "overdue")
CHANNELS = ("counter", "online")
SEARCH_MAX = 100
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
    "received": Dossier.received_at,
    "procedure": Procedure.name,
    "agency": Agency.name,
    "assignee": User.full_name,
}
_JOINED_BY = {
    "code": "dossier",
    "owner": "dossier",
    "received": "dossier",
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


def conditions(session: Any, query: TaskQuery, *, skip: str = "") -> list[Any]:
    """The conditions on tasks that `query`'s filters add (all but the one named `skip`)."""
    where: list[Any] = []
    if query.state and skip != "state":
        where.append(HumanTask.deadline_state == query.state)
    if query.procedure and skip != "procedure":
        procedure_id = session.scalar(select(Procedure.id).where(Procedure.code == query.procedure))
        where.append(HumanTask.procedure_id == procedure_id)
    if query.element and skip != "element":
        where.append(HumanTask.element_id == query.element)
    if query.agency:
        agency_id = session.scalar(select(Agency.id).where(Agency.code == query.agency))
        where.append(HumanTask.agency_id == agency_id)
    if query.assignee == "none":
        where.append(HumanTask.assignee_id.is_(None))
    elif query.assignee:
        where.append(HumanTask.assignee_id == int(query.assignee))
    dossiers = _dossier_conditions(query)
    if dossiers:
        where.append(HumanTask.dossier_id.in_(select(Dossier.id).where(*dossiers)))
    return where


def _dossier_conditions(query: TaskQuery) -> list[Any]:
    where: list[Any] = []
    if query.q:
        prefix, anywhere = _like(query.q) + "%", "%" + _like(query.q) + "%"
        where.append(
            Dossier.code.ilike(prefix, escape="\\")
            | Dossier.owner_id.ilike(prefix, escape="\\")
            | Dossier.owner_name.ilike(anywhere, escape="\\")
        )
    if query.channel:
        where.append(Dossier.channel == query.channel)
    if query.received_from:
        where.append(Dossier.received_at >= _day_start(query.received_from))
    if query.received_to:
        where.append(Dossier.received_at < _day_start(query.received_to + timedelta(days=1)))
    return where


def page_ids(
    session: Any, scope: list[Any], query: TaskQuery, limit: int, offset: int
) -> list[str]:
    """The ids of one page of tasks in `scope` matching `query`, in its order."""
    return list(
        session.scalars(
            _ordered(select(HumanTask.id), query).where(*scope).limit(limit).offset(offset)
        )
    )


def _ordered(statement: Select, query: TaskQuery) -> Select:
    key = query.sort.removeprefix("-")
    descending = query.sort.startswith("-")
    joined = _JOINED_BY.get(key)
    if joined == "dossier":
        statement = statement.join(Dossier, Dossier.id == HumanTask.dossier_id)
    elif joined == "procedure":
        statement = statement.outerjoin(Procedure, Procedure.id == HumanTask.procedure_id)
    elif joined == "agency":
        statement = statement.join(Agency, Agency.id == HumanTask.agency_id)
    elif joined == "user":
        statement = statement.outerjoin(User, User.id == HumanTask.assignee_id)
    column = SORT_COLUMNS[key]
    order = (column.desc() if descending else column.asc()).nulls_last()
    if key == "due" and not descending:
        # the default: escalated steps first, then the nearest deadline
        return statement.order_by(HumanTask.priority.desc(), order, HumanTask.id)
    return statement.order_by(order, HumanTask.id)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    count: int  # capped: more than COUNT_CAP means "COUNT_CAP+"


def counted(session: Any, scopes: list[list[Any]], where: list[Any], cap: int = COUNT_CAP) -> int:
    """Tasks in any of `scopes` (disjoint) matching `where`, counted up to `cap` + 1."""
    return min(sum(count_tasks(session, [*scope, *where], cap) for scope in scopes), cap + 1)


def state_choices(session: Any, scopes: list[list[Any]], query: TaskQuery) -> list[Choice]:
    """Each deadline state with how many tasks it would show, the other filters kept."""
    others = conditions(session, query, skip="state")
    return [
        Choice(s, s, counted(session, scopes, [*others, HumanTask.deadline_state == s]))
        for s in DEADLINE_STATES
    ]


def procedure_choices(
    session: Any, scopes: list[list[Any]], query: TaskQuery, procedures: list[tuple]
) -> list[Choice]:
    """Each of `procedures` (id, code, name) with its task count under the other filters;
    those with none are left out unless chosen."""
    others = conditions(session, query, skip="procedure")
    choices = []
    for procedure_id, code, name in procedures:
        n = counted(session, scopes, [*others, HumanTask.procedure_id == procedure_id])
        if n or code == query.procedure:
            choices.append(Choice(code, name, n))
    return choices


def step_choices(session: Any, scopes: list[list[Any]], query: TaskQuery) -> list[Choice]:
    """The steps of the chosen procedure that have open tasks in scope (the chosen one kept)."""
    steps: dict[str, str] = {}
    if query.procedure:
        procedure_id = session.scalar(select(Procedure.id).where(Procedure.code == query.procedure))
        for scope in scopes:
            elements = session.scalars(
                select(HumanTask.element_id)
                .where(*scope, HumanTask.procedure_id == procedure_id)
                .distinct()
            )
            for element in elements:
                steps.setdefault(element, "")
        for element in steps:
            steps[element] = (
                session.scalar(
                    select(HumanTask.title)
                    .where(HumanTask.procedure_id == procedure_id, HumanTask.element_id == element)
                    .limit(1)
                )
                or element
            )
    if query.element and query.element not in steps:
        steps[query.element] = (
            session.scalar(
                select(HumanTask.title).where(HumanTask.element_id == query.element).limit(1)
            )
            or query.element
        )
    return [Choice(e, title, 0) for e, title in sorted(steps.items(), key=lambda i: i[1])]


def agency_choices(session: Any, agency_ids: set[int]) -> list[Choice]:
    """The agencies of a list's scope, by name, to filter by."""
    return [
        Choice(code, name, 0)
        for code, name in session.execute(
            select(Agency.code, Agency.name).where(Agency.id.in_(agency_ids)).order_by(Agency.name)
        )
    ]


def procedures_of(session: Any, agency_ids: set[int]) -> list[tuple]:
    """The procedures whose tasks may be in a scope: every procedure (few), as (id, code, name)."""
    del agency_ids  # a procedure's tasks may run at any agency (paths C1, C2)
    return [
        tuple(r)
        for r in session.execute(
            select(Procedure.id, Procedure.code, Procedure.name).order_by(Procedure.code)
        )
    ]

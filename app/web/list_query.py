"""The task lists' query string (search, filters, sort) read into a `TaskQuery` and written
back: filters live in the URL, so back/forward, links and saved filters all work."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from app.services.dossiers.task_search import FILTER_KEYS, TaskQuery
from app.web.formatting import parse_day

_TEXT = tuple(k for k in FILTER_KEYS if k not in ("from", "to"))
_TEXT_MAX = 200


def task_query(args: MultiDict, page: int = 1, default_sort: str = "due") -> TaskQuery:
    """The query of a list from its URL's arguments (unknown keys ignored; the service checks
    the values, and a bad date is a 422 on its field)."""
    values = {key: (args.get(key) or "")[:_TEXT_MAX].strip() for key in _TEXT}
    # `step` (an element id) is what a click on a step of the supervisor's diagram sends
    if (args.get("step") or "").strip():
        values["element"] = (args.get("step") or "")[:_TEXT_MAX].strip()
    return TaskQuery(
        **{k: v for k, v in values.items() if k != "sort"},
        sort=values["sort"] or default_sort,
        received_from=_day(args.get("from"), "from"),
        received_to=_day(args.get("to"), "to"),
        page=page,
    )


def _day(text: str | None, field: str) -> date | None:
    return parse_day(text, field) if (text or "").strip() else None


def query_args(query: TaskQuery, default_sort: str = "due") -> dict[str, str]:
    """The URL arguments of `query` (empty values and the default sort left out, no page)."""
    values = {
        "q": query.q,
        "procedure": query.procedure,
        "element": query.element,
        "state": query.state,
        "channel": query.channel,
        "from": query.received_from.isoformat() if query.received_from else "",
        "to": query.received_to.isoformat() if query.received_to else "",
        "agency": query.agency,
        "assignee": query.assignee,
        "sort": "" if query.sort == default_sort else query.sort,
    }
    return {k: v for k, v in values.items() if v}


def query_string(query: TaskQuery) -> str:
    """`query` as the query string a saved filter keeps."""
    return urlencode(query_args(query))

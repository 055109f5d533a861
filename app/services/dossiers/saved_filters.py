"""Saved filters (bộ lọc đã lưu) of the task lists: each officer's own named query strings, per
list (the inbox, the supervisor's list), kept on the server."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import func, select

from app.i18n import _l
from app.models import SavedFilter
from app.services.core.actors import Actor
from app.services.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.services.dossiers.task_search import FILTER_KEYS
from app.storage.db import db

KINDS = ("inbox", "supervisor")
NAME_MAX = 80
QUERY_MAX = 1000
PER_LIST_MAX = 50


@dataclass(frozen=True)
class Saved:
    id: int
    name: str
    query: str


def _kind(kind: str, actor: Actor) -> str:
    if kind not in KINDS:
        raise InvalidInput(_l("Danh sách không hợp lệ"))
    if kind == "supervisor" and not actor.agencies_for("supervisor"):
        raise Forbidden(_l("Chỉ giám sát viên được xem"))
    return kind


def _query(text: str) -> str:
    """The query string with known keys only, once each, re-encoded; InvalidInput otherwise."""
    if len(text) > QUERY_MAX:
        raise InvalidInput(
            _l("Bộ lọc dài quá %(max)s ký tự", max=QUERY_MAX),
            fields={"query": _l("Bộ lọc quá dài")},
        )
    try:
        pairs = parse_qsl(text, strict_parsing=bool(text), max_num_fields=len(FILTER_KEYS))
    except ValueError:
        raise InvalidInput(
            _l("Bộ lọc không hợp lệ"), fields={"query": _l("Bộ lọc không hợp lệ")}
        ) from None
    keys = [k for k, _ in pairs]
    if any(k not in FILTER_KEYS for k in keys) or len(set(keys)) != len(keys):
        raise InvalidInput(_l("Bộ lọc không hợp lệ"), fields={"query": _l("Bộ lọc không hợp lệ")})
    if any(not v.isprintable() for _, v in pairs):
        raise InvalidInput(_l("Bộ lọc không hợp lệ"), fields={"query": _l("Bộ lọc không hợp lệ")})
    return urlencode(pairs)


def _name(text: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise InvalidInput(_l("Đặt tên cho bộ lọc"), fields={"name": _l("Đặt tên cho bộ lọc")})
    if len(name) > NAME_MAX or not name.isprintable():
        message = _l("Tên bộ lọc tối đa %(max)s ký tự in được", max=NAME_MAX)
        raise InvalidInput(message, fields={"name": message})
    return name


def saved_filters(kind: str, actor: Actor) -> list[Saved]:
    """The actor's own saved filters of one list, by name."""
    _kind(kind, actor)
    with db.transaction() as session:
        return [
            Saved(f.id, f.name, f.query)
            for f in session.scalars(
                select(SavedFilter)
                .where(SavedFilter.user_id == actor.id, SavedFilter.kind == kind)
                .order_by(SavedFilter.name, SavedFilter.id)
            )
        ]


def save_filter(kind: str, name: str, query: str, actor: Actor) -> Saved:
    """Keep the list's query under a name of the actor's own (names are unique per list)."""
    kind, name, query = _kind(kind, actor), _name(name), _query(query)
    with db.transaction() as session:
        mine = (SavedFilter.user_id == actor.id, SavedFilter.kind == kind)
        if session.scalar(select(SavedFilter.id).where(*mine, SavedFilter.name == name)):
            message = _l("Đã có bộ lọc tên «%(name)s»", name=name)
            raise Conflict(message, fields={"name": message})
        if session.scalar(select(func.count()).where(*mine)) >= PER_LIST_MAX:
            raise Conflict(_l("Mỗi danh sách giữ tối đa %(max)s bộ lọc", max=PER_LIST_MAX))
        row = SavedFilter(user_id=actor.id, kind=kind, name=name, query=query)
        session.add(row)
        session.flush()
        return Saved(row.id, row.name, row.query)


def delete_filter(filter_id: int, actor: Actor) -> str:
    """Delete one of the actor's own saved filters; returns its list's kind."""
    with db.transaction() as session:
        row = session.get(SavedFilter, filter_id)
        if row is None or row.user_id != actor.id:
            raise NotFound(_l("Không tìm thấy bộ lọc"))
        kind = row.kind
        session.delete(row)
        return kind

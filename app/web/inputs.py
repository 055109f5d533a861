"""Bounds on what a request may carry, so bad input is a clear 4xx and never a 500: integers in
paths and query strings that fit the database, path values without control characters, and
JSON bodies with a size and a nesting limit."""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask.wrappers import Request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter, Map, UnicodeConverter, ValidationError

from app import settings
from app.i18n import _, _l
from app.services.core.errors import InvalidInput

# The widest id the databases store (a signed 64-bit integer).
MAX_ID = 2**63 - 1
# Page numbers stay far below anything that could overflow an OFFSET.
MAX_PAGE = 1_000_000


class BoundedInt(IntegerConverter):
    """`<int:...>` for ids: 1..MAX_ID; anything else does not match the route (404)."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int = 1, max: int = MAX_ID) -> None:  # noqa: A002
        super().__init__(map, fixed_digits, min, max)

    def to_python(self, value: str) -> Any:
        if len(value) > len(str(MAX_ID)):
            raise ValidationError()
        return super().to_python(value)


class PlainString(UnicodeConverter):
    """The default `<name>` converter: one path segment of at most 200 characters and no
    control characters (a NUL breaks PostgreSQL's text); anything else is a 404."""

    def __init__(self, map: Map, minlength: int = 1, maxlength: int = 200) -> None:
        super().__init__(map, minlength=minlength, maxlength=maxlength)
        self.regex = f"[^/\\x00-\\x1f\\x7f]{{{minlength},{maxlength}}}"


def int_arg(
    name: str,
    default: int | None = None,
    *,
    low: int = 1,
    high: int = MAX_ID,
    source: MultiDict | None = None,
) -> int | None:
    """An integer from the query string (or `source`, e.g. the form): `default` when absent or
    not a number, InvalidInput (422) when outside [low, high]."""
    text = (request.args if source is None else source).get(name, "").strip()
    if not text.lstrip("+-").isdigit():
        return default  # absent or not a number: as `type=int` did
    if len(text) > len(str(high)) + 1:
        return _out_of_range(name, low, high)
    try:
        value = int(text)
    except ValueError:
        return default
    if not low <= value <= high:
        _out_of_range(name, low, high)
    return value


def page_arg(name: str = "page") -> int:
    """A list's page number: 1 when absent, 422 when not in 1..MAX_PAGE."""
    return int_arg(name, 1, low=1, high=MAX_PAGE) or 1


def _out_of_range(name: str, low: int, high: int) -> int:
    message = _l(
        "«%(name)s» phải là số nguyên từ %(low)s đến %(high)s", name=name, low=low, high=high
    )
    raise InvalidInput(message, fields={name: message})


class LimitedRequest(Request):
    """A request whose JSON body is refused when larger than JSON_MAX_BYTES (413) or nested
    deeper than JSON_MAX_DEPTH (400), even with silent=True, before any view sees it."""

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        if not (force or self.is_json):
            return super().get_json(force, silent, cache)
        limit = settings.current.JSON_MAX_BYTES
        if (self.content_length or 0) > limit:
            raise RequestEntityTooLarge(
                _("Nội dung JSON quá lớn (tối đa %(limit)s byte)", limit=limit)
            )
        try:
            data = super().get_json(force, silent, cache)
        except RecursionError as exc:
            raise _too_deep() from exc
        if _depth(data) > settings.current.JSON_MAX_DEPTH:
            raise _too_deep()
        return data

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        raise BadRequest(_("Nội dung JSON không hợp lệ")) from e


def _too_deep() -> BadRequest:
    depth = settings.current.JSON_MAX_DEPTH
    return BadRequest(_("JSON lồng quá sâu (tối đa %(depth)s mức)", depth=depth))


def _depth(value: Any) -> int:
    """How deep lists and objects nest in a decoded JSON value (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in item)
    return deepest


def _refuse_control_characters() -> None:
    """Query and form values never carry a NUL (PostgreSQL refuses it in text)."""
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                raise BadRequest(_("Dữ liệu chứa ký tự NUL"))


def init_app(app: Flask) -> None:
    """Install the converters (before any blueprint adds a rule) and the request limits."""
    app.url_map.converters["int"] = BoundedInt
    app.url_map.converters["default"] = PlainString
    app.url_map.converters["string"] = PlainString
    app.request_class = LimitedRequest
    app.before_request(_refuse_control_characters)

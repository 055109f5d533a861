"""Bounded methods of the values a script holds (text, bytes, lists, dicts, sets, ints):
each checks, before it runs, what it would build or how much work it would do, and charges it
to the evaluation's budget (`limits.Budget`). `limits_guards.wrap_attribute` hands them out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.engine import limits
from app.engine.limits import INT_TYPES, TEXT_TYPES, Budget, active
from app.engine.limits_text import format_size

SIZED = frozenset({list, tuple, str, bytes, dict, set, frozenset, range})


class Guarded:
    """A callable standing for a method or function: `check(budget, obj, args, kwargs)`
    runs before it. No public attribute, so nothing leads back to the raw method."""

    __slots__ = ("_call", "_check", "_obj")

    def __init__(self, call: Callable, check: Callable, obj: Any = None) -> None:
        self._call, self._check, self._obj = call, check, obj

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._check(active(), self._obj, args, kwargs)
        return self._call(*args, **kwargs)


def length(value: Any) -> int:
    return len(value) if type(value) in SIZED or isinstance(value, dict) else 0


def materialize(value: Any, budget: Budget) -> Any:
    """A sized copy of `value` when it is only an iterator (its producer is bounded: a
    generator ticks, a map over a list was charged when made), counted against max_items."""
    if type(value) in SIZED or isinstance(value, dict):
        return value
    items = []
    limit = budget.limits.max_items
    for item in value:
        items.append(item)
        if len(items) > limit:
            budget.items(len(items))
    return items


# -- checks (budget, the object the method belongs to, args, kwargs) --------------------
def no_check(budget: Budget, obj: Any, args: tuple, kwargs: dict) -> None:
    """No check before the call (the stand-in checks as it runs)."""


def check_work(budget: Budget, obj: Any, args: tuple, kwargs: dict) -> None:
    """A call whose work grows with its arguments (sorted, sum, min, list...)."""
    budget.spend(1 + sum(length(arg) for arg in args))


def _width(budget: Budget, obj: Any, args: tuple, kwargs: dict) -> None:
    width = args[0] if args else kwargs.get("width", 0)
    if type(width) in INT_TYPES:
        budget.text(max(width, len(obj)))


def _expandtabs(budget: Budget, obj: Any, args: tuple, kwargs: dict) -> None:
    size = args[0] if args else kwargs.get("tabsize", 8)
    if type(size) in INT_TYPES:
        budget.text(len(obj) * max(size, 1))


def _replace(budget: Budget, obj: Any, args: tuple, kwargs: dict) -> None:
    if len(args) >= 2 and type(args[1]) in TEXT_TYPES:
        count = args[2] if len(args) > 2 and type(args[2]) in INT_TYPES else -1
        times = len(obj) + 1 if count < 0 else min(count, len(obj) + 1)
        budget.text(len(obj) + times * len(args[1]))
    budget.spend(len(obj) // 16)


def _translate(budget: Budget, obj: Any, args: tuple, kwargs: dict) -> None:
    table = args[0] if args else None
    longest = 1
    if isinstance(table, dict):
        budget.spend(len(table))
        longest = max((len(v) for v in table.values() if type(v) in TEXT_TYPES), default=1)
    budget.text(len(obj) * longest)


def _format(budget: Budget, obj: Any, args: tuple, kwargs: dict) -> None:
    format_size(obj, args, kwargs, budget)


def _format_map(budget: Budget, obj: Any, args: tuple, kwargs: dict) -> None:
    format_size(obj, (), dict(args[0]) if args and isinstance(args[0], dict) else {}, budget)


def _text_scan(budget: Budget, obj: Any, args: tuple, kwargs: dict) -> None:
    """Methods that read the text once (find, count, startswith...)."""
    budget.spend(len(obj) // 16 + sum(length(arg) for arg in args) // 16)


def _text_copy(budget: Budget, obj: Any, args: tuple, kwargs: dict) -> None:
    """Methods that build a text or list about as long as the text (split, upper, strip...)."""
    _text_scan(budget, obj, args, kwargs)
    budget.allocate(len(obj))


def _to_bytes(budget: Budget, obj: Any, args: tuple, kwargs: dict) -> None:
    length = args[0] if args else kwargs.get("length", 1)
    if type(length) in INT_TYPES:
        budget.text(length)


def _grow_one(budget: Budget, obj: Any, args: tuple, kwargs: dict) -> None:
    budget.items(len(obj) + 1, 1)


def _grow_many(budget: Budget, obj: Any, args: tuple, kwargs: dict) -> None:
    added = sum(length(arg) for arg in args) + len(kwargs)
    budget.items(len(obj) + added, added)
    budget.spend(added)


def _whole(budget: Budget, obj: Any, args: tuple, kwargs: dict) -> None:
    """Methods that walk or copy the whole collection (sort, copy, count, index...)."""
    budget.spend(len(obj))
    budget.allocate(len(obj) * limits.REF_BYTES)


# -- methods that need more than a check -------------------------------------------------
def join_method(separator: Any, method: Callable) -> Guarded:
    def join(iterable: Any) -> Any:
        budget = active()
        parts = materialize(iterable, budget)
        budget.spend(len(parts))
        size = len(separator) * max(len(parts) - 1, 0)
        for part in parts:
            size += len(part) if type(part) in TEXT_TYPES else 0
            if size > budget.limits.max_string:
                break
        budget.text(size)
        return method(parts)

    return Guarded(join, no_check)


def extend_method(target: Any, method: Callable) -> Guarded:
    def extend(iterable: Any) -> None:
        budget = active()
        items = materialize(iterable, budget)
        budget.items(len(target) + len(items), len(items))
        budget.spend(len(items))
        return method(items)

    return Guarded(extend, no_check)


_TEXT_METHODS: dict[str, Callable] = {
    "ljust": _width,
    "rjust": _width,
    "center": _width,
    "zfill": _width,
    "expandtabs": _expandtabs,
    "replace": _replace,
    "translate": _translate,
    "format": _format,
    "format_map": _format_map,
}
for _name in [
    "split",
    "rsplit",
    "splitlines",
    "partition",
    "rpartition",
    "upper",
    "lower",
    "title",
    "capitalize",
    "swapcase",
    "casefold",
    "strip",
    "lstrip",
    "rstrip",
    "encode",
    "decode",
    "hex",
    "removeprefix",
    "removesuffix",
]:
    _TEXT_METHODS[_name] = _text_copy
for _name in ["find", "rfind", "index", "rindex", "count", "startswith", "endswith"]:
    _TEXT_METHODS[_name] = _text_scan

_LIST_METHODS = {"append": _grow_one, "insert": _grow_one}
_DICT_METHODS = {"setdefault": _grow_one, "update": _grow_many}
_SET_METHODS = {"add": _grow_one, "update": _grow_many}
for _table in (_LIST_METHODS, _DICT_METHODS, _SET_METHODS):
    for _name in ("copy", "count", "index", "sort", "reverse", "remove", "values", "items"):
        _table.setdefault(_name, _whole)
for _name in ("union", "intersection", "difference", "symmetric_difference", "issubset"):
    _SET_METHODS[_name] = _grow_many

METHODS: dict[type, dict[str, Callable]] = {
    str: _TEXT_METHODS,
    bytes: _TEXT_METHODS,
    bytearray: _TEXT_METHODS,
    list: _LIST_METHODS,
    dict: _DICT_METHODS,
    set: _SET_METHODS,
    int: {"to_bytes": _to_bytes},
    bool: {"to_bytes": _to_bytes},
}
_TEXT_METHODS["join"] = _text_copy  # wrap_attribute hands out join_method
_LIST_METHODS["extend"] = _grow_many  # wrap_attribute hands out extend_method

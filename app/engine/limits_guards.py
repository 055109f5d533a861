"""Guarded builtins and methods: what can build a large object or do much work in one call
checks the size first and charges the work to the evaluation's budget.

`harden(namespace)` puts them into a script namespace (whatever else it holds), and
`wrap_attribute(obj, name, value)` is called by the sandbox's attribute guard on every value
it lets through, so that `s.ljust(10**9)` or `lst.append` in an endless loop are bounded too.
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Callable
from types import BuiltinFunctionType, FunctionType, MethodDescriptorType
from typing import Any

from app.engine import limits
from app.engine.limits import INT_TYPES, SEQUENCE_TYPES, TEXT_TYPES, Budget, active
from app.engine.limits_text import bounded_repr, bounded_str, format_size, formatted, printf
from app.engine.limits_text import text_size as _text_size

_SIZED = frozenset({list, tuple, str, bytes, dict, set, frozenset, range})


class _Guarded:
    """A callable standing for a method or function: `check(budget, obj, args, kwargs)`
    runs before it. No public attribute, so nothing leads back to the raw method."""

    __slots__ = ("_call", "_check", "_obj")

    def __init__(self, call: Callable, check: Callable, obj: Any = None) -> None:
        self._call, self._check, self._obj = call, check, obj

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._check(active(), self._obj, args, kwargs)
        return self._call(*args, **kwargs)


def _length(value: Any) -> int:
    return len(value) if type(value) in _SIZED or isinstance(value, dict) else 0


def _materialize(value: Any, budget: Budget) -> Any:
    """A sized copy of `value` when it is only an iterator (its producer is bounded: a
    generator ticks, a map over a list was charged when made), counted against max_items."""
    if type(value) in _SIZED or isinstance(value, dict):
        return value
    items = []
    limit = budget.limits.max_items
    for item in value:
        items.append(item)
        if len(items) > limit:
            budget.items(len(items))
    return items


# -- checks (budget, the object the method belongs to, args, kwargs) --------------------
def _work(budget: Budget, obj: Any, args: tuple, kwargs: dict) -> None:
    """A call whose work grows with its arguments (sorted, sum, min, list...)."""
    budget.spend(1 + sum(_length(arg) for arg in args))


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
    budget.spend(len(obj) // 16 + sum(_length(arg) for arg in args) // 16)


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
    added = sum(_length(arg) for arg in args) + len(kwargs)
    budget.items(len(obj) + added, added)
    budget.spend(added)


def _whole(budget: Budget, obj: Any, args: tuple, kwargs: dict) -> None:
    """Methods that walk or copy the whole collection (sort, copy, count, index...)."""
    budget.spend(len(obj))
    budget.allocate(len(obj) * limits.REF_BYTES)


# -- methods that need more than a check -------------------------------------------------
def _join(separator: Any, method: Callable) -> _Guarded:
    def join(iterable: Any) -> Any:
        budget = active()
        parts = _materialize(iterable, budget)
        budget.spend(len(parts))
        size = len(separator) * max(len(parts) - 1, 0)
        for part in parts:
            size += len(part) if type(part) in TEXT_TYPES else 0
            if size > budget.limits.max_string:
                break
        budget.text(size)
        return method(parts)

    return _Guarded(join, _nothing)


def _extend(target: Any, method: Callable) -> _Guarded:
    def extend(iterable: Any) -> None:
        budget = active()
        items = _materialize(iterable, budget)
        budget.items(len(target) + len(items), len(items))
        budget.spend(len(items))
        return method(items)

    return _Guarded(extend, _nothing)


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

_METHODS: dict[type, dict[str, Callable]] = {
    str: _TEXT_METHODS,
    bytes: _TEXT_METHODS,
    bytearray: _TEXT_METHODS,
    list: _LIST_METHODS,
    dict: _DICT_METHODS,
    set: _SET_METHODS,
    int: {"to_bytes": _to_bytes},
    bool: {"to_bytes": _to_bytes},
}


# -- functions of the namespace, by identity -------------------------------------------
def _bits_check(bits: Callable[[tuple], float]) -> Callable:
    def check(budget: Budget, obj: Any, args: tuple, kwargs: dict) -> None:
        if all(type(arg) in INT_TYPES for arg in args):
            budget.int_bits(bits(args))

    return check


def _factorial_bits(args: tuple) -> float:
    n = args[0] if args else 0
    return n * math.log2(n) if n > 2 else 1


def _perm_bits(args: tuple) -> float:
    n = args[0] if args else 0
    k = args[1] if len(args) > 1 else n
    return max(k, 0) * math.log2(n) if n > 2 else 1


def _bounded_prod(iterable: Any, *, start: Any = 1) -> Any:
    budget = active()
    result = start
    for item in _materialize(iterable, budget):
        result = limits.mul(result, item)
    budget.spend(1)
    return result


def _bounded_sum(iterable: Any, start: Any = 0) -> Any:
    """`sum`, with sequences added one guarded `+` at a time (sum(lists, []) repeats the copy)."""
    budget = active()
    if type(start) in SEQUENCE_TYPES:
        result = start
        for item in _materialize(iterable, budget):
            result = limits.add(result, item)
        return result
    budget.spend(1 + _length(iterable))
    return sum(iterable, start)


def _json_dumps_check(budget: Budget, obj: Any, args: tuple, kwargs: dict) -> None:
    indent = kwargs.get("indent")
    extra = indent if type(indent) in INT_TYPES else 0
    if extra:
        budget.text(extra)
    budget.text(_text_size(args[0] if args else None, budget) * (2 + extra))


def _range(*args: Any) -> range:
    result = range(*args)
    try:
        length = len(result)
    except OverflowError:
        length = math.inf
    if length > limits.current().max_items:
        active().items(length)
    return result


_FUNCTIONS: dict[Any, Any] = {
    math.factorial: _Guarded(math.factorial, _bits_check(_factorial_bits)),
    math.perm: _Guarded(math.perm, _bits_check(_perm_bits)),
    math.comb: _Guarded(math.comb, _bits_check(lambda a: a[0] if a else 0)),
    math.lcm: _Guarded(math.lcm, _bits_check(lambda a: sum(x.bit_length() for x in a))),
    math.prod: _bounded_prod,
    json.dumps: _Guarded(json.dumps, _json_dumps_check),
}

_BUILTINS: dict[str, Any] = {
    "range": _range,
    "pow": limits.power,
    "sum": _bounded_sum,
    "repr": bounded_repr,
    **{name: _Guarded(f, _work) for name, f in {"sorted": sorted, "min": min, "max": max}.items()},
    **{name: _Guarded(f, _work) for name, f in {"any": any, "all": all}.items()},
}


class _GuardedType:
    """`str` for scripts: calling it is bounded (the text of a container can be huge), while
    `isinstance(x, str)` and `str.upper(x)` work as with the type itself."""

    __slots__ = ("_type", "_call")

    def __init__(self, kind: type, call: Callable) -> None:
        self._type, self._call = kind, call

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._call(*args, **kwargs)

    def __instancecheck__(self, instance: Any) -> bool:
        return isinstance(instance, self._type)

    def __subclasscheck__(self, subclass: type) -> bool:
        return issubclass(subclass, self._type)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return wrap_attribute(self._type, name, getattr(self._type, name))


_BUILTINS["str"] = _GuardedType(str, bounded_str)


def bounded_builtins() -> dict[str, Any]:
    """The bounded stand-ins `harden` puts in place of builtins of the same name."""
    return dict(_BUILTINS)


def _nothing(budget: Budget, obj: Any, args: tuple, kwargs: dict) -> None:
    """No check before the call (the stand-in checks as it runs)."""


def _unbound(name: str) -> Callable:
    """`str.ljust(s, n)`: the method taken from the type, bounded as `s.ljust(n)` is."""

    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        return wrap_attribute(self, name, getattr(self, name))(*args, **kwargs)

    return call


def wrap_attribute(obj: Any, name: str, value: Any) -> Any:
    """The value the attribute guard hands the script: a bounded stand-in for a method or
    function that can build a large object or do much work, the value itself otherwise."""
    if type(value) is MethodDescriptorType and obj in _METHODS:
        if name in _METHODS[obj] or name in ("join", "extend"):
            return _Guarded(_unbound(name), _nothing)
        return value
    if type(value) is FunctionType:
        return _FUNCTIONS.get(value, value)
    if type(value) is not BuiltinFunctionType:
        return value
    methods = _METHODS.get(type(obj))
    if methods is not None:
        check = methods.get(name)
        if check is None:
            return value
        if name == "join" and type(obj) in TEXT_TYPES:
            return _join(obj, value)
        if name == "extend" and type(obj) is list:
            return _extend(obj, value)
        return _Guarded(value, check, obj)
    if obj is dict and name == "fromkeys":
        return _Guarded(value, _work)
    try:
        return _FUNCTIONS.get(value, value)
    except TypeError:  # an unhashable value
        return value


_TEXT_METHODS["join"] = _text_copy  # replaced by _join in wrap_attribute
_LIST_METHODS["extend"] = _grow_many  # replaced by _extend in wrap_attribute


class _BoundedWriter:
    """What `_write_` hands back for a list or dict: item and slice assignment that cannot
    grow it past max_items (`lst[:0] = lst` doubles it)."""

    __slots__ = ("_target",)

    def __init__(self, target: Any) -> None:
        self._target = target

    def __setitem__(self, key: Any, value: Any) -> None:
        target, budget = self._target, active()
        if type(target) is list and type(key) is slice:
            value = _materialize(value, budget)
            budget.items(len(target) + len(value), len(value))
        elif isinstance(target, dict) and key not in target:
            budget.items(len(target) + 1, 1)
        target[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._target[key]


def harden(namespace: dict[str, Any]) -> dict[str, Any]:
    """`namespace` with the compile policy's helpers added and every unbounded builtin,
    iterator, write and in-place guard replaced by its bounded form."""
    hardened = dict(namespace)
    builtins = dict(hardened.get("__builtins__") or {})
    for name, guarded in _BUILTINS.items():
        if name in builtins:
            builtins[name] = guarded
    hardened["__builtins__"] = builtins
    for name, value in namespace.items():
        if type(value) in (BuiltinFunctionType, FunctionType) and value in _FUNCTIONS:
            hardened[name] = _FUNCTIONS[value]
    getiter = namespace.get("_getiter_", iter)
    inplace = namespace["_inplacevar_"]
    write = namespace.get("_write_")

    def _getiter_(ob: Any) -> Any:
        if type(ob) in _SIZED or isinstance(ob, dict):
            active().spend(len(ob))
        return getiter(ob)

    def _inplacevar_(op: str, target: Any, value: Any) -> Any:
        guarded = _INPLACE.get(op)
        if guarded is not None:
            return guarded(target, value)
        return inplace(op, target, value)

    def _write_(ob: Any) -> Any:
        target = write(ob) if write else ob
        return _BoundedWriter(target) if type(target) in (list, dict) else target

    hardened.update(
        {
            "_getiter_": _getiter_,
            "_inplacevar_": _inplacevar_,
            "_write_": _write_,
            "_tick_": limits.tick,
            "_mul_": limits.mul,
            "_pow_": limits.power,
            "_lshift_": limits.lshift,
            "_add_": limits.add,
            "_mod_": printf,
            "_format_": formatted,
            "_star_": limits.star,
        }
    )
    return hardened


def _inplace_add(target: Any, value: Any) -> Any:
    if type(target) is list:
        budget = active()
        value = _materialize(value, budget)
        budget.items(len(target) + len(value), len(value))
        return operator.iadd(target, value)
    return limits.add(target, value)


def _inplace_mul(target: Any, value: Any) -> Any:
    if type(target) is list and type(value) in INT_TYPES:
        active().items(len(target) * max(value, 0), len(target) * max(value - 1, 0))
        return operator.imul(target, value)
    return limits.mul(target, value)


_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": _inplace_add,
    "*=": _inplace_mul,
    "%=": printf,
}

"""Guarded builtins and methods: what can build a large object or do much work in one call
checks the size first and charges the work to the evaluation's budget.

`harden(namespace)` puts them into a script namespace (whatever else it holds), and
`wrap_attribute(obj, name, value)` is called by the sandbox's attribute guard on every value
it lets through, so that `s.ljust(10**9)` or `lst.append` in an endless loop are bounded too.
The bounded methods themselves are in `limits_methods`, the bounded functions and builtins in
`limits_functions`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from types import BuiltinFunctionType, FunctionType, MethodDescriptorType
from typing import Any

from app.engine import limits
from app.engine.limits import INT_TYPES, TEXT_TYPES, active
from app.engine.limits_functions import BUILTINS, FUNCTIONS
from app.engine.limits_methods import (
    METHODS,
    SIZED,
    Guarded,
    check_work,
    extend_method,
    join_method,
    materialize,
    no_check,
)
from app.engine.limits_text import bounded_str, formatted, printf


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


_BUILTINS: dict[str, Any] = {**BUILTINS, "str": _GuardedType(str, bounded_str)}


def bounded_builtins() -> dict[str, Any]:
    """The bounded stand-ins `harden` puts in place of builtins of the same name."""
    return dict(_BUILTINS)


def _unbound(name: str) -> Callable:
    """`str.ljust(s, n)`: the method taken from the type, bounded as `s.ljust(n)` is."""

    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        return wrap_attribute(self, name, getattr(self, name))(*args, **kwargs)

    return call


def wrap_attribute(obj: Any, name: str, value: Any) -> Any:
    """The value the attribute guard hands the script: a bounded stand-in for a method or
    function that can build a large object or do much work, the value itself otherwise."""
    if type(value) is MethodDescriptorType and obj in METHODS:
        if name in METHODS[obj] or name in ("join", "extend"):
            return Guarded(_unbound(name), no_check)
        return value
    if type(value) is FunctionType:
        return FUNCTIONS.get(value, value)
    if type(value) is not BuiltinFunctionType:
        return value
    methods = METHODS.get(type(obj))
    if methods is not None:
        check = methods.get(name)
        if check is None:
            return value
        if name == "join" and type(obj) in TEXT_TYPES:
            return join_method(obj, value)
        if name == "extend" and type(obj) is list:
            return extend_method(obj, value)
        return Guarded(value, check, obj)
    if obj is dict and name == "fromkeys":
        return Guarded(value, check_work)
    try:
        return FUNCTIONS.get(value, value)
    except TypeError:  # an unhashable value
        return value


class _BoundedWriter:
    """What `_write_` hands back for a list or dict: item and slice assignment that cannot
    grow it past max_items (`lst[:0] = lst` doubles it)."""

    __slots__ = ("_target",)

    def __init__(self, target: Any) -> None:
        self._target = target

    def __setitem__(self, key: Any, value: Any) -> None:
        target, budget = self._target, active()
        if type(target) is list and type(key) is slice:
            value = materialize(value, budget)
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
        if type(value) in (BuiltinFunctionType, FunctionType) and value in FUNCTIONS:
            hardened[name] = FUNCTIONS[value]
    getiter = namespace.get("_getiter_", iter)
    inplace = namespace["_inplacevar_"]
    write = namespace.get("_write_")

    def _getiter_(ob: Any) -> Any:
        if type(ob) in SIZED or isinstance(ob, dict):
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
        value = materialize(value, budget)
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

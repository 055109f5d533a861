"""Bounded stand-ins for the functions and builtins of a script's namespace that can build a
large number or object in one call (`math.factorial`, `sum`, `range`, `json.dumps`...),
matched by identity (`FUNCTIONS`) or by builtin name (`BUILTINS`)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from app.engine import limits
from app.engine.limits import INT_TYPES, SEQUENCE_TYPES, Budget, active
from app.engine.limits_methods import Guarded, check_work, length, materialize
from app.engine.limits_text import bounded_repr
from app.engine.limits_text import text_size as _text_size


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
    for item in materialize(iterable, budget):
        result = limits.mul(result, item)
    budget.spend(1)
    return result


def _bounded_sum(iterable: Any, start: Any = 0) -> Any:
    """`sum`, with sequences added one guarded `+` at a time (sum(lists, []) repeats the copy)."""
    budget = active()
    if type(start) in SEQUENCE_TYPES:
        result = start
        for item in materialize(iterable, budget):
            result = limits.add(result, item)
        return result
    budget.spend(1 + length(iterable))
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


FUNCTIONS: dict[Any, Any] = {
    math.factorial: Guarded(math.factorial, _bits_check(_factorial_bits)),
    math.perm: Guarded(math.perm, _bits_check(_perm_bits)),
    math.comb: Guarded(math.comb, _bits_check(lambda a: a[0] if a else 0)),
    math.lcm: Guarded(math.lcm, _bits_check(lambda a: sum(x.bit_length() for x in a))),
    math.prod: _bounded_prod,
    json.dumps: Guarded(json.dumps, _json_dumps_check),
}

BUILTINS: dict[str, Any] = {
    "range": _range,
    "pow": limits.power,
    "sum": _bounded_sum,
    "repr": bounded_repr,
    **{
        name: Guarded(f, check_work)
        for name, f in {"sorted": sorted, "min": min, "max": max}.items()
    },
    **{name: Guarded(f, check_work) for name, f in {"any": any, "all": all}.items()},
}

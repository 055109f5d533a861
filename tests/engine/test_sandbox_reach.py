"""Nothing reachable from the script namespace leads out of the sandbox.

The walk starts from every name a script can use (the globals, the builtins, the helpers a
process run adds), follows every attribute through the sandbox's own guard, calls what can be
called with no argument (the namespace's functions also with a few sample values), iterates
what iterates, at least six levels deep; it fails on a module, a class or function outside the
reviewed sets, code, frames, tracebacks, a module's globals, or an unguarded `format`. A helper
added later that reopens a way out fails here.
"""

from __future__ import annotations

import builtins
import itertools
import math
import sys
import types
from collections import deque
from typing import Any

from app.engine.limits_guards import bounded_builtins
from app.engine.sandbox import RestrictedEnvironment
from app.engine.timekeeping import script_helpers

DEPTH = 7
SAMPLES: tuple[tuple[Any, ...], ...] = ((), (1,), (2.5,), ("P1D",), ("a,b",), ([3, 1, 2],))
# Reviewed: plain value types and the exceptions scripts may catch. A new class is reviewed.
CLASSES = {bool, dict, float, int, list, set, str, tuple, object}
CLASSES |= {enumerate, filter, map, range, reversed, zip}
CLASSES |= {
    ArithmeticError,
    Exception,
    IndexError,
    KeyError,
    LookupError,
    TypeError,
    ValueError,
    ZeroDivisionError,
}
FUNCTIONS = {abs, all, any, chr, divmod, isinstance, len, max, min, ord, repr, round, sorted, sum}
FUNCTIONS |= {math.ceil, math.fabs, math.floor, math.isclose, math.sqrt, math.trunc}
# Static methods of those classes (str.maketrans) and of the values they make (bytes).
STATIC_OWNERS = {c.__qualname__ for c in CLASSES} | {"bytes"}
SCALARS = (str, int, float, bool, type(None), bytes, complex)
OPAQUE = (types.CodeType, types.FrameType, types.TracebackType)
UNGUARDED = {"format", "format_map", "mro"}


def namespace() -> tuple[dict[str, Any], Any, set[int]]:
    helpers = script_helpers(None)
    env = RestrictedEnvironment(helpers)
    roots = {k: v for k, v in env.globals.items() if not k.startswith("_")}
    roots.update(env.globals["__builtins__"])
    # the limits' bounded stand-ins for builtins (range, sum, repr...) are reviewed helpers
    reviewed = [*helpers.values(), *bounded_builtins().values()]
    return roots, env.globals["_getattr_"], {id(f) for f in reviewed}


def forbidden(obj: Any, helpers: set[int], module_dicts: set[int]) -> str | None:
    if isinstance(obj, types.ModuleType):
        return "a module"
    if isinstance(obj, OPAQUE):
        return f"a {type(obj).__name__} object"
    if isinstance(obj, type):
        return None if obj in CLASSES else f"class {obj.__qualname__} outside the reviewed set"
    if isinstance(obj, dict) and id(obj) in module_dicts:
        return "a module's globals"
    if isinstance(obj, types.FunctionType):
        return None if id(obj) in helpers else f"function {obj.__qualname__} outside the helpers"
    if isinstance(obj, types.BuiltinFunctionType):
        owner = obj.__self__
        static = owner is None and obj.__qualname__.split(".")[0] in STATIC_OWNERS
        if not static and (owner is None or isinstance(owner, types.ModuleType)):
            return None if obj in FUNCTIONS else f"builtin {obj.__name__} outside the allowed set"
    if getattr(obj, "__name__", None) in UNGUARDED and callable(obj):
        return f"unguarded {obj.__name__}"
    return None


def key(obj: Any) -> Any:
    """One representative per kind of value: what a type offers does not depend on contents."""
    if isinstance(obj, SCALARS):
        return type(obj)
    if isinstance(obj, list | tuple | set | frozenset):
        return (type(obj), frozenset(key(x) for x in itertools.islice(obj, 20)))
    if isinstance(obj, dict):
        return (dict, frozenset(key(x) for x in itertools.islice(obj.values(), 20)))
    if isinstance(obj, types.BuiltinMethodType | types.MethodWrapperType) and not isinstance(
        obj.__self__, type | types.ModuleType
    ):
        return ("method", key(obj.__self__), obj.__name__)
    if isinstance(obj, BaseException):
        return (type(obj), key(obj.args))
    if not isinstance(obj, type) and hasattr(obj, "__next__"):
        return ("iterator", type(obj))
    return id(obj)


def children(obj: Any, guard: Any, root: bool) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for name in dir(obj):
        try:
            found.append((f".{name}", guard(obj, name)))
        except Exception:  # noqa: S112 - refused by the guard or failing: not reachable
            continue
    if callable(obj):
        for args in SAMPLES if root else ((),):
            try:
                result = obj(*args)
            except Exception as exc:  # a script can catch it: walk it too
                result = exc
            found.append((f"({', '.join(map(repr, args))})", result))
    if isinstance(obj, dict):
        found += [(f"[{k!r}]", v) for k, v in itertools.islice(obj.items(), 20)]
        found += [("<key>", k) for k in itertools.islice(obj, 20)]
    elif isinstance(obj, list | tuple | set | frozenset):
        found += [("[i]", v) for v in itertools.islice(obj, 20)]
    elif not isinstance(obj, type) and hasattr(obj, "__next__"):
        try:
            found += [("<next>", v) for v in itertools.islice(obj, 5)]
        except Exception as exc:
            found.append(("<raised>", exc))
    return found


def walk() -> tuple[list[str], int, int]:
    roots, guard, helpers = namespace()
    module_dicts = {id(vars(m)) for m in list(sys.modules.values())} | {id(vars(builtins))}
    queue = deque((name, obj, 0) for name, obj in roots.items())
    seen: dict[Any, Any] = {}
    failures: list[str] = []
    deepest = 0
    while queue:
        path, obj, depth = queue.popleft()
        problem = forbidden(obj, helpers, module_dicts)
        if problem:
            failures.append(f"{path}: {problem}")
            continue
        k = key(obj)
        if k in seen or depth >= DEPTH:
            continue
        seen[k] = obj  # keeps the object alive so that its id is not reused
        deepest = max(deepest, depth)
        for step, child in children(obj, guard, depth == 0):
            queue.append((path + step, child, depth + 1))
    return failures, len(seen), deepest


def test_nothing_reachable_from_the_namespace_leads_out_of_the_sandbox():
    failures, visited, deepest = walk()
    assert failures == []
    assert deepest >= 6 and visited > 200  # the walk really went somewhere


def test_the_walk_sees_what_the_old_namespace_leaked():
    # The check itself: a module, a class with an unguarded format, a function's globals.
    helpers: set[int] = set()
    dicts = {id(vars(sys))}
    assert forbidden(math, helpers, dicts) == "a module"
    assert forbidden(str.format, helpers, dicts) == "unguarded format"
    assert forbidden(vars(sys), helpers, dicts) == "a module's globals"
    assert forbidden(print, helpers, dicts) == "builtin print outside the allowed set"
    assert forbidden(lambda: 0, helpers, dicts) is not None
    assert forbidden(sys._getframe(), helpers, dicts) == "a frame object"

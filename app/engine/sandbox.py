"""The restricted environment in which BPMN scripts and conditions run (môi trường kịch bản).

Code is compiled by RestrictedPython (no names or attributes starting with `_`, guarded item,
attribute and iteration access). The namespace holds plain values and functions only: no module,
no class that leads to one, nothing whose attributes reach code, frames or a function's globals.
Every attribute goes through one guard, `guarded_getattr`; the static checks in script_check
refuse at validation what the guard would refuse at run time.
"""

from __future__ import annotations

import ast
import math
import operator
from types import CodeType, FrameType, ModuleType, TracebackType
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
)
from RestrictedPython.transformer import INSPECT_ATTRIBUTES
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from app.domain.process_variables import SYSTEM_VARIABLES
from app.engine.errors import ScriptError
from app.engine.limits import Budget
from app.engine.limits_ast import LimitedPolicy
from app.engine.limits_guards import harden, wrap_attribute
from app.engine.script_check import (
    BLOCKED_ATTRIBUTES,
    FORMAT_ATTRIBUTES,
    restricted_message,
    static_problems,
)
from app.engine.timekeeping import script_helpers
from app.i18n import _, _l

_INPLACE = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "|=": operator.ior,
    "&=": operator.iand,
}

_JSONABLE = (str, int, float, bool, type(None), list, dict)

# What scripts may call. Classes only where they are plain value types whose attributes the
# guard keeps harmless; math functions one by one (no factorial/comb/perm: unbounded work).
BUILTINS: dict[str, Any] = {
    "None": None,
    "True": True,
    "False": False,
    **{
        f.__name__: f
        for f in (abs, all, any, chr, divmod, enumerate, filter, isinstance, len, map, max, min)
    },
    **{f.__name__: f for f in (ord, range, repr, reversed, round, sorted, sum, zip)},
    **{t.__name__: t for t in (bool, dict, float, int, list, set, str, tuple)},
    **{
        e.__name__: e
        for e in (
            ArithmeticError,
            Exception,
            IndexError,
            KeyError,
            LookupError,
            TypeError,
            ValueError,
            ZeroDivisionError,
        )
    },
}
MATH: dict[str, Any] = {
    f.__name__: f for f in (math.ceil, math.fabs, math.floor, math.isclose, math.sqrt, math.trunc)
}
# Every name a script may use without declaring it (the helpers included).
NAMESPACE_NAMES = frozenset(BUILTINS) | frozenset(MATH) | frozenset(script_helpers(None))

_OPAQUE = (ModuleType, CodeType, FrameType, TracebackType)
_FRAME_PREFIXES = ("gi_", "cr_", "ag_", "f_", "tb_", "co_")


def _inplacevar(op: str, target: Any, value: Any) -> Any:
    if op not in _INPLACE:
        raise ScriptError(_l("toán tử %(op)s không được phép", op=op))
    return _INPLACE[op](target, value)


def _apply(function: Any, *args: Any, **kwargs: Any) -> Any:
    # RestrictedPython routes calls with *args/**kwargs here; the callee is already guarded.
    return function(*args, **kwargs)


def guarded_getattr(obj: Any, name: str, *default: Any) -> Any:
    """`obj.name` for restricted code: no private or introspection attribute, no `format`
    (its fields walk attributes unguarded), nothing on exceptions (their context and
    traceback lead to frames), and never a module, code, frame or traceback as the result."""
    if (
        not isinstance(name, str)
        or name.startswith("_")
        or name.startswith(_FRAME_PREFIXES)
        or name in INSPECT_ATTRIBUTES
        or name in FORMAT_ATTRIBUTES
        or name in BLOCKED_ATTRIBUTES
        or isinstance(obj, (*_OPAQUE, BaseException))
        or (isinstance(obj, type) and issubclass(obj, BaseException))
    ):
        raise AttributeError(_l("thuộc tính «%(name)s» bị chặn", name=name))
    value = getattr(obj, name, *default)
    if isinstance(value, _OPAQUE):
        raise AttributeError(_l("thuộc tính «%(name)s» bị chặn", name=name))
    return wrap_attribute(obj, name, value)


def _build_globals() -> dict[str, Any]:
    return {
        "__builtins__": dict(BUILTINS),
        "_getattr_": guarded_getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard,
        "_inplacevar_": _inplacevar,
        "_apply_": _apply,
        **MATH,
    }


def check_expression(source: str, known: frozenset[str] | set[str] | None = None) -> list[str]:
    """Problems in a condition or expression (empty when acceptable). `known`: the bundle's
    variables (form fields, assignments, service results...; the system's own are added);
    None when there is no bundle (a snippet typed in the editor)."""
    return _check(source, "eval", known)


def check_script(source: str, known: frozenset[str] | set[str] | None = None) -> list[str]:
    """Problems in a script (empty when acceptable); `known` as for check_expression."""
    return _check(source, "exec", known)


def _check(source: str, mode: str, known: frozenset[str] | set[str] | None) -> list[str]:
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    errors = [restricted_message(e) for e in compiler(source).errors]
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError:
        return errors
    names = SYSTEM_VARIABLES | frozenset(known or ())
    return errors + static_problems(source, tree, NAMESPACE_NAMES, names, known is not None)


def _imports(source: str) -> list[str]:
    # Imports would fail at run time (no __import__); say so before running anything.
    return [
        _("Dòng %(lineno)s: không được dùng import", lineno=node.lineno)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]


# Compiled code by (mode, source), shared by every environment of the process: an instance is
# loaded for each request, and compiling its expressions again each time cost more than the
# limits' checks. Code objects are immutable; the bound only guards against endless sources.
_COMPILED: dict[tuple[str, str], Any] = {}
_COMPILED_MAX = 4096


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Spiff's script environment, with every piece of code compiled restricted."""

    def __init__(self, functions: dict[str, Any] | None = None) -> None:
        super().__init__(harden({**_build_globals(), **(functions or {})}))

    def _compile(self, source: str, mode: str) -> Any:
        key = (mode, source)
        code = _COMPILED.get(key)
        if code is None:
            compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
            result = compiler(source, policy=LimitedPolicy)
            errors = list(result.errors) or (_imports(source) if mode == "exec" else [])
            if errors:
                raise ScriptError("; ".join(errors))
            if len(_COMPILED) >= _COMPILED_MAX:
                _COMPILED.clear()
            code = _COMPILED[key] = result.code
        return code

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        namespace = {**self.globals, **(external_context or {}), **context}
        code = self._compile(expression, "eval")
        with Budget():
            return eval(code, namespace)  # nosec B307 # RestrictedPython-compiled, guarded namespace

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        namespace = {**self.globals, **(external_context or {}), **context}
        code = self._compile(script, "exec")
        with Budget():
            exec(code, namespace)  # nosec B102 # RestrictedPython-compiled, guarded namespace
        hidden = set(self.globals) | set(external_context or {})
        for key in list(context):
            if key not in namespace:
                del context[key]
        for key, value in namespace.items():
            if key not in hidden and isinstance(value, _JSONABLE) and not key.startswith("_"):
                context[key] = value
        return True


def make_script_engine(functions: dict[str, Any] | None = None) -> PythonScriptEngine:
    """The restricted engine; `functions` are helpers the models may call (working time)."""
    return PythonScriptEngine(environment=RestrictedEnvironment(functions))

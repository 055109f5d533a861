"""The restricted environment in which BPMN scripts and conditions run.

Code is compiled by RestrictedPython (no names or attributes starting with `_`, guarded item,
attribute and iteration access), so `().__class__.__base__.__subclasses__()` and friends fail.
"""

from __future__ import annotations

import ast
import datetime
import json
import math
import operator
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from app.engine.errors import ScriptError
from app.engine.limits import Budget
from app.engine.limits_ast import LimitedPolicy
from app.engine.limits_guards import harden, wrap_attribute

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


def _inplacevar(op: str, target: Any, value: Any) -> Any:
    if op not in _INPLACE:
        raise ScriptError(f"toán tử {op} không được phép / operator {op} not allowed")
    return _INPLACE[op](target, value)


def _getattr(obj: Any, name: str, default: Any = None) -> Any:
    return wrap_attribute(obj, name, safer_getattr(obj, name, default))


def _build_globals() -> dict[str, Any]:
    builtins = dict(safe_builtins)
    builtins.update(
        {
            "min": min,
            "max": max,
            "sum": sum,
            "len": len,
            "any": any,
            "all": all,
            "sorted": sorted,
            "enumerate": enumerate,
            "list": list,
            "dict": dict,
            "map": map,
            "filter": filter,
            "reversed": reversed,
        }
    )
    return {
        "__builtins__": builtins,
        "_getattr_": _getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard,
        "_inplacevar_": _inplacevar,
        "math": math,
        "json": json,
        "date": datetime.date,
        "timedelta": datetime.timedelta,
    }


def check_expression(source: str) -> list[str]:
    """Problems RestrictedPython finds in an expression (empty when it is acceptable)."""
    result = compile_restricted_eval(source)
    return list(result.errors)


def check_script(source: str) -> list[str]:
    result = compile_restricted_exec(source)
    return list(result.errors) or _imports(source)


def _imports(source: str) -> list[str]:
    # Imports would fail at run time (no __import__); say so when the model is checked.
    return [
        f"Line {node.lineno}: import is not allowed / không được dùng import"
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
        with Budget():
            return eval(self._compile(expression, "eval"), namespace)  # noqa: S307 - restricted

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        namespace = {**self.globals, **(external_context or {}), **context}
        with Budget():
            exec(self._compile(script, "exec"), namespace)  # noqa: S102 - restricted code
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

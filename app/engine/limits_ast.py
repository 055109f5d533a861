"""The compile policy that makes restricted code count its steps and bound what it builds.

After RestrictedPython has checked a node (so the helper names it inserts, which start with
`_`, are not refused), the node is rewritten:
- `_tick_()` at the top of every `while`/`for` body, function body and exception handler (a
  handler re-raises a limit error the script caught), and in front of every lambda's body;
- `a * b`, `a ** b`, `a << b`, `a + b`, `a % b` become `_mul_(a, b)`... which refuse a result
  over the size limits before computing it;
- every f-string value becomes `_format_(value, conversion, spec)`, and `*x` / `**x` in a
  list, tuple, set or dict display `_star_(x)`.
"""

from __future__ import annotations

import ast
from typing import Any

from RestrictedPython import RestrictingNodeTransformer

_BINARY = {
    ast.Mult: "_mul_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
    ast.Add: "_add_",
    ast.Mod: "_mod_",
}


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(name, ast.Load()), args=list(args), keywords=[])


def _located(new: ast.AST, old: ast.AST) -> Any:
    return ast.fix_missing_locations(ast.copy_location(new, old))


def _tick(node: ast.AST) -> ast.stmt:
    return _located(ast.Expr(_call("_tick_")), node)


class BudgetedNodes:
    """Mixin for a RestrictingNodeTransformer subclass (listed before it)."""

    def _ticked(self, node: Any, visit: Any) -> Any:
        node = visit(node)
        if node is not None:
            node.body.insert(0, _tick(node))
        return node

    def visit_While(self, node: ast.While) -> Any:
        return self._ticked(node, super().visit_While)  # type: ignore[misc]

    def visit_For(self, node: ast.For) -> Any:
        return self._ticked(node, super().visit_For)  # type: ignore[misc]

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        return self._ticked(node, super().visit_FunctionDef)  # type: ignore[misc]

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> Any:
        return self._ticked(node, super().visit_ExceptHandler)  # type: ignore[misc]

    def visit_Lambda(self, node: ast.Lambda) -> Any:
        node = super().visit_Lambda(node)  # type: ignore[misc]
        if node is not None:
            # `_tick_()` returns None, so `None or body` is the body's value.
            node.body = _located(ast.BoolOp(ast.Or(), [_call("_tick_"), node.body]), node.body)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = super().visit_BinOp(node)  # type: ignore[misc]
        name = _BINARY.get(type(node.op)) if isinstance(node, ast.BinOp) else None
        if name is None:
            return node
        return _located(_call(name, node.left, node.right), node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        node = super().visit_FormattedValue(node)  # type: ignore[misc]
        spec = node.format_spec or ast.Constant("")
        value = _call("_format_", node.value, ast.Constant(node.conversion), spec)
        return _located(ast.FormattedValue(value=value, conversion=-1, format_spec=None), node)

    def visit_Starred(self, node: ast.Starred) -> Any:
        node = super().visit_Starred(node)  # type: ignore[misc]
        if isinstance(node.ctx, ast.Load):
            node.value = _located(_call("_star_", node.value), node.value)
        return node

    def visit_Dict(self, node: ast.Dict) -> Any:
        node = super().visit_Dict(node)  # type: ignore[misc]
        node.values = [
            _located(_call("_star_", value), value) if key is None else value
            for key, value in zip(node.keys, node.values, strict=True)
        ]
        return node


class LimitedPolicy(BudgetedNodes, RestrictingNodeTransformer):
    """RestrictedPython's policy with the budget's hooks (what the sandbox compiles with)."""

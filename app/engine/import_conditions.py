"""Conditions written for other engines, translated to the sandbox's Python (part of the import
of foreign models, nhập mô hình từ công cụ khác).

Camunda 7, Flowable and Activiti write JUEL (`${amount > 100}`, `#{approved}`,
`${a == 'x' && b != 2}`, `${!x}`, `${x eq 'y'}`); Camunda 8 writes FEEL (`= amount > 100`,
`= status = "ok"`). Simple comparisons and boolean combinations of variables and literals are
translated token by token; anything else (method calls, property paths, ternaries, functions)
is left for the analyst, with the reason.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from app.i18n import _l

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<number>\d+(?:\.\d+)?)
    |(?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    |(?P<op>==|!=|<=|>=|&&|\|\||<|>|!|=|\+|-|\*|/|%|\(|\)|\?|:|\[|\]|,)
    )""",
    re.VERBOSE,
)
_JUEL_WORDS = {
    "and": "and",
    "or": "or",
    "not": "not",
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "gt": ">",
    "le": "<=",
    "ge": ">=",
    "div": "/",
    "mod": "%",
    "true": "True",
    "false": "False",
    "null": "None",
    "empty": "not",
}
_JUEL_OPS = {"&&": "and", "||": "or", "!": "not"}
_PLAIN_OPS = {"==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%", "(", ")"}


@dataclass(frozen=True)
class Translation:
    """A condition in Python with the variables it reads, or why it could not be translated."""

    python: str | None
    variables: tuple[str, ...] = ()
    kinds: tuple[tuple[str, str], ...] = ()  # (variable, "boolean" | "number" | "string")
    reason: object = None  # a lazily translated message


def dialect(text: str) -> str | None:
    """Which foreign dialect a condition is written in: "juel", "feel", or None (not foreign)."""
    stripped = text.strip()
    if re.fullmatch(r"[$#]\{.*\}", stripped, re.DOTALL):
        return "juel"
    if stripped.startswith("="):
        return "feel"
    return None


def translate(text: str) -> Translation:
    """The Python form of a JUEL or FEEL condition, when it is a simple comparison or boolean
    combination of variables and literals."""
    kind = dialect(text)
    stripped = text.strip()
    if kind == "juel":
        body = stripped[2:-1]
    elif kind == "feel":
        body = stripped[1:]
    else:
        return Translation(None, reason=_l("không phải biểu thức JUEL hay FEEL"))
    if not body.strip():
        return Translation(None, reason=_l("biểu thức rỗng"))
    tokens = _tokens(body)
    if tokens is None:
        return Translation(None, reason=_l("có ký tự bộ chuyển đổi không hiểu"))
    return _to_python(tokens, kind)


def _tokens(body: str) -> list[tuple[str, str]] | None:
    tokens, position = [], 0
    while position < len(body):
        if not body[position:].strip():
            break
        match = _TOKEN.match(body, position)
        if match is None or match.end() == position:
            return None
        group = match.lastgroup or ""
        tokens.append((group, match.group(group)))
        position = match.end()
    return tokens


def _to_python(tokens: list[tuple[str, str]], kind: str) -> Translation:
    out: list[str] = []
    names: list[str] = []
    for index, (group, value) in enumerate(tokens):
        following = tokens[index + 1][1] if index + 1 < len(tokens) else ""
        if group == "name":
            word = _JUEL_WORDS.get(value) if kind == "juel" else _feel_word(value)
            if word is not None:
                out.append(word)
                continue
            if "." in value:
                return Translation(None, reason=_l("đường dẫn thuộc tính «%(value)s»", value=value))
            if following == "(":
                return Translation(
                    None, reason=_l("lời gọi hàm hay phương thức «%(value)s(…)»", value=value)
                )
            names.append(value)
            out.append(value)
        elif group in ("number", "string"):
            out.append(value)
        elif kind == "juel" and value in _JUEL_OPS:
            out.append(_JUEL_OPS[value])
        elif kind == "feel" and value == "=":
            out.append("==")
        elif value in _PLAIN_OPS:
            out.append(value)
        else:
            return Translation(None, reason=_l("toán tử «%(value)s»", value=value))
    python = " ".join(out)
    try:
        tree = ast.parse(python, mode="eval")
    except SyntaxError:
        return Translation(None, reason=_l("không phải phép so sánh đơn giản"))
    unique = tuple(dict.fromkeys(names))
    return Translation(python, unique, tuple(_kinds(tree)))


def _feel_word(value: str) -> str | None:
    return {"and": "and", "or": "or", "true": "True", "false": "False", "null": "None"}.get(value)


def _kinds(tree: ast.Expression) -> list[tuple[str, str]]:
    """What each variable holds, as far as the condition shows: compared with a number, a text,
    or used as a yes/no."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            literal = next((s.value for s in sides if isinstance(s, ast.Constant)), None)
            for side in sides:
                if isinstance(side, ast.Name):
                    found.setdefault(side.id, _kind_of(literal))
        elif isinstance(node, ast.BoolOp | ast.UnaryOp):
            operands = node.values if isinstance(node, ast.BoolOp) else [node.operand]
            for operand in operands:
                if isinstance(operand, ast.Name):
                    found.setdefault(operand.id, "boolean")
    if isinstance(tree.body, ast.Name):
        found.setdefault(tree.body.id, "boolean")
    return list(found.items())


def _kind_of(literal: object) -> str:
    if isinstance(literal, bool):
        return "boolean"
    if isinstance(literal, int | float):
        return "number"
    return "string"

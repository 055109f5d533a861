"""What a script or condition may say, checked before it ever runs (kiểm tra tĩnh mã kịch bản).

The sandbox stops escapes at run time; this finds the statically visible ones when a model is
validated or typed in the editor, each with its line: names outside the namespace, the process
variables and the model's own assignments; the builtins the sandbox does not give; `.format`
and `.format_map`; classes, `global`/`nonlocal`, decorators, imports; identifiers written with
look-alike characters (Python folds them with NFKC, so `ｅｖａｌ` is `eval`).
"""

from __future__ import annotations

import ast
import builtins
import io
import re
import sys
import tokenize
import unicodedata
from collections.abc import Iterator

from app.i18n import _

# Attributes the run-time guard refuses too, named here so that validation says so first.
FORMAT_ATTRIBUTES = frozenset({"format", "format_map"})
BLOCKED_ATTRIBUTES = frozenset({"mro", "with_traceback"})
_PYTHON_BUILTINS = frozenset(dir(builtins))


def static_problems(
    source: str, tree: ast.AST, namespace: frozenset[str], known: frozenset[str], strict: bool
) -> list[str]:
    """Problems in `tree` (parsed from `source`); `namespace` is what the sandbox gives,
    `known` the process variables. Not `strict` (a snippet typed without its bundle): unknown
    lower-case names pass unless they name a Python module."""
    found = [
        *_statements(tree),
        *_attributes(tree),
        *_lookalikes(source),
        *_names(tree, namespace, known, strict),
    ]
    return list(dict.fromkeys(found))


_SYNTAX = re.compile(r"Line (?P<line>\d+): SyntaxError: (?P<why>.*) at statement: '(?P<code>.*)'")
_UNDERSCORE = re.compile(
    r'Line (?P<line>\d+): "(?P<name>[^"]*)" is an invalid (attribute|variable) name because it '
    r'starts with "_"\.?'
)
_PYTHON_SAYS = {
    "invalid syntax": lambda: _("sai cú pháp"),
    "'(' was never closed": lambda: _("ngoặc «(» chưa đóng"),
    "'[' was never closed": lambda: _("ngoặc «[» chưa đóng"),
    "'{' was never closed": lambda: _("ngoặc «{» chưa đóng"),
    "unterminated string literal": lambda: _("chuỗi chưa đóng dấu nháy"),
    "expected ':'": lambda: _("thiếu dấu «:»"),
}


def restricted_message(text: str) -> str:
    """A refusal of the restricted compiler (English, `Line n: …`) in the reader's language;
    a JUEL expression (`${amount > 100}`, written by Camunda or Activiti) named as such."""
    if syntax := _SYNTAX.fullmatch(text):
        code = syntax["code"]
        if "${" in code or "#{" in code:
            problem = _(
                "«%(code)s» là biểu thức JUEL (Camunda/Activiti), không phải Python: bỏ ${ }",
                code=code,
            )
        else:
            why = _PYTHON_SAYS.get(syntax["why"])
            problem = _(
                "lỗi cú pháp ở «%(code)s»: %(why)s",
                code=code,
                why=why() if why else syntax["why"],
            )
        return _at(int(syntax["line"]), problem)
    if underscore := _UNDERSCORE.fullmatch(text):
        problem = _("tên «%(name)s» bắt đầu bằng «_» không được dùng", name=underscore["name"])
        return _at(int(underscore["line"]), problem)
    return text


def _at(node: ast.AST | int, problem: str) -> str:
    line = node if isinstance(node, int) else getattr(node, "lineno", 1)
    return _("Dòng %(line)s: %(problem)s", line=line, problem=problem)


def _statements(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield _at(node, _("không được dùng import"))
        elif isinstance(node, ast.ClassDef):
            yield _at(node, _("không được định nghĩa lớp (class)"))
        elif isinstance(node, ast.Global | ast.Nonlocal):
            yield _at(node, _("không được dùng global/nonlocal"))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            for decorator in node.decorator_list:
                yield _at(decorator, _("không được dùng decorator"))


def _attributes(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        if node.attr in FORMAT_ATTRIBUTES:
            yield _at(
                node,
                _(
                    "không được dùng .%(attr)s() (bị chặn khi chạy); hãy dùng f-string, ví "
                    'dụ f"{ma_ho_so} - {ten}"',
                    attr=node.attr,
                ),
            )
        elif node.attr in BLOCKED_ATTRIBUTES:
            yield _at(
                node,
                _("thuộc tính «%(attr)s» không được dùng", attr=node.attr),
            )


def _lookalikes(source: str) -> Iterator[str]:
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return  # the compiler reports the syntax error itself
    for token in tokens:
        if token.type == tokenize.NAME and not token.string.isascii():
            folded = unicodedata.normalize("NFKC", token.string)
            if folded != token.string:
                yield _at(
                    token.start[0],
                    _(
                        "tên «%(name)s» viết bằng ký tự giả dạng (Python đọc là «%(folded)s»)",
                        name=token.string,
                        folded=folded,
                    ),
                )


def _bound(tree: ast.AST) -> set[str]:
    """Names the code binds itself: assignments, loop and comprehension targets, functions,
    parameters, `except ... as` names. Scopes are flattened: the run-time namespace decides."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def _names(
    tree: ast.AST, namespace: frozenset[str], known: frozenset[str], strict: bool
) -> Iterator[str]:
    bound = _bound(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            name, line = unicodedata.normalize("NFKC", node.id), node.lineno
        elif isinstance(node, ast.arg):
            name, line = node.arg, node.lineno
        else:
            continue
        if name in _PYTHON_BUILTINS and name not in namespace:
            yield _at(
                line,
                _("«%(name)s» không có trong môi trường kịch bản", name=name),
            )
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if name in namespace or name in bound or name in known:
                continue
            if not strict and name == name.lower() and name not in sys.stdlib_module_names:
                continue
            yield _at(
                line,
                _(
                    "tên «%(name)s» không phải biến của quy trình, trường biểu mẫu hay "
                    "biến do mô hình gán",
                    name=name,
                ),
            )

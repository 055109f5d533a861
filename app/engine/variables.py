"""The variables a bundle itself brings into its processes (biến do mô hình khai báo).

Scripts and conditions may read these, the system's own variables
(app.domain.process_variables) and the sandbox's functions; validation refuses any other name.
A bundle brings: the top-level fields of its forms, the outputs of its decision tables, the
result and message variables of its tasks and events, its data objects, inputs and outputs,
multi-instance items, and every name one of its scripts assigns.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from lxml import etree

from app.engine import safe_xml

_NAMED = ("dataObject", "dataInput", "dataOutput", "dataStore", "inputDataItem", "outputDataItem")
_TEXT = ("messageVariable", "loopDataOutputRef", "loopDataInputRef")
_SCRIPTS = ("script", "preScript", "postScript")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def bundle_variables(files: dict[str, str]) -> frozenset[str]:
    """Every variable name the bundle's files declare or assign (unreadable files add none:
    validation reports them on their own)."""
    names: set[str] = set()
    for name, text in files.items():
        if name.endswith(".test.json"):
            continue
        if name.endswith(".json"):
            names |= _form_fields(text)
        elif name.endswith((".bpmn", ".dmn")):
            names |= _model_names(text)
    return frozenset(n for n in names if _IDENTIFIER.match(n))


def _form_fields(text: str) -> set[str]:
    try:
        schema = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return set()
    return _properties(schema, depth=0)


def _properties(schema: Any, depth: int) -> set[str]:
    # Top-level fields only (nested ones live inside them), also those of conditional parts.
    if not isinstance(schema, dict) or depth > 10:
        return set()
    found = (
        set(schema.get("properties") or {}) if isinstance(schema.get("properties"), dict) else set()
    )
    for key in ("then", "else"):
        found |= _properties(schema.get(key), depth + 1)
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key) or []:
            found |= _properties(part, depth + 1)
    return found


def _model_names(text: str) -> set[str]:
    if safe_xml.declares_entities(text):
        return set()
    try:
        root = safe_xml.parse(text)
    except etree.XMLSyntaxError:
        return set()
    names: set[str] = set()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = etree.QName(el).localname
        if tag in _NAMED:
            names |= {el.get("name") or "", el.get("id") or ""}
        elif tag == "output":  # a DMN decision table's output column
            names.add(el.get("name") or "")
        elif tag in _TEXT:
            names.add((el.text or "").strip())
        elif tag in _SCRIPTS:
            names |= assigned_names(el.text or "")
        if el.get("resultVariable"):
            names.add(el.get("resultVariable") or "")
    return names


def assigned_names(source: str) -> set[str]:
    """The names a script leaves in the task data: those it assigns outside functions,
    lambdas and comprehensions (their names stay local). Empty when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return set()
    names: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        if not isinstance(node, _LOCAL_SCOPES):
            stack.extend(ast.iter_child_nodes(node))
    return names


_LOCAL_SCOPES = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)

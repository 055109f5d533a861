"""Model validation of variable ownership: no form, service result or message writes a
variable the system owns, and no form overwrites what a service or a citizen's message put in
the process (only the form reaches the process: issue 13)."""

from __future__ import annotations

import json
import re

from lxml import etree

from app.domain.process_variables import SYSTEM_OWNED
from app.engine.errors import Problem
from app.i18n import _, _l

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
RESULT = _l("biến kết quả dịch vụ")
MESSAGE = _l("biến thông điệp")
FORM_FIELD = _l("trường biểu mẫu")


def _system_owned(what: str, variable: str) -> str:
    return _("%(what)s «%(variable)s» là biến do hệ thống quản lý", what=what, variable=variable)


def check_variables(files: dict[str, str], trees: dict[str, etree._Element]) -> list[Problem]:
    """Located problems: a form field, a service task's result variable or a message variable
    named like a system variable; a form field named like a result or message variable."""
    problems: list[Problem] = []
    written: dict[str, str] = {}
    for name, tree in sorted(trees.items()):
        for el, variable, what in _set_by_model(tree):
            if variable in SYSTEM_OWNED:
                message = _system_owned(what, variable)
                line = el.sourceline
                problems.append(Problem(message, name, el.get("id"), line, "system-variable"))
            written.setdefault(variable, what)
    for name, text in sorted(files.items()):
        if name.endswith(".json") and not name.endswith(".test.json"):
            problems += _form(name, text, written)
    return problems


def _set_by_model(tree: etree._Element) -> list[tuple[etree._Element, str, str]]:
    """(element, variable, what sets it) for every service result and message variable."""
    found = []
    for operator in tree.iter(f"{{{NS['spiffworkflow']}}}serviceTaskOperator"):
        variable = (operator.get("resultVariable") or "").strip()
        task = operator.getparent().getparent()
        if variable:
            found.append((task, variable, RESULT))
    for node in tree.iter(f"{{{NS['spiffworkflow']}}}messageVariable"):
        variable = (node.text or "").strip()
        event = next(node.iterancestors(*(f"{{{NS['bpmn']}}}{t}" for t in _EVENTS)), node)
        if variable:
            found.append((event, variable, MESSAGE))
    return found


_EVENTS = (
    "startEvent",
    "intermediateCatchEvent",
    "boundaryEvent",
    "receiveTask",
    "intermediateThrowEvent",
    "endEvent",
    "sendTask",
)


def _form(name: str, text: str, written: dict[str, str]) -> list[Problem]:
    try:
        schema = json.loads(text)
    except json.JSONDecodeError:
        return []  # reported by the form check itself
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        return []
    problems = []
    for field in properties:
        if field in SYSTEM_OWNED:
            code, message = "system-variable", _system_owned(FORM_FIELD, field)
        elif field in written:
            code = "form-field-overwrites"
            message = _(
                "trường biểu mẫu «%(field)s» ghi đè %(what)s cùng tên",
                field=field,
                what=written[field],
            )
        else:
            continue
        problems.append(Problem(message, name, None, _line_of(text, field), code))
    return problems


def _line_of(text: str, field: str) -> int | None:
    match = re.search(re.escape(json.dumps(field, ensure_ascii=False)) + r"\s*:", text)
    return text.count("\n", 0, match.start()) + 1 if match else None

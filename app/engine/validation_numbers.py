"""Numeric extension properties as the model validation (kiểm tra mô hình) reads them: each
is a finite number greater than zero within its range (`durationDays`: working days of a
step), and a literal multi-instance cardinality is a whole number greater than zero."""

from __future__ import annotations

import re

from lxml import etree

from app.domain.worktime import MAX_WORKING_DAYS
from app.engine.errors import Problem
from app.engine.validation_files import NS, Trees
from app.i18n import _

# name → the largest value that makes sense
NUMERIC_PROPERTIES = {"durationDays": float(MAX_WORKING_DAYS)}
# the largest literal cardinality: beyond it the instance would never finish in practice
MAX_CARDINALITY = 1000
_DECIMAL = re.compile(r"\d+(?:\.\d+)?")
_NUMBER_LITERAL = re.compile(
    r"[-+]?\s*(?:(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?|inf|nan|0x[0-9a-f]+)", re.I
)


def number_problems(trees: Trees) -> list[Problem]:
    """Every numeric property of the bundle's BPMN files that is not a usable number, located
    on the element that holds it."""
    found = []
    for name, tree in sorted(trees.items()):
        for prop in tree.iter(f"{{{NS['spiffworkflow']}}}property"):
            most = NUMERIC_PROPERTIES.get(prop.get("name") or "")
            if most is None:
                continue
            error = _number_problem(prop.get("value"), most)
            if error:
                owner = _owner(prop)
                found.append(
                    Problem(
                        _("%(name)s: %(error)s", name=prop.get("name"), error=error),
                        name,
                        owner.get("id"),
                        prop.sourceline,
                    )
                )
        for node in tree.iter(f"{{{NS['bpmn']}}}loopCardinality"):
            error = _cardinality_problem(node.text or "")
            if error:
                owner = node.getparent().getparent()
                found.append(Problem(error, name, owner.get("id"), node.sourceline))
    return found


def _number_problem(value: str | None, most: float) -> str | None:
    text = (value or "").strip()
    if not _DECIMAL.fullmatch(text):
        return _(
            "«%(value)s» không phải số dương (vd 2 hoặc 1.5)",
            value=text,
        )
    number = float(text)
    if number <= 0:
        return _("phải lớn hơn 0, không phải %(value)s", value=text)
    if number > most:
        return _("không được quá %(most)s", most=f"{most:g}")
    return None


def _cardinality_problem(source: str) -> str | None:
    """Only a literal number is judged here (an expression is the sandbox's to check)."""
    text = source.strip()
    if not _NUMBER_LITERAL.fullmatch(text):
        return None
    if not text.isdigit() or not 0 < int(text) <= MAX_CARDINALITY:
        return _(
            "số lần lặp phải là số nguyên từ 1 đến %(most)s, không phải «%(value)s»",
            most=MAX_CARDINALITY,
            value=text,
        )
    return None


def _owner(prop: etree._Element) -> etree._Element:
    """The BPMN element whose extension elements hold `prop`."""
    node = prop
    while node.getparent() is not None and etree.QName(node).localname != "extensionElements":
        node = node.getparent()
    return node.getparent() if node.getparent() is not None else prop

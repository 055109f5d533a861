"""Model validation (kiểm tra mô hình): every problem located by file, element and line.

Runs before the engine ever sees a file: hostile or non-BPMN uploads are refused, then the
BPMN schema, the engine's own parse, and the project's rules (lanes name roles, service tasks
name known operators with typed parameters, forms are valid JSON Schema, scripts/conditions/
timers compile in the sandbox, exclusive gateways are decidable, everything is reachable and
leads somewhere, call activities name a process of the bundle).
"""

from __future__ import annotations

from lxml import etree

from app.engine.definition import parse_bundle
from app.engine.errors import ModelError, Problem
from app.engine.validation_constructs import construct_problems
from app.engine.validation_decisions import decision_code, decision_references, decision_tables
from app.engine.validation_files import (
    NS,
    check_form,
    load_bpmn,
    refuse_doctype,
    schema_problems,
    unsupported,
)
from app.engine.validation_numbers import number_problems
from app.engine.validation_rules import Catalogs, process_rules
from app.engine.variable_ownership import check_variables
from app.engine.variables import bundle_variables
from app.i18n import _l

__all__ = ["Catalogs", "MAX_FILE_BYTES", "validate"]

MAX_FILE_BYTES = 2 * 1024 * 1024


def validate(files: dict[str, str], process_id: str, catalogs: Catalogs) -> list[Problem]:
    """Every problem of the bundle, located; empty when `process_id` may be deployed."""
    problems: list[Problem] = []
    trees: dict[str, etree._Element] = {}
    for name, text in sorted(files.items()):
        if len(text.encode("utf-8")) > MAX_FILE_BYTES:
            problems.append(
                Problem(_l("tệp quá lớn (> %(most)s KB)", most=MAX_FILE_BYTES // 1024), name)
            )
            continue
        if name.endswith(".bpmn"):
            tree = load_bpmn(name, text, problems)
            if tree is not None:
                trees[name] = tree
        elif name.endswith(".dmn"):
            refuse_doctype(name, text, problems)
        elif name.endswith(".json") and not name.endswith(".test.json"):
            check_form(name, text, problems)
    if problems:
        return problems
    for name, tree in trees.items():
        problems += schema_problems(name, tree)
    if problems:
        return problems
    tables, unreadable = decision_tables(files)
    problems += unsupported(trees)
    problems += construct_problems(trees)
    problems += unreadable or decision_references(tables, trees)
    problems += check_variables(files, trees)
    if problems:
        return problems
    try:
        parse_bundle(files, process_id)
    except ModelError as exc:
        problems += exc.problems
    processes = {p.get("id") for tree in trees.values() for p in tree.iterfind("bpmn:process", NS)}
    known = bundle_variables(files)
    for name, tree in trees.items():
        for process in tree.iterfind("bpmn:process", NS):
            problems += process_rules(name, process, catalogs, processes, known)
    problems += decision_code(tables, known)
    problems += number_problems(trees)
    return _unique(problems)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, result = set(), []
    for problem in problems:
        key = (problem.file, problem.element_id, problem.message)
        if key not in seen:
            seen.add(key)
            result.append(problem)
    return result

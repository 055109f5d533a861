"""Model validation (kiểm tra mô hình): every problem at once, each located by file, line,
element id and label, under a stable code.

Every stage that can run does, and their problems are reported together: the files are read
safely (hostile or non-BPMN uploads refused), the BPMN schema, the structure the engine would
refuse (validation_structure) and the elements it does not execute, decision tables and
variables, the engine's own parse (its English translated: engine_messages), the project's
rules (lanes name roles, service tasks name known operators with typed parameters, scripts/
conditions/timers compile in the sandbox, exclusive gateways are decidable, everything is
reachable and leads somewhere, call activities name a process of the bundle). A stage that
cannot run because of an earlier problem says so once; knock-on problems are folded under
their cause (`Problem.consequences`).
"""

from __future__ import annotations

from dataclasses import replace

from lxml import etree

from app.engine.definition import parse_bundle
from app.engine.errors import ModelError, Problem
from app.engine.validation_constructs import NOT_RUN, construct_problems
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
from app.engine.validation_structure import process_problems, structure_problems
from app.engine.variable_ownership import check_variables
from app.engine.variables import bundle_variables
from app.i18n import _l

__all__ = ["Catalogs", "MAX_FILE_BYTES", "blocking", "validate"]

MAX_FILE_BYTES = 2 * 1024 * 1024

# Engine problems explained by one of ours elsewhere in the bundle (besides one on the same
# element or under the same code): engine code → our codes.
_EXPLAINED_BY = {
    "data-association-unresolved": {"unsupported-element"},
    "flow-target-missing": {"flow-end-missing"},
    "event-reference-missing": {"event-reference-missing"},
}


# What makes a file unreadable: later stages do without it.
_UNREADABLE = frozenset({"size", "xml", "not-bpmn", "doctype", "json"})


def blocking(problems: list[Problem]) -> list[Problem]:
    """The problems that stop a deploy (errors; warnings and notes do not)."""
    return [p for p in problems if p.severity == "error"]


def validate(files: dict[str, str], process_id: str, catalogs: Catalogs) -> list[Problem]:
    """Every problem of the bundle, located; no error when `process_id` may be deployed."""
    problems, trees = _read(files)
    refused = {p.file for p in problems if p.code in _UNREADABLE}
    readable = {name: text for name, text in files.items() if name not in refused}
    for name, tree in trees.items():
        problems += schema_problems(name, tree)
    tables, unreadable = decision_tables({n: t for n, t in readable.items() if n.endswith(".dmn")})
    problems += unreadable
    refused_dmn = any(n.endswith(".dmn") and n not in readable for n in files)
    bpmn_refused = any(n.endswith(".bpmn") and n not in trees for n in files)
    ours = [
        # the process asked for may be in a file that could not be read
        *([] if bpmn_refused else process_problems(trees, process_id)),
        *structure_problems(trees),
        *unsupported(trees),
        *construct_problems(trees),
        *number_problems(trees),
    ]
    if unreadable or refused_dmn:
        ours.append(_skipped(_l("chưa kiểm tra bảng quyết định mà các bước gọi")))
    else:
        ours += decision_references(tables, trees)
    ours += check_variables(readable, trees)
    # the names a script may use come from every file: with one unread, unknown names pass
    known = bundle_variables(readable) if not refused else None
    if refused:
        ours.append(_skipped(_l("chưa đối chiếu tên biến trong mã với biểu mẫu và mô hình")))
    processes = {p.get("id") for tree in trees.values() for p in tree.iterfind("bpmn:process", NS)}
    for name, tree in trees.items():
        for process in tree.iterfind("bpmn:process", NS):
            ours += process_rules(name, process, catalogs, processes, known)
    ours += decision_code(tables, known)
    ours = _under_constructs(ours)
    if refused or unreadable or any(p.code == "schema" for p in problems):
        ours.append(_skipped(_l("chưa kiểm tra bằng máy quy trình")))
    else:
        ours = _fold(ours, _engine_problems(files, trees, process_id))
    index = _index(trees)
    return _unique([_located(p, index) for p in (*problems, *ours)])


def _read(files: dict[str, str]) -> tuple[list[Problem], dict[str, etree._Element]]:
    """Each file read safely: why one cannot be, and the BPMN files parsed."""
    problems: list[Problem] = []
    trees: dict[str, etree._Element] = {}
    for name, text in sorted(files.items()):
        if len(text.encode("utf-8")) > MAX_FILE_BYTES:
            most = MAX_FILE_BYTES // 1024
            problems.append(
                Problem(_l("tệp quá lớn (> %(most)s KB)", most=most), name, code="size")
            )
        elif name.endswith(".bpmn"):
            tree = load_bpmn(name, text, problems)
            if tree is not None:
                trees[name] = tree
        elif name.endswith(".dmn"):
            refuse_doctype(name, text, problems)
        elif name.endswith(".json") and not name.endswith(".test.json"):
            check_form(name, text, problems)
    return problems, trees


def _skipped(what: str) -> Problem:
    return Problem(
        _l("%(what)s: cần sửa các lỗi đọc tệp và lược đồ ở trên trước", what=what),
        code="stage-skipped",
        severity="info",
    )


def _engine_problems(
    files: dict[str, str], trees: dict[str, etree._Element], process_id: str
) -> list[Problem]:
    """What the engine's own parse refuses, translated. Processes not marked executable are
    parsed as if they were (reported by our own check), so the engine looks past them."""
    marked, rewritten = dict(files), set()
    for name, tree in trees.items():
        pending = [p for p in tree.iterfind("bpmn:process", NS) if p.get("isExecutable") != "true"]
        if pending:
            copy = etree.fromstring(etree.tostring(tree))
            for process in copy.iterfind("bpmn:process", NS):
                process.set("isExecutable", "true")
            marked[name] = etree.tostring(copy, encoding="unicode")
            rewritten.add(name)
    try:
        parse_bundle(marked, process_id)
    except ModelError as exc:
        # a line in a rewritten file is the copy's: the element's own is filled in later
        return [replace(p, line=None) if p.file in rewritten else p for p in exc.problems]
    return []


def _fold(ours: list[Problem], engine: list[Problem]) -> list[Problem]:
    """Our problems with each engine problem they explain folded under them (one on the same
    element, under the same code, or of a kind `_EXPLAINED_BY` names; dropped when it says
    the same as ours or as one already folded under it); the rest after."""
    result = list(ours)
    for problem in engine:
        explains = _EXPLAINED_BY.get(problem.code, set()) | {problem.code}
        for i, mine in enumerate(result):
            if mine.severity != "info" and (
                (problem.element_id and mine.element_id == problem.element_id)
                or mine.code in explains
            ):
                said = {(p.element_id, p.code) for p in (mine, *mine.consequences)}
                if (problem.element_id, problem.code) not in said:
                    result[i] = replace(mine, consequences=(*mine.consequences, problem))
                break
        else:
            result.append(problem)
    return result


def _under_constructs(ours: list[Problem]) -> list[Problem]:
    """Each other problem of an element whose construct no test runs, folded under that one:
    the element must be replaced, so fixing them would not make it run."""
    causes = {p.element_id: p for p in ours if p.code == NOT_RUN and p.element_id}
    folded: dict[str, list[Problem]] = {}
    rest = []
    for problem in ours:
        cause = causes.get(problem.element_id or "")
        if cause is not None and problem is not cause and problem.severity != "info":
            folded.setdefault(cause.element_id or "", []).append(problem)
        else:
            rest.append(problem)
    return [
        replace(p, consequences=(*p.consequences, *folded[p.element_id or ""]))
        if p is causes.get(p.element_id or "") and p.element_id in folded
        else p
        for p in rest
    ]


Index = dict[str, list[tuple[str, etree._Element]]]


def _index(trees: dict[str, etree._Element]) -> Index:
    """Every element with an id: id → [(file, element)], files in name order."""
    found: Index = {}
    for name, tree in sorted(trees.items()):
        for el in tree.iter():
            if isinstance(el.tag, str) and el.get("id"):
                found.setdefault(el.get("id"), []).append((name, el))
    return found


def _located(problem: Problem, index: Index) -> Problem:
    """`problem` with its file, line and element label filled in from the bundle where the
    check that found it knew only the element's id; its consequences too."""
    more = tuple(_located(p, index) for p in problem.consequences)
    places = [
        (file, el)
        for file, el in index.get(problem.element_id or "", [])
        if problem.file in (None, file)
    ]
    if not places:
        return replace(problem, consequences=more) if more else problem
    file, el = places[0]
    return replace(
        problem,
        file=file,
        line=problem.line or el.sourceline,
        name=problem.name or " ".join((el.get("name") or "").split()) or None,
        consequences=more,
    )


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, result = set(), []
    for problem in problems:
        key = (problem.file, problem.element_id, problem.code, str(problem.message))
        if key not in seen:
            seen.add(key)
            result.append(problem)
    return result

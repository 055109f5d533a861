"""Model validation (kiểm tra mô hình): every problem located by file, element and line.

Runs before the engine ever sees a file: hostile or non-BPMN uploads are refused, then the
BPMN schema, the engine's own parse, and the project's rules (lanes name roles, service tasks
name known operators with typed parameters, forms are valid JSON Schema, scripts/conditions/
timers compile in the sandbox, exclusive gateways are decidable, everything is reachable and
leads somewhere, call activities name a process of the bundle).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from jsonschema import Draft202012Validator, SchemaError
from lxml import etree
from SpiffWorkflow.spiff.parser import VALIDATOR

from app.engine import safe_xml
from app.engine.definition import parse_bundle
from app.engine.errors import ModelError, Problem
from app.engine.sandbox import check_expression, check_script
from app.engine.variable_ownership import check_variables
from app.engine.variables import bundle_variables
from app.i18n import _, _l

MAX_FILE_BYTES = 2 * 1024 * 1024
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
_FLOW_NODES = (
    "task",
    "userTask",
    "manualTask",
    "scriptTask",
    "serviceTask",
    "sendTask",
    "receiveTask",
    "businessRuleTask",
    "callActivity",
    "subProcess",
    "startEvent",
    "endEvent",
    "intermediateThrowEvent",
    "intermediateCatchEvent",
    "boundaryEvent",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
)
_PYTHON_TYPES = {
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "dict": dict,
    "list": list,
    "any": object,
}
ISO_DURATION = re.compile(
    r"^-?P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"
)


@dataclass(frozen=True)
class Catalogs:
    """What the project knows: which lanes name roles, which operators exist and their params."""

    role_for_lane: Callable[[str | None], str | None]
    operators: dict[str, dict[str, type]] = field(default_factory=dict)


def validate(files: dict[str, str], process_id: str, catalogs: Catalogs) -> list[Problem]:
    problems: list[Problem] = []
    trees: dict[str, etree._Element] = {}
    for name, text in sorted(files.items()):
        if len(text.encode("utf-8")) > MAX_FILE_BYTES:
            problems.append(
                Problem(_l("tệp quá lớn (> %(most)s KB)", most=MAX_FILE_BYTES // 1024), name)
            )
            continue
        if name.endswith(".bpmn"):
            tree = _load_xml(name, text, problems)
            if tree is not None:
                trees[name] = tree
        elif name.endswith(".dmn"):
            _doctype(name, text, problems)
        elif name.endswith(".json") and not name.endswith(".test.json"):
            _check_form(name, text, problems)
    if problems:
        return problems
    for name, tree in trees.items():
        problems += _schema(name, tree)
    if problems:
        return problems
    tables, unreadable = _decision_tables(files)
    problems += _unsupported(trees)
    problems += unreadable or _decisions(tables, trees)
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
            problems += _rules(name, process, catalogs, processes, known)
    problems += _decision_code(tables, known)
    return _unique(problems)


# BPMN elements SpiffWorkflow does not execute: reported by name and id before the engine
# parses the file (its own message would be a bare English sentence).
UNSUPPORTED = {
    "complexGateway": _l("cổng phức hợp"),
    "adHocSubProcess": _l("quy trình con tuỳ biến (ad hoc)"),
    "choreographyTask": _l("tác vụ vũ đạo (choreography)"),
    "subChoreography": _l("vũ đạo con"),
    "callChoreography": _l("gọi vũ đạo"),
}


def _unsupported(trees: dict[str, etree._Element]) -> list[Problem]:
    found = []
    for name, tree in trees.items():
        for el in tree.iter():
            if not isinstance(el.tag, str):
                continue
            tag = etree.QName(el).localname
            if etree.QName(el).namespace == NS["bpmn"] and tag in UNSUPPORTED:
                label = el.get("name") or el.get("id")
                found.append(
                    Problem(
                        _l(
                            "«%(label)s» (%(kind)s, bpmn:%(tag)s) chưa được máy quy trình hỗ trợ",
                            label=label,
                            kind=UNSUPPORTED[tag],
                            tag=tag,
                        ),
                        name,
                        el.get("id"),
                        el.sourceline,
                    )
                )
    return found


Trees = dict[str, etree._Element]


def _decision_tables(files: dict[str, str]) -> tuple[Trees, list[Problem]]:
    """The bundle's DMN files parsed once (a DOCTYPE was refused before); the first unreadable
    one as the only problem."""
    tables = {}
    for name, text in files.items():
        if name.endswith(".dmn"):
            try:
                tables[name] = safe_xml.parse(text)
            except etree.XMLSyntaxError as exc:
                problem = Problem(
                    _l("DMN không hợp lệ: %(msg)s", msg=exc.msg), name, None, exc.lineno
                )
                return {}, [problem]
    return tables, []


def _decisions(tables: Trees, trees: Trees) -> list[Problem]:
    """Business rule tasks must name a decision of one of the bundle's DMN files."""
    known = {
        el.get("id")
        for root in tables.values()
        for el in root.iter()
        if etree.QName(el).localname == "decision"
    }
    found = []
    for name, tree in trees.items():
        for el in tree.iter(f"{{{NS['bpmn']}}}businessRuleTask"):
            decision = el.findtext(".//spiffworkflow:calledDecisionId", default="", namespaces=NS)
            if not decision.strip():
                message = _("chưa chọn bảng quyết định (DMN)")
            elif decision.strip() not in known:
                message = _(
                    "bảng quyết định «%(decision)s» không có trong gói", decision=decision.strip()
                )
            else:
                continue
            found.append(Problem(message, name, el.get("id"), el.sourceline))
    return found


def _doctype(name: str, text: str, problems: list[Problem]) -> bool:
    """Refuses (and reports) a BPMN or DMN file declaring a DOCTYPE or entities (XXE, billion
    laughs): SpiffWorkflow's own parser must never see one."""
    if not safe_xml.declares_entities(text):
        return False
    problems.append(
        Problem(
            _l("tệp chứa khai báo DOCTYPE/ENTITY, bị từ chối vì lý do an toàn"),
            name,
        )
    )
    return True


def _load_xml(name: str, text: str, problems: list[Problem]) -> etree._Element | None:
    if _doctype(name, text, problems):
        return None
    try:
        root = safe_xml.parse(text)
    except etree.XMLSyntaxError as exc:
        problems.append(
            Problem(_l("XML không hợp lệ: %(msg)s", msg=exc.msg), name, None, exc.lineno)
        )
        return None
    if etree.QName(root).localname != "definitions" or etree.QName(root).namespace != NS["bpmn"]:
        problems.append(Problem(_l("không phải tệp BPMN 2.0 (thiếu bpmn:definitions)"), name))
        return None
    return root


def _schema(name: str, tree: etree._Element) -> list[Problem]:
    validator = VALIDATOR.validator
    if validator.validate(tree):
        return []
    return [
        Problem(_l("sai lược đồ BPMN: %(detail)s", detail=e.message), name, None, e.line)
        for e in list(validator.error_log)[:20]
    ]


def _check_form(name: str, text: str, problems: list[Problem]) -> None:
    try:
        schema = json.loads(text)
        Draft202012Validator.check_schema(schema)
    except json.JSONDecodeError as exc:
        problems.append(
            Problem(_l("JSON không hợp lệ: %(msg)s", msg=exc.msg), name, None, exc.lineno)
        )
    except SchemaError as exc:
        problems.append(
            Problem(_l("JSON Schema không hợp lệ: %(detail)s", detail=exc.message), name)
        )


def _rules(
    name: str,
    process: etree._Element,
    catalogs: Catalogs,
    processes: set[str | None],
    known: frozenset[str],
) -> list[Problem]:
    problems: list[Problem] = []
    nodes = {
        el.get("id"): el for tag in _FLOW_NODES for el in process.iter(f"{{{NS['bpmn']}}}{tag}")
    }
    flows = list(process.iter(f"{{{NS['bpmn']}}}sequenceFlow"))

    def at(el: etree._Element, message: str) -> None:
        problems.append(Problem(message, name, el.get("id"), el.sourceline))

    lanes = {
        ref.text.strip(): lane.get("name")
        for lane in process.iter(f"{{{NS['bpmn']}}}lane")
        for ref in lane.iterfind("bpmn:flowNodeRef", NS)
        if ref.text
    }
    for el in process.iter(f"{{{NS['bpmn']}}}userTask"):
        lane = lanes.get(el.get("id"))
        if lane is None:
            at(el, _("công việc của người dùng không thuộc làn nào"))
        elif catalogs.role_for_lane(lane) is None:
            at(el, _("làn «%(lane)s» không ứng với vai trò nào", lane=lane))
        for prop in el.iterfind(".//spiffworkflow:property[@name='dataVisibleTo']", NS):
            for code in (prop.get("value") or "").split(","):
                if code.strip() and catalogs.role_for_lane(code.strip()) != code.strip():
                    at(el, _("dataVisibleTo: «%(code)s» không phải mã vai trò", code=code.strip()))
        form = el.findtext(".//spiffworkflow:formJsonSchemaFilename", default="", namespaces=NS)
        if not form.strip():
            at(el, _("bước của người dùng chưa có biểu mẫu"))
    for el in process.iter(f"{{{NS['bpmn']}}}serviceTask"):
        _service(el, catalogs, at, known)
    for el in process.iter(f"{{{NS['bpmn']}}}scriptTask"):
        script = el.findtext("bpmn:script", default="", namespaces=NS)
        errors = check_script(script, known) if script.strip() else [_("kịch bản rỗng")]
        for error in errors:
            at(el, _("kịch bản: %(error)s", error=error))
    _code(process, known, at)
    for flow in flows:
        condition = flow.findtext("bpmn:conditionExpression", default="", namespaces=NS).strip()
        if condition:
            for error in check_expression(condition, known):
                at(flow, _("điều kiện: %(error)s", error=error))
    for el in process.iter(f"{{{NS['bpmn']}}}timerEventDefinition"):
        _timer(el, at, known)
    _gateways(process, flows, at)
    _reachability(nodes, flows, at)
    for el in process.iter(f"{{{NS['bpmn']}}}callActivity"):
        if el.get("calledElement") not in processes:
            at(
                el,
                _("gọi quy trình «%(el)s» không có trong gói", el=el.get("calledElement")),
            )
    return problems


# The other code the sandbox runs, besides scripts, conditions, timers and parameters:
# (namespace, element, what it is called, its check).
_OTHER_CODE = (
    ("spiffworkflow", "preScript", _l("kịch bản trước"), check_script),
    ("spiffworkflow", "postScript", _l("kịch bản sau"), check_script),
    ("bpmn", "loopCardinality", _l("số lần lặp"), check_expression),
    ("bpmn", "completionCondition", _l("điều kiện kết thúc"), check_expression),
)


def _code(process: etree._Element, known: frozenset[str], at: Callable) -> None:
    """Scripts before and after a task, multi-instance cardinality and completion conditions;
    located on the element that holds them."""
    for namespace, tag, label, check in _OTHER_CODE:
        for node in process.iter(f"{{{NS[namespace]}}}{tag}"):
            source = node.text or ""
            for error in check(source, known) if source.strip() else []:
                at(node.getparent().getparent(), f"{label}: {error}")


def _decision_code(tables: Trees, known: frozenset[str]) -> list[Problem]:
    """Decision tables' input expressions and output entries run in the sandbox too."""
    found = []
    for name, root in sorted(tables.items()):
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            if etree.QName(el).localname not in ("inputExpression", "outputEntry"):
                continue
            source = (el.findtext("{*}text") or "").strip()
            for error in check_expression(source, known) if source else []:
                found.append(
                    Problem(
                        _l("biểu thức: %(error)s", error=error), name, el.get("id"), el.sourceline
                    )
                )
    return found


def _service(el: etree._Element, catalogs: Catalogs, at: Callable, known: frozenset[str]) -> None:
    operator = el.find("bpmn:extensionElements/spiffworkflow:serviceTaskOperator", NS)
    if operator is None:
        at(el, _("tác vụ dịch vụ chưa chọn dịch vụ"))
        return
    expected = catalogs.operators.get(operator.get("id", ""))
    if expected is None:
        at(el, _("không có dịch vụ «%(operator)s»", operator=operator.get("id")))
        return
    given = {p.get("id"): p for p in operator.iter(f"{{{NS['spiffworkflow']}}}parameter")}
    for param, kind in expected.items():
        node = given.get(param)
        if node is None:
            at(el, _("thiếu tham số «%(param)s»", param=param))
            continue
        declared = _PYTHON_TYPES.get(node.get("type", ""))
        if declared is not None and declared is not object and declared is not kind:
            at(
                el,
                _("tham số «%(param)s» phải có kiểu %(kind)s", param=param, kind=kind.__name__),
            )
        for error in check_expression(node.get("value", ""), known):
            at(el, _("tham số «%(param)s»: %(error)s", param=param, error=error))


def _timer(el: etree._Element, at: Callable, known: frozenset[str]) -> None:
    event = el.getparent()
    expression = next(
        (
            child.text or ""
            for child in el
            if etree.QName(child).localname in ("timeDuration", "timeDate", "timeCycle")
        ),
        "",
    ).strip()
    if not expression:
        at(event, _("hẹn giờ chưa có biểu thức"))
        return
    errors = check_expression(expression, known)
    for error in errors:
        at(event, _("hẹn giờ: %(error)s", error=error))
    literal = re.fullmatch(r"""(['"])(.*)\1""", expression)
    if (
        not errors
        and literal
        and literal.group(2).startswith("P")
        and not ISO_DURATION.match(literal.group(2))
    ):
        at(
            event,
            _("khoảng thời gian ISO 8601 không hợp lệ: %(literal)s", literal=literal.group(2)),
        )


def _gateways(process: etree._Element, flows: list, at: Callable) -> None:
    for gateway in process.iter(f"{{{NS['bpmn']}}}exclusiveGateway"):
        outgoing = [f for f in flows if f.get("sourceRef") == gateway.get("id")]
        if len(outgoing) < 2:
            continue
        default = gateway.get("default")
        for flow in outgoing:
            has_condition = flow.find("bpmn:conditionExpression", NS) is not None
            if not has_condition and flow.get("id") != default:
                at(
                    flow,
                    _("nhánh ra khỏi cổng rẽ nhánh thiếu điều kiện và không là nhánh mặc định"),
                )


def _reachability(nodes: dict, flows: list, at: Callable) -> None:
    successors: dict[str, list[str]] = {}
    for flow in flows:
        successors.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    for node_id, el in nodes.items():
        if etree.QName(el).localname == "boundaryEvent":
            successors.setdefault(el.get("attachedToRef"), []).append(node_id)
    starts = [
        i
        for i, el in nodes.items()
        if etree.QName(el).localname == "startEvent"
        and etree.QName(el.getparent()).localname == "process"
    ]
    seen, stack = set(starts), list(starts)
    while stack:
        for nxt in successors.get(stack.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    for node_id, el in nodes.items():
        kind = etree.QName(el).localname
        top_level = etree.QName(el.getparent()).localname == "process"
        if top_level and node_id not in seen and kind != "startEvent":
            at(el, _("không thể tới được phần tử này từ sự kiện bắt đầu"))
        if (
            top_level
            and kind != "endEvent"
            and not [f for f in flows if f.get("sourceRef") == node_id]
        ):
            at(el, _("phần tử không dẫn tới đâu (thiếu luồng ra)"))


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, result = set(), []
    for problem in problems:
        key = (problem.file, problem.element_id, problem.message)
        if key not in seen:
            seen.add(key)
            result.append(problem)
    return result

"""The project's rules on each process of a bundle (part of the model validation, kiểm tra
mô hình): lanes name roles, user tasks have forms, service tasks name known operators with
typed parameters, scripts/conditions/timers compile in the sandbox, exclusive gateways are
decidable, everything is reachable and leads somewhere, call activities name a process of the
bundle."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from app.engine.errors import Problem
from app.engine.sandbox import check_expression, check_script
from app.engine.validation_files import FLOW_NODES, NS
from app.engine.validation_flow import flow_problems
from app.engine.validation_timers import timer_problems
from app.i18n import _, _l

_PYTHON_TYPES = {
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "dict": dict,
    "list": list,
    "any": object,
}


@dataclass(frozen=True)
class Catalogs:
    """What the project knows: which lanes name roles, which operators exist and their params."""

    role_for_lane: Callable[[str | None], str | None]
    operators: dict[str, dict[str, type]] = field(default_factory=dict)


def process_rules(
    name: str,
    process: etree._Element,
    catalogs: Catalogs,
    processes: set[str | None],
    known: frozenset[str] | None,
) -> list[Problem]:
    """Every way one process breaks the project's rules, located by element; `known` (the
    bundle's variables) None when a file could not be read: unknown names then pass."""
    problems: list[Problem] = []
    nodes = {
        el.get("id"): el for tag in FLOW_NODES for el in process.iter(f"{{{NS['bpmn']}}}{tag}")
    }
    flows = list(process.iter(f"{{{NS['bpmn']}}}sequenceFlow"))

    def at(el: etree._Element, message: str, code: str = "model") -> None:
        label = el.get("name") or None
        problems.append(Problem(message, name, el.get("id"), el.sourceline, code, name=label))

    lanes = {
        ref.text.strip(): lane.get("name")
        for lane in process.iter(f"{{{NS['bpmn']}}}lane")
        for ref in lane.iterfind("bpmn:flowNodeRef", NS)
        if ref.text
    }
    for el in process.iter(f"{{{NS['bpmn']}}}userTask"):
        lane = lanes.get(el.get("id"))
        if lane is None:
            at(el, _("công việc của người dùng không thuộc làn nào"), "user-task-without-lane")
        elif catalogs.role_for_lane(lane) is None:
            at(el, _("làn «%(lane)s» không ứng với vai trò nào", lane=lane), "lane-without-role")
        for prop in el.iterfind(".//spiffworkflow:property[@name='dataVisibleTo']", NS):
            for code in (prop.get("value") or "").split(","):
                if code.strip() and catalogs.role_for_lane(code.strip()) != code.strip():
                    message = _(
                        "dataVisibleTo: «%(code)s» không phải mã vai trò", code=code.strip()
                    )
                    at(el, message, "data-visible-to-unknown-role")
        _performer_of(el, nodes, at)
        form = el.findtext(".//spiffworkflow:formJsonSchemaFilename", default="", namespaces=NS)
        if not form.strip():
            at(el, _("bước của người dùng chưa có biểu mẫu"), "user-task-without-form")
    for el in process.iter(f"{{{NS['bpmn']}}}serviceTask"):
        _service(el, catalogs, at, known)
    for el in process.iter(f"{{{NS['bpmn']}}}scriptTask"):
        script = el.findtext("bpmn:script", default="", namespaces=NS)
        errors = check_script(script, known) if script.strip() else [_("kịch bản rỗng")]
        for error in errors:
            at(el, _("kịch bản: %(error)s", error=error), "script")
    _code(process, known, at)
    for flow in flows:
        condition = flow.findtext("bpmn:conditionExpression", default="", namespaces=NS).strip()
        if condition:
            for error in check_expression(condition, known):
                at(flow, _("điều kiện: %(error)s", error=error), "condition")
    for el in process.iter(f"{{{NS['bpmn']}}}timerEventDefinition"):
        _timer(el, lambda event, message: at(event, message, "timer"), known)
    _gateways(process, flows, at)
    problems += flow_problems(name, process, nodes, flows)
    for el in process.iter(f"{{{NS['bpmn']}}}callActivity"):
        if el.get("calledElement") not in processes:
            at(
                el,
                _("gọi quy trình «%(el)s» không có trong gói", el=el.get("calledElement")),
                "call-activity-unknown-process",
            )
    return problems


def _performer_of(el: etree._Element, nodes: dict, at: Callable) -> None:
    """`assignToPerformerOf` names a user task of the same process whose last performer gets
    this step (the runtime still checks the officer's role and agency)."""
    for prop in el.iterfind(".//spiffworkflow:property[@name='assignToPerformerOf']", NS):
        target = (prop.get("value") or "").strip()
        node = nodes.get(target)
        if node is None or etree.QName(node).localname != "userTask":
            at(
                el,
                _(
                    "assignToPerformerOf: «%(target)s» không phải bước của người dùng "
                    "trong quy trình",
                    target=target,
                ),
                "assign-to-performer-of-unknown",
            )


# The other code the sandbox runs, besides scripts, conditions, timers and parameters:
# (namespace, element, what it is called, its check).
_OTHER_CODE = (
    ("spiffworkflow", "preScript", _l("kịch bản trước"), check_script),
    ("spiffworkflow", "postScript", _l("kịch bản sau"), check_script),
    ("bpmn", "loopCardinality", _l("số lần lặp"), check_expression),
    ("bpmn", "completionCondition", _l("điều kiện kết thúc"), check_expression),
)
_CODE_OF = {
    "preScript": "pre-script",
    "postScript": "post-script",
    "loopCardinality": "loop-cardinality",
    "completionCondition": "completion-condition",
}


def _code(process: etree._Element, known: frozenset[str], at: Callable) -> None:
    """Scripts before and after a task, multi-instance cardinality and completion conditions;
    located on the element that holds them."""
    for namespace, tag, label, check in _OTHER_CODE:
        for node in process.iter(f"{{{NS[namespace]}}}{tag}"):
            source = node.text or ""
            for error in check(source, known) if source.strip() else []:
                at(node.getparent().getparent(), f"{label}: {error}", _CODE_OF[tag])


def _service(el: etree._Element, catalogs: Catalogs, at: Callable, known: frozenset[str]) -> None:
    """A service task names a known operator and gives each parameter, typed and safe."""
    operator = el.find("bpmn:extensionElements/spiffworkflow:serviceTaskOperator", NS)
    if operator is None:
        at(el, _("tác vụ dịch vụ chưa chọn dịch vụ"), "service-without-operator")
        return
    expected = catalogs.operators.get(operator.get("id", ""))
    if expected is None:
        at(
            el,
            _("không có dịch vụ «%(operator)s»", operator=operator.get("id")),
            "service-unknown-operator",
        )
        return
    given = {p.get("id"): p for p in operator.iter(f"{{{NS['spiffworkflow']}}}parameter")}
    for param, kind in expected.items():
        node = given.get(param)
        if node is None:
            at(el, _("thiếu tham số «%(param)s»", param=param), "service-parameter-missing")
            continue
        declared = _PYTHON_TYPES.get(node.get("type", ""))
        if declared is not None and declared is not object and declared is not kind:
            at(
                el,
                _("tham số «%(param)s» phải có kiểu %(kind)s", param=param, kind=kind.__name__),
                "service-parameter-type",
            )
        for error in check_expression(node.get("value", ""), known):
            message = _("tham số «%(param)s»: %(error)s", param=param, error=error)
            at(el, message, "service-parameter-code")


def _timer(el: etree._Element, at: Callable, known: frozenset[str]) -> None:
    """A timer is an ISO 8601 literal of its kind or a safe expression (validation_timers)."""
    for message in timer_problems(el, known):
        at(el.getparent(), message)


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
                    "gateway-branch-without-condition",
                )

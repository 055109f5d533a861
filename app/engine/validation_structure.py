"""What the engine would refuse in a bundle's structure, found first and located (part of the
model validation, kiểm tra mô hình): the process asked for is in the bundle and executable, a
multi-instance activity says how many times, a sub-process has one start event, only
gateways and start events split the flow, flows and events point at what exists.

SpiffWorkflow stops at the first of these with an English sentence; found here, every one is
reported at once, with its element, line and a catalogued message.
"""

from __future__ import annotations

from lxml import etree

from app.engine.errors import Problem
from app.engine.validation_files import NS, Trees
from app.i18n import _l

_BPMN = f"{{{NS['bpmn']}}}"
# Flow nodes that may have more than one outgoing sequence flow (the others need a gateway).
_SPLITTERS = frozenset(
    {
        "exclusiveGateway",
        "parallelGateway",
        "inclusiveGateway",
        "eventBasedGateway",
        "complexGateway",
        "startEvent",
    }
)
_CONTAINERS = ("process", "subProcess", "transaction")
# event definition → (its reference attribute, the root element it names)
_EVENT_REFERENCES = {
    "messageEventDefinition": ("messageRef", "message"),
    "signalEventDefinition": ("signalRef", "signal"),
    "errorEventDefinition": ("errorRef", "error"),
    "escalationEventDefinition": ("escalationRef", "escalation"),
}


def _at(name: str, el: etree._Element, code: str, message: str) -> Problem:
    return Problem(message, name, el.get("id"), el.sourceline, code, name=el.get("name") or None)


def processes_of(trees: Trees) -> dict[str, tuple[str, etree._Element]]:
    """Every process of the bundle by id: (file, element)."""
    return {
        process.get("id"): (name, process)
        for name, tree in sorted(trees.items())
        for process in tree.iterfind("bpmn:process", NS)
        if process.get("id")
    }


def described(processes: dict[str, tuple[str, etree._Element]]) -> str:
    """The processes found, for a message: `id («name»)`, comma separated."""
    return ", ".join(
        f"{pid} («{el.get('name')}»)" if el.get("name") else pid
        for pid, (_file, el) in processes.items()
    )


def process_problems(trees: Trees, process_id: str) -> list[Problem]:
    """The process asked for is in the bundle; it and the processes it calls are executable."""
    processes = processes_of(trees)
    if process_id not in processes:
        if not processes:
            return [Problem(_l("gói không có quy trình nào"), code="no-process")]
        return [
            Problem(
                _l(
                    "gói không có quy trình «%(process)s»; các quy trình có trong gói: %(found)s",
                    process=process_id,
                    found=described(processes),
                ),
                code="process-not-found",
            )
        ]
    called = {
        el.get("calledElement")
        for tree in trees.values()
        for el in tree.iter(f"{_BPMN}callActivity")
    }
    found = []
    for pid, (name, process) in processes.items():
        if (pid == process_id or pid in called) and process.get("isExecutable") != "true":
            message = _l(
                "quy trình «%(process)s» chưa được đánh dấu là thực thi được (isExecutable)",
                process=pid,
            )
            found.append(_at(name, process, "process-not-executable", message))
    return found


def structure_problems(trees: Trees) -> list[Problem]:
    """Every place where the engine would stop on the bundle's structure, located."""
    found: list[Problem] = []
    for name, tree in sorted(trees.items()):
        for tag in _CONTAINERS:
            for container in tree.iter(f"{_BPMN}{tag}"):
                found += _flows(name, container)
                if tag != "process":
                    found += _start_events(name, container)
        found += _multi_instance(name, tree)
        found += _event_references(name, tree)
    return found


def _start_events(name: str, container: etree._Element) -> list[Problem]:
    count = len(container.findall("bpmn:startEvent", NS))
    if count == 1:
        return []
    message = _l("quy trình con phải có đúng một sự kiện bắt đầu (đang có %(count)s)", count=count)
    return [_at(name, container, "subprocess-start-events", message)]


def _flows(name: str, container: etree._Element) -> list[Problem]:
    """In one process or sub-process: flows join elements of it; only splitters split."""
    found = []
    children = {child.get("id"): child for child in container if isinstance(child.tag, str)}
    outgoing: dict[str, int] = {}
    for flow in container.iterfind("bpmn:sequenceFlow", NS):
        for end in ("sourceRef", "targetRef"):
            ref = flow.get(end)
            if ref not in children:
                message = _l(
                    "luồng nối tới «%(ref)s», không phải phần tử nào trong cùng quy trình",
                    ref=ref or "",
                )
                found.append(_at(name, flow, "flow-end-missing", message))
        outgoing[flow.get("sourceRef")] = outgoing.get(flow.get("sourceRef"), 0) + 1
    for node_id, count in outgoing.items():
        node = children.get(node_id)
        if node is None or count < 2 or etree.QName(node).localname in _SPLITTERS:
            continue
        message = _l(
            "phần tử có %(count)s luồng ra: hãy tách nhánh bằng một cổng (gateway) sau nó",
            count=count,
        )
        found.append(_at(name, node, "multiple-outgoing-flows", message))
    return found


def _multi_instance(name: str, tree: etree._Element) -> list[Problem]:
    found = []
    for loop in tree.iter(f"{_BPMN}multiInstanceLoopCharacteristics"):
        has_cardinality = loop.find("bpmn:loopCardinality", NS) is not None
        has_input = loop.find("bpmn:loopDataInputRef", NS) is not None
        if has_cardinality and has_input:
            code = "multi-instance-cardinality-and-input"
            message = _l(
                "hoạt động lặp nhiều lần chỉ được có một trong số lần lặp hoặc danh sách đầu vào"
            )
        elif not (has_cardinality or has_input):
            code = "multi-instance-without-cardinality"
            message = _l(
                "hoạt động lặp nhiều lần chưa có số lần lặp (loopCardinality) hay danh sách "
                "đầu vào (loopDataInputRef)"
            )
        else:
            continue
        found.append(_at(name, loop.getparent(), code, message))
    return found


def _event_references(name: str, tree: etree._Element) -> list[Problem]:
    found = []
    for definition, (attribute, target) in _EVENT_REFERENCES.items():
        known = {el.get("id") for el in tree.iterfind(f"bpmn:{target}", NS)}
        for el in tree.iter(f"{_BPMN}{definition}"):
            ref = el.get(attribute)
            if ref is not None and ref not in known:
                message = _l(
                    "sự kiện trỏ tới «%(ref)s» (bpmn:%(target)s) không có trong tệp",
                    ref=ref,
                    target=target,
                )
                found.append(_at(name, el.getparent(), "event-reference-missing", message))
    return found

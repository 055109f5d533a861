"""Which BPMN constructs the model validation (kiểm tra mô hình) accepts: exactly those a test
takes an instance through (`tests/engine/test_constructs_run.py`, over the small models of
`tests/engine/models/constructs/`). A construct is an element kind with what changes how it
runs: an event with its event definition (and, on a boundary, whether it interrupts), an
activity with its loop. Anything else is refused here, located, before an instance could fail
on it; the test fails when a construct is listed here and no model runs through it."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from app.engine.errors import Problem
from app.engine.validation_files import ACTIVITIES, EVENTS, NS, UNSUPPORTED, Trees
from app.i18n import _

# the gateways a model here runs (a complex gateway is not one)
_GATEWAYS = ("exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway")
_LOOPS = {
    "standardLoopCharacteristics": "loop",
    "multiInstanceLoopCharacteristics": "multiInstance",
}
# Elements outside the flow the engine would trip on.
_OTHERS = ("dataStoreReference",)
# A boundary event of no kind is incomplete rather than foreign: the engine's own check says
# what it lacks (catch-event-without-definition), which helps more than "replace it".
_INCOMPLETE = frozenset({"boundaryEvent"})

# The code of a construct no test runs: every other problem of its element folds under it.
NOT_RUN = "construct-not-run"

RUNNABLE = frozenset(
    {
        "task",
        "userTask",
        "manualTask",
        "scriptTask",
        "serviceTask",
        "receiveTask",
        "businessRuleTask",
        "callActivity",
        "subProcess",
        "exclusiveGateway",
        "parallelGateway",
        "inclusiveGateway",
        "eventBasedGateway",
        "startEvent",
        "startEvent/timer",
        "endEvent",
        "endEvent/terminate",
        "endEvent/error",
        "intermediateThrowEvent",
        "intermediateThrowEvent/signal",
        "intermediateCatchEvent/timer",
        "intermediateCatchEvent/message",
        "intermediateCatchEvent/signal",
        "boundaryEvent/timer/interrupting",
        "boundaryEvent/timer/non-interrupting",
        "boundaryEvent/message/interrupting",
        "boundaryEvent/message/non-interrupting",
        "boundaryEvent/error/interrupting",
        "boundaryEvent/signal/interrupting",
        "multiInstance/parallel",
        "multiInstance/sequential",
    }
)


def constructs(tree: etree._Element) -> Iterator[tuple[str, etree._Element]]:
    """(construct, element) for every construct of a BPMN file, as RUNNABLE names them."""
    for el in tree.iter():
        if not isinstance(el.tag, str) or etree.QName(el).namespace != NS["bpmn"]:
            continue
        kind = etree.QName(el).localname
        if kind in ACTIVITIES or kind in _GATEWAYS or kind in _OTHERS:
            yield _subprocess_kind(el, kind), el
        elif kind in EVENTS:
            yield _event_kind(el, kind), el
        elif kind in _LOOPS:
            order = "sequential" if el.get("isSequential") == "true" else "parallel"
            name = _LOOPS[kind] if kind == "standardLoopCharacteristics" else None
            yield name or f"multiInstance/{order}", el.getparent()


def _subprocess_kind(el: etree._Element, kind: str) -> str:
    return "subProcess/event" if el.get("triggeredByEvent") == "true" else kind


def _event_kind(el: etree._Element, kind: str) -> str:
    definitions = [
        etree.QName(child).localname.removesuffix("EventDefinition")
        for child in el
        if isinstance(child.tag, str) and etree.QName(child).localname.endswith("EventDefinition")
    ]
    if not definitions:
        return kind
    name = f"{kind}/{definitions[0] if len(definitions) == 1 else 'multiple'}"
    if kind == "boundaryEvent":
        name += "/non-interrupting" if el.get("cancelActivity") == "false" else "/interrupting"
    return name


def construct_problems(trees: Trees) -> list[Problem]:
    """Every construct of the bundle that no test runs, located; the kinds the engine does
    not execute at all are `validation_files.unsupported`'s to report."""
    found = []
    for name, tree in sorted(trees.items()):
        found += _loops_after_boundary(name, tree)
        for construct, el in constructs(tree):
            if construct in RUNNABLE or construct in UNSUPPORTED or construct in _INCOMPLETE:
                continue
            found.append(
                Problem(
                    _(
                        "«%(label)s» (%(construct)s) chưa được máy quy trình chạy thử; "
                        "hãy thay bằng phần tử khác",
                        label=_label(el),
                        construct=construct,
                    ),
                    name,
                    el.get("id"),
                    el.sourceline,
                    NOT_RUN,
                )
            )
    return found


def _loops_after_boundary(name: str, tree: etree._Element) -> list[Problem]:
    """A multi-instance activity reached from a boundary event through tasks and events only
    fails when the boundary fires (the engine still holds that path as a guess and refuses to
    create the instances); a gateway on the way makes the path definite."""
    successors: dict[str | None, list[str | None]] = {}
    for flow in tree.iter(f"{{{NS['bpmn']}}}sequenceFlow"):
        successors.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    elements = {el.get("id"): el for el in tree.iter() if isinstance(el.tag, str)}
    found, reported = [], set()
    for boundary in tree.iter(f"{{{NS['bpmn']}}}boundaryEvent"):
        stack, seen = list(successors.get(boundary.get("id"), [])), set()
        while stack:
            node_id = stack.pop()
            el = elements.get(node_id)
            if el is None or node_id in seen or etree.QName(el).localname in _GATEWAYS:
                continue
            seen.add(node_id)
            if el.find("bpmn:multiInstanceLoopCharacteristics", NS) is not None:
                if node_id not in reported:
                    reported.add(node_id)
                    found.append(_loop_problem(name, el, boundary))
                continue
            stack += successors.get(node_id, [])
    return found


def _loop_problem(name: str, el: etree._Element, boundary: etree._Element) -> Problem:
    return Problem(
        _(
            "«%(label)s» lặp nhiều lần ngay trên nhánh của sự kiện biên «%(boundary)s» thì "
            "không chạy được; hãy đặt một cổng (gateway) trước nó",
            label=_label(el),
            boundary=_label(boundary),
        ),
        name,
        el.get("id"),
        el.sourceline,
    )


def _label(el: etree._Element) -> str:
    """The element's name on one line (tools wrap long names), else its id."""
    return " ".join((el.get("name") or "").split()) or el.get("id") or ""

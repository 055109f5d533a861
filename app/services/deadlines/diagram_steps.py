"""Where a procedure's open steps sit on its diagram (sơ đồ quy trình): a step of a called
process (a call activity's sub-process) is counted on the one call activity that calls it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from app.engine import safe_xml

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
COUNTS = ("open", "due_soon", "overdue")


@dataclass(frozen=True)
class Elsewhere:
    """A step with open tasks that has no single place on the diagram."""

    element_id: str
    name: str
    counts: dict[str, int]


@dataclass(frozen=True)
class Placement:
    # drawn element id → {"open", "due_soon", "overdue", "steps": [the task list's step ids]}
    counts: dict[str, dict[str, Any]] = field(default_factory=dict)
    elsewhere: list[Elsewhere] = field(default_factory=list)


@dataclass
class _Bundle:
    owner: dict[str, str] = field(default_factory=dict)  # element id → its process id
    names: dict[str, str] = field(default_factory=dict)
    callers: dict[str, list[str]] = field(default_factory=dict)  # process → call activities


def _read(files: dict[str, str], process_id: str) -> _Bundle:
    bundle = _Bundle()
    for name, text in sorted(files.items()):
        if not name.endswith(".bpmn") or safe_xml.declares_entities(text):
            continue
        try:
            root = safe_xml.parse(text)
        except etree.XMLSyntaxError:
            continue
        for process in root.iter(f"{{{BPMN}}}process"):
            for element in process.iter():
                element_id = element.get("id")
                if element_id and element is not process:
                    if process.get("id") == process_id:  # the drawn process wins a shared id
                        bundle.owner[element_id] = process_id
                    bundle.owner.setdefault(element_id, process.get("id", ""))
                    bundle.names.setdefault(element_id, element.get("name") or element_id)
            if process.get("id") != process_id:
                continue
            for call in process.iter(f"{{{BPMN}}}callActivity"):
                bundle.callers.setdefault(call.get("calledElement", ""), []).append(call.get("id"))
    return bundle


def place(files: dict[str, str], process_id: str, counts: dict[str, dict[str, int]]) -> Placement:
    """Put each step's counts on the element of `process_id`'s diagram that shows it."""
    bundle = _read(files, process_id)
    placed: dict[str, dict[str, Any]] = {}
    elsewhere: list[Elsewhere] = []
    for element_id, c in sorted(counts.items()):
        owner = bundle.owner.get(element_id)
        callers = bundle.callers.get(owner or "", [])
        if owner == process_id:
            target = element_id
        elif len(callers) == 1:
            target = callers[0]
        else:  # not in the bundle, or called from two places: which one is unknown
            name = bundle.names.get(element_id, element_id)
            elsewhere.append(Elsewhere(element_id, name, dict(c)))
            continue
        slot = placed.setdefault(target, {**dict.fromkeys(COUNTS, 0), "steps": []})
        for key in COUNTS:
            slot[key] += c.get(key, 0)
        slot["steps"].append(element_id)
    return Placement(placed, elsewhere)

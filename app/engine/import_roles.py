"""Who does a foreign model's user tasks, in our roles (part of the import of foreign models,
nhập mô hình từ công cụ khác): the lane a task sits in, else its candidate groups, potential
owner or assignee, mapped to a role the analyst confirms; tasks without any go to the
processing officer until the analyst says otherwise."""

from __future__ import annotations

import re

from lxml import etree

from app.domain.roles import ROLE_LABELS_VI, role_for_lane
from app.engine.import_forms import FOREIGN
from app.engine.validation_files import NS

BPMN = NS["bpmn"]
DEFAULT_ROLE = "processing"
# Words in a lane or group name that point to one of our roles (English and Vietnamese).
_HINTS = (
    ("leader", r"manag|leader|director|boss|head|chief|approv|lãnh đạo|giám đốc|trưởng"),
    ("supervisor", r"supervis|audit|giám sát"),
    ("reception", r"clerk|recept|front|counter|customer|service desk|một cửa|tiếp nhận"),
    ("admin", r"admin|quản trị"),
)
_ASSIGNMENT = ("candidateGroups", "candidateUsers", "assignee")


def guess_role(name: str | None) -> str:
    """The role a lane or group name most likely stands for (processing when nothing fits)."""
    if not name:
        return DEFAULT_ROLE
    known = role_for_lane(name)
    if known:
        return known
    lowered = name.casefold()
    for role, pattern in _HINTS:
        if re.search(pattern, lowered):
            return role
    return DEFAULT_ROLE


def assignment_of(task: etree._Element) -> tuple[str | None, str | None]:
    """The foreign tool's own word for who does the task: (where it was written, the name)."""
    for prefix, uri in FOREIGN.items():
        for attribute in _ASSIGNMENT:
            value = (task.get(f"{{{uri}}}{attribute}") or "").strip()
            if value:
                return f"{prefix}:{attribute}", value.split(",")[0].strip()
    for tag in ("potentialOwner", "humanPerformer", "performer"):
        owner = task.find(f"bpmn:{tag}", NS)
        if owner is None:
            continue
        text = " ".join(t.strip() for t in owner.itertext() if t.strip())
        match = re.search(r"(?:group|user)\(([^)]+)\)", text)
        name = (match.group(1) if match else text).split(",")[0].strip()
        if name:
            return f"bpmn:{tag}", name
    zeebe = task.find(f"bpmn:extensionElements/{{{FOREIGN['zeebe']}}}assignmentDefinition", NS)
    if zeebe is not None:
        value = zeebe.get("candidateGroups") or zeebe.get("assignee") or ""
        if value.strip():
            return "zeebe:assignmentDefinition", value.split(",")[0].strip()
    return None, None


def drop_assignment(task: etree._Element) -> None:
    """Removes the foreign assignment attributes once they are mapped to a role."""
    for uri in FOREIGN.values():
        for attribute in _ASSIGNMENT:
            task.attrib.pop(f"{{{uri}}}{attribute}", None)


def role_label(role: str) -> str:
    """The Vietnamese label a lane carries for a role (what validation maps back)."""
    return str(ROLE_LABELS_VI.get(role, role))


def lanes_of(process: etree._Element) -> dict[str, etree._Element]:
    """Each flow node's innermost lane."""
    found: dict[str, etree._Element] = {}
    for lane in process.iter(f"{{{BPMN}}}lane"):
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            if ref.text:
                found[ref.text.strip()] = lane
    return found


_BEFORE_LANES = {
    "documentation",
    "extensionElements",
    "supportedInterfaceRef",
    "ioSpecification",
    "ioBinding",
    "auditing",
    "monitoring",
    "property",
}


def lane_for_role(process: etree._Element, role: str) -> etree._Element:
    """The process's lane for a role, added (with a lane set where there is none) if missing."""
    label = role_label(role)
    for lane in process.iter(f"{{{BPMN}}}lane"):
        if role_for_lane(lane.get("name")) == role and lane.find("bpmn:childLaneSet", NS) is None:
            return lane
    lane_set = process.find("bpmn:laneSet", NS)
    if lane_set is None:
        lane_set = etree.Element(f"{{{BPMN}}}laneSet", id=f"LaneSet_{process.get('id')}_import")
        position = 0
        for index, child in enumerate(process):
            if isinstance(child.tag, str) and etree.QName(child).localname in _BEFORE_LANES:
                position = index + 1
        process.insert(position, lane_set)
    lane = etree.SubElement(lane_set, f"{{{BPMN}}}lane", id=f"Lane_{process.get('id')}_{role}")
    lane.set("name", label)
    return lane


def put_in_lane(lane: etree._Element, node_id: str) -> None:
    """Adds a flow node to a lane (its references stay before a child lane set)."""
    ref = etree.Element(f"{{{BPMN}}}flowNodeRef")
    ref.text = node_id
    child = lane.find("bpmn:childLaneSet", NS)
    if child is not None:
        child.addprevious(ref)
    else:
        lane.append(ref)

"""Repairs of what other tools write loosely (part of the import of foreign models, nhập mô hình
từ công cụ khác): ids that are not XML names, schema slips (`associationDirection="none"`, an
`import` without location, an empty `ioSpecification`), and sub-processes drawn without a start
or end event, which BPMN starts and ends implicitly and the engine wants said."""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree

from app.engine.validation_files import NS
from app.i18n import _l

BPMN = NS["bpmn"]
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_OMG = {
    BPMN,
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC",
    "http://www.omg.org/spec/DD/20100524/DI",
}
_DIRECTIONS = {"none": "None", "one": "One", "both": "Both"}
_CONTAINERS = ("subProcess", "transaction")
Note = Callable[[str, etree._Element | None, object], None]


def repair_ids(root: etree._Element, note: Note) -> None:
    """Ids that are not XML names (a leading digit, as jBPM writes them) get a leading
    underscore, and every reference to them follows."""
    renamed: dict[str, str] = {}
    drawing = 0
    for el in root.iter():
        if not isinstance(el.tag, str) or etree.QName(el).namespace not in _OMG:
            continue  # an extension's "id" (a form field's) is a name, not an XML id
        old = el.get("id")
        if old is not None and not _NCNAME.match(old):
            new = "_" + re.sub(r"[^A-Za-z0-9_.\-]", "_", old)
            renamed[old] = new
            el.set("id", new)
            if etree.QName(el).namespace == BPMN:
                note("changed", el, _l("mã «%(old)s» đổi thành «%(new)s»", old=old, new=new))
            else:
                drawing += 1
    if drawing:
        note("changed", None, _l("%(count)s mã trong sơ đồ (DI) đổi cho hợp lệ", count=drawing))
    if not renamed:
        return
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for key, value in el.attrib.items():
            if key != "id" and value in renamed:
                el.set(key, renamed[value])
        if el.text and el.text.strip() in renamed and len(el) == 0:
            el.text = renamed[el.text.strip()]


def repair_schema(root: etree._Element, note: Note) -> None:
    """Small schema slips other tools make, fixed where the meaning is plain."""
    for el in root.iter(f"{{{BPMN}}}association"):
        direction = el.get("associationDirection")
        if direction in _DIRECTIONS:
            el.set("associationDirection", _DIRECTIONS[direction])
    for el in root.findall("bpmn:import", NS):
        if not el.get("location"):
            root.remove(el)
            note(
                "changed",
                None,
                _l("bỏ khai báo import «%(ns)s» không có location", ns=el.get("namespace")),
            )
    for spec in root.iter(f"{{{BPMN}}}ioSpecification"):
        for tag in ("inputSet", "outputSet"):
            if spec.find(f"bpmn:{tag}", NS) is None:
                etree.SubElement(spec, f"{{{BPMN}}}{tag}")


def repair_sub_processes(process: etree._Element, note: Note) -> None:
    """A sub-process without a start (or end) event starts every step that has no incoming
    flow (and ends where the steps stop): the events and flows are added to say so."""
    for sub in process.iter(*(f"{{{BPMN}}}{tag}" for tag in _CONTAINERS)):
        if sub.get("triggeredByEvent") == "true":
            continue
        nodes = [c for c in sub if _is_node(c)]
        flows = [
            c for c in sub if isinstance(c.tag, str) and etree.QName(c).localname == "sequenceFlow"
        ]
        targets = {f.get("targetRef") for f in flows}
        sources = {f.get("sourceRef") for f in flows}
        kinds = {etree.QName(n).localname for n in nodes}
        added = []
        if "startEvent" not in kinds:
            first = [n for n in nodes if n.get("id") not in targets and not _is_boundary(n)]
            start = _add(sub, "startEvent", f"{sub.get('id')}_start")
            for node in first:
                _link(sub, start, node)
            added.append(_l("sự kiện bắt đầu"))
        if "endEvent" not in kinds:
            last = [n for n in nodes if n.get("id") not in sources]
            end = _add(sub, "endEvent", f"{sub.get('id')}_end")
            for node in last or ([] if nodes else [sub.find("bpmn:startEvent", NS)]):
                if node is not None:
                    _link(sub, node, end)
            added.append(_l("sự kiện kết thúc"))
        if added:
            message = (
                _l(
                    "quy trình con rỗng: thêm %(what)s để nó đi qua; hãy bổ sung nội dung",
                    what=", ".join(str(a) for a in added),
                )
                if not nodes
                else _l(
                    "quy trình con bắt đầu/kết thúc ngầm: thêm %(what)s",
                    what=", ".join(str(a) for a in added),
                )
            )
            note("changed", sub, message)


def _is_node(el: etree._Element) -> bool:
    if not isinstance(el.tag, str) or etree.QName(el).namespace != BPMN:
        return False
    kind = etree.QName(el).localname
    return kind.endswith(("Task", "Event", "Gateway")) or kind in (
        "task",
        "subProcess",
        "callActivity",
        "transaction",
    )


def _is_boundary(el: etree._Element) -> bool:
    return etree.QName(el).localname in ("boundaryEvent", "startEvent")


def _add(parent: etree._Element, tag: str, base: str) -> etree._Element:
    ids = {el.get("id") for el in parent.getroottree().iter() if isinstance(el.tag, str)}
    new_id, n = base, 1
    while new_id in ids:
        n += 1
        new_id = f"{base}_{n}"
    el = etree.SubElement(parent, f"{{{BPMN}}}{tag}", id=new_id)
    return el


def _link(parent: etree._Element, source: etree._Element, target: etree._Element) -> None:
    flow = _add(parent, "sequenceFlow", f"{source.get('id')}_to_{target.get('id')}")
    flow.set("sourceRef", source.get("id") or "")
    flow.set("targetRef", target.get("id") or "")
    outgoing = etree.Element(f"{{{BPMN}}}outgoing")
    outgoing.text = flow.get("id")
    incoming = etree.Element(f"{{{BPMN}}}incoming")
    incoming.text = flow.get("id")
    _put_flow_ref(source, outgoing, _BEFORE_OUTGOING)
    _put_flow_ref(target, incoming, _BEFORE_INCOMING)


_BEFORE_INCOMING = ("documentation", "extensionElements", "auditing", "monitoring")
_BEFORE_INCOMING += ("categoryValueRef", "incoming")
_BEFORE_OUTGOING = (*_BEFORE_INCOMING, "outgoing")


def _put_flow_ref(node: etree._Element, ref: etree._Element, before: tuple[str, ...]) -> None:
    """incoming then outgoing come right after documentation and extension elements."""
    position = 0
    for index, child in enumerate(node):
        if isinstance(child.tag, str) and etree.QName(child).localname in before:
            position = index + 1
    node.insert(position, ref)

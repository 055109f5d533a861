"""Implicit parallel splits made explicit (part of the import of foreign models, nhập mô hình từ
công cụ khác): in BPMN a step with several unconditioned outgoing flows starts them all at
once; the engine wants a parallel gateway there. The gateway is added after the step, with
its shape in the diagram, and the flows leave from it."""

from __future__ import annotations

from lxml import etree

from app.engine.validation_files import NS

BPMN = NS["bpmn"]
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
GATEWAY = 50.0


def make_explicit(node: etree._Element, outgoing: list[etree._Element]) -> etree._Element:
    """Adds a parallel gateway after `node` that the `outgoing` flows now leave from; returns
    the gateway."""
    root = node.getroottree().getroot()
    ids = {el.get("id") for el in root.iter() if isinstance(el.tag, str)}
    node_id = node.get("id") or ""
    gateway_id = _free(f"{node_id}_split", ids)
    flow_id = _free(f"{node_id}_to_split", ids)
    gateway = etree.Element(f"{{{BPMN}}}parallelGateway", id=gateway_id)
    node.addnext(gateway)
    flow = etree.Element(
        f"{{{BPMN}}}sequenceFlow", id=flow_id, sourceRef=node_id, targetRef=gateway_id
    )
    gateway.addnext(flow)
    _child(gateway, "incoming", flow_id)
    for old in outgoing:
        old.set("sourceRef", gateway_id)
        _child(gateway, "outgoing", old.get("id") or "")
        for ref in node.iterfind("bpmn:outgoing", NS):
            if (ref.text or "").strip() == old.get("id"):
                node.remove(ref)
    ref = etree.Element(f"{{{BPMN}}}outgoing")
    ref.text = flow_id
    refs = node.findall("bpmn:incoming", NS) or node.findall("bpmn:extensionElements", NS)
    if refs:
        refs[-1].addnext(ref)
    else:
        node.insert(len(node.findall("bpmn:documentation", NS)), ref)
    _draw(root, node_id, gateway_id, flow_id, [f.get("id") or "" for f in outgoing])
    return gateway


def _free(base: str, ids: set) -> str:
    candidate, n = base, 1
    while candidate in ids:
        n += 1
        candidate = f"{base}_{n}"
    ids.add(candidate)
    return candidate


def _child(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(parent, f"{{{BPMN}}}{tag}").text = text


def _draw(root: etree._Element, node_id: str, gateway_id: str, flow_id: str, flows: list) -> None:
    """The gateway's shape just right of the step's, and the flows redrawn from it."""
    shape = next(
        (s for s in root.iter(f"{{{BPMNDI}}}BPMNShape") if s.get("bpmnElement") == node_id), None
    )
    bounds = shape.find(f"{{{DC}}}Bounds") if shape is not None else None
    if shape is None or bounds is None:
        return
    x, y = float(bounds.get("x", 0)), float(bounds.get("y", 0))
    width, height = float(bounds.get("width", 100)), float(bounds.get("height", 80))
    gx, gy = x + width + 20, y + height / 2 - GATEWAY / 2
    new = etree.Element(f"{{{BPMNDI}}}BPMNShape", id=f"{gateway_id}_di", bpmnElement=gateway_id)
    etree.SubElement(
        new, f"{{{DC}}}Bounds", x=_n(gx), y=_n(gy), width=_n(GATEWAY), height=_n(GATEWAY)
    )
    shape.addnext(new)
    edge = etree.Element(f"{{{BPMNDI}}}BPMNEdge", id=f"{flow_id}_di", bpmnElement=flow_id)
    etree.SubElement(edge, f"{{{DI}}}waypoint", x=_n(x + width), y=_n(y + height / 2))
    etree.SubElement(edge, f"{{{DI}}}waypoint", x=_n(gx), y=_n(y + height / 2))
    new.addnext(edge)
    for di_edge in root.iter(f"{{{BPMNDI}}}BPMNEdge"):
        if di_edge.get("bpmnElement") in flows:
            first = di_edge.find(f"{{{DI}}}waypoint")
            if first is not None:
                first.set("x", _n(gx + GATEWAY / 2))
                first.set("y", _n(gy + GATEWAY / 2))


def _n(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}"

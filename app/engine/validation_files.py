"""Reading a model bundle's files safely, before anything parses them (part of the model
validation, kiểm tra mô hình): no DOCTYPE or entities, well-formed BPMN 2.0 that passes the
BPMN schema, forms that are JSON Schema, no BPMN element the engine does not execute."""

from __future__ import annotations

import json

from jsonschema import Draft202012Validator, SchemaError
from lxml import etree
from SpiffWorkflow.spiff.parser import VALIDATOR

from app.domain import master_data
from app.engine import safe_xml
from app.engine.engine_messages import schema_message
from app.engine.errors import Problem
from app.i18n import _, _l

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}

Trees = dict[str, etree._Element]

# The BPMN flow node kinds by family (local names), as validation and the import list them.
ACTIVITIES = (
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
    "transaction",
)
EVENTS = (
    "startEvent",
    "endEvent",
    "intermediateThrowEvent",
    "intermediateCatchEvent",
    "boundaryEvent",
)
GATEWAYS = (
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "complexGateway",
)
FLOW_NODES = (*ACTIVITIES, "adHocSubProcess", *EVENTS, *GATEWAYS)


# BPMN elements SpiffWorkflow does not execute: reported by name and id before the engine
# parses the file (its own message would be a bare English sentence).
UNSUPPORTED = {
    "complexGateway": _l("cổng phức hợp"),
    "adHocSubProcess": _l("quy trình con tuỳ biến (ad hoc)"),
    "choreographyTask": _l("tác vụ vũ đạo (choreography)"),
    "subChoreography": _l("vũ đạo con"),
    "callChoreography": _l("gọi vũ đạo"),
    "dataStore": _l("kho dữ liệu"),
    "dataStoreReference": _l("kho dữ liệu"),
}


def unsupported(trees: dict[str, etree._Element]) -> list[Problem]:
    """The BPMN elements of the bundle the engine does not execute, each located."""
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
                        "unsupported-element",
                        name=el.get("name") or None,
                    )
                )
    return found


def refuse_doctype(name: str, text: str, problems: list[Problem]) -> bool:
    """Refuses (and reports) a BPMN or DMN file declaring a DOCTYPE or entities (XXE, billion
    laughs): SpiffWorkflow's own parser must never see one."""
    if not safe_xml.declares_entities(text):
        return False
    problems.append(
        Problem(
            _l("tệp chứa khai báo DOCTYPE/ENTITY, bị từ chối vì lý do an toàn"),
            name,
            code="doctype",
        )
    )
    return True


def load_bpmn(name: str, text: str, problems: list[Problem]) -> etree._Element | None:
    """The parsed BPMN 2.0 file, or None with the reason added to `problems`."""
    if refuse_doctype(name, text, problems):
        return None
    try:
        root = safe_xml.parse(text)
    except etree.XMLSyntaxError as exc:
        problems.append(
            Problem(_("XML không hợp lệ: %(msg)s", msg=exc.msg), name, None, exc.lineno, "xml")
        )
        return None
    if etree.QName(root).localname != "definitions" or etree.QName(root).namespace != NS["bpmn"]:
        message = _l("không phải tệp BPMN 2.0 (thiếu bpmn:definitions)")
        problems.append(Problem(message, name, code="not-bpmn"))
        return None
    return root


def schema_problems(name: str, tree: etree._Element) -> list[Problem]:
    """Where the file breaks the BPMN 2.0 schema (the first 20 places), each located on the
    nearest element with an id."""
    validator = VALIDATOR.validator
    if validator.validate(tree):
        return []
    found = []
    for error in list(validator.error_log)[:20]:
        message, words = schema_message(error.message)
        el = _element_at(tree, error.path)
        found.append(
            Problem(
                message,
                name,
                el.get("id") if el is not None else None,
                error.line,
                "schema",
                name=(el.get("name") or None) if el is not None else None,
                detail=words,
            )
        )
    return found


def _element_at(tree: etree._Element, path: str | None) -> etree._Element | None:
    """The element at libxml2's `path`, or its nearest ancestor with an id; None if unknown."""
    namespaces = {k: v for k, v in tree.nsmap.items() if k}
    try:
        hits = tree.getroottree().xpath(path, namespaces=namespaces) if path else []
    except etree.XPathError:
        return None
    el = hits[0] if hits and isinstance(hits[0], etree._Element) else None
    while el is not None and not el.get("id"):
        el = el.getparent()
    return el


def check_form(name: str, text: str, problems: list[Problem]) -> None:
    """Adds to `problems` why a form file is not JSON or not a JSON Schema."""
    try:
        schema = json.loads(text)
        Draft202012Validator.check_schema(schema)
        # a field tied to a master-data code (001 §IV.1.a), located by file and field
        for field, message in master_data.schema_problems(schema):
            problems.append(Problem(_l(message), name, field, code="form-master-data"))
    except json.JSONDecodeError as exc:
        problems.append(
            Problem(_("JSON không hợp lệ: %(msg)s", msg=exc.msg), name, None, exc.lineno, "json")
        )
    except SchemaError as exc:
        problems.append(
            Problem(
                _l("JSON Schema không hợp lệ: %(detail)s", detail=exc.message),
                name,
                code="json-schema",
            )
        )

"""Babel extractors for the models the project ships (bpmn/): the texts an officer reads that
are written in the models rather than in the code, so that the English catalog holds them.

- `extract_bpmn`: the names of user tasks (the step titles in inboxes and histories) and of
  lanes;
- `extract_form_schema`: a step form's title, description, each field's title, description and
  `ui:help`, and the titles of `oneOf` choices.

Registered in app/translations/babel.cfg (`[extractors]`); the screens translate these texts
when they show them (`app.web.i18n.tr`), and a text not in the catalog (an analyst's new model)
shows as written. A model is read without resolving entities or fetching anything, and one
declaring a DOCTYPE is refused, as the engine reads bundles.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NAMED = (f"{{{BPMN_NS}}}userTask", f"{{{BPMN_NS}}}lane")
SCHEMA_TEXTS = ("title", "description", "ui:help")
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)
_ENTITIES = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)

# What Babel expects of an extractor: (line, function name, message, translator comments).
Extracted = Iterator[tuple[int, str | None, str, list[str]]]


def extract_bpmn(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Extracted:
    """The names of the user tasks and lanes of one BPMN file, with their lines."""
    data = fileobj.read()
    if _ENTITIES.search(data):
        raise ValueError(f"{getattr(fileobj, 'name', 'model')}: a DOCTYPE or entity is refused")
    root = etree.fromstring(data, _PARSER)
    for element in root.iter(*NAMED):
        name = (element.get("name") or "").strip()
        if name:
            kind = etree.QName(element).localname
            yield element.sourceline or 0, None, name, [f"BPMN {kind} {element.get('id')}"]


def extract_form_schema(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Extracted:
    """The texts of one step form (JSON schema); lines are not kept by JSON, so 1 for all."""
    schema = json.loads(fileobj.read().decode("utf-8"))
    for where, message in _schema_texts(schema, "form"):
        yield 1, None, message, [where]


def _schema_texts(node: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key in SCHEMA_TEXTS:
            value = node.get(key)
            if isinstance(value, str) and value.strip():
                yield f"{where} {key}", value
        for key, child in node.items():
            if key not in SCHEMA_TEXTS:
                yield from _schema_texts(child, f"{where}.{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _schema_texts(child, f"{where}[{index}]")

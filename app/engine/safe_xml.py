"""Reading a bundle's XML (BPMN, DMN) safely: a file declaring a DOCTYPE or entities (XXE,
billion laughs) is never parsed, and the parser resolves no entity and fetches nothing."""

from __future__ import annotations

import re

from lxml import etree

PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)
_ENTITIES = re.compile(r"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def declares_entities(text: str) -> bool:
    """Whether the file declares a DOCTYPE or an entity (refused before any parser reads it)."""
    return _ENTITIES.search(text) is not None


def parse(text: str) -> etree._Element:
    """The root element; etree.XMLSyntaxError when the text is not well-formed XML."""
    return etree.fromstring(text.encode("utf-8"), PARSER)

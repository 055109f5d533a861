"""Which submitted fields a step's form (biểu mẫu) declares: only those reach the process.

A form is a JSON schema whose top-level `properties` are the process variables the step may
write. The top level is always closed: an undeclared key would overwrite a process variable,
whatever the schema's `additionalProperties` says. Inside a declared value the schema is read
as JSON Schema reads it: an object that lists `properties` is closed unless it opens
`additionalProperties` itself (keys matching its `patternProperties` are declared too), one
that lists none is a free map, and each item of an array is checked against `items`.
"""

from __future__ import annotations

import re
from typing import Any

_BRANCHES = ("allOf", "anyOf", "oneOf", "then", "else")


def undeclared(schema: dict[str, Any] | None, data: dict[str, Any]) -> list[str]:
    """The paths (`name`, `name.key`, `name.0.key`) of the submitted fields the form does not
    declare, in the order submitted. A step without a schema declares nothing."""
    properties = _properties(schema or {})
    found: list[str] = []
    for name, value in data.items():
        if name not in properties:
            found.append(str(name))
        else:
            found += _inside(properties[name], value, str(name))
    return found


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    """`properties` of the schema and of the sub-schemas it combines (allOf, oneOf...)."""
    found: dict[str, Any] = {}
    for branch in [schema] + [s for key in _BRANCHES for s in _subschemas(schema.get(key))]:
        properties = branch.get("properties")
        if isinstance(properties, dict):
            for name, spec in properties.items():
                found.setdefault(name, spec if isinstance(spec, dict) else {})
    return found


def _subschemas(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [s for s in value if isinstance(s, dict)]
    return []


def _inside(spec: dict[str, Any], value: Any, path: str) -> list[str]:
    if isinstance(value, dict):
        return _object(spec, value, path)
    if isinstance(value, list) and isinstance(spec.get("items"), dict):
        found = []
        for index, item in enumerate(value):
            found += _inside(spec["items"], item, f"{path}.{index}")
        return found
    return []


def _object(spec: dict[str, Any], value: dict[str, Any], path: str) -> list[str]:
    properties = _properties(spec)
    opened = spec.get("additionalProperties")
    closed = opened is False or (bool(properties) and "additionalProperties" not in spec)
    patterns = [p for p in spec.get("patternProperties") or {} if isinstance(p, str)]
    found = []
    for key, item in value.items():
        where = f"{path}.{key}"
        if key in properties:
            found += _inside(properties[key], item, where)
        elif closed and not any(_matches(p, str(key)) for p in patterns):
            found.append(where)
    return found


def _matches(pattern: str, key: str) -> bool:
    try:
        return re.search(pattern, key) is not None
    except re.error:
        return False

"""A completed step's answers in words (ý kiến các bước trước): each submitted value labelled by
its form's title, choices by their option's title, never by variable names.

Pure: takes the step's JSON schema (as stored on its task) and the submitted data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Answer:
    """One answered field: its form label and its value as the form offered it. `value` is a
    bool for yes/no questions (the screen says Có/Không in the reader's language), else text."""

    name: str
    label: str
    value: str | bool


def _properties(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property the form declares: its own, then those its conditions add (a later
    declaration adds to an earlier one's keys, the first title wins)."""
    yield from (schema.get("properties") or {}).items()
    for branch in ("then", "else"):
        if isinstance(schema.get(branch), dict):
            yield from _properties(schema[branch])
    for part in schema.get("allOf") or []:
        if isinstance(part, dict):
            yield from _properties(part)


def _declared(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for name, spec in _properties(schema):
        if isinstance(spec, dict):
            merged[name] = {**spec, **merged.get(name, {})}
    return merged


def _option_title(spec: dict[str, Any], value: Any) -> str | None:
    for option in spec.get("oneOf") or spec.get("anyOf") or []:
        if isinstance(option, dict) and option.get("const") == value and option.get("title"):
            return str(option["title"])
    names = spec.get("enumNames") or spec.get("ui:enumNames")
    choices = spec.get("enum")
    if names and choices and value in choices and len(names) == len(choices):
        return str(names[choices.index(value)])
    return None


def _text(spec: dict[str, Any], value: Any) -> str | bool | None:
    if isinstance(value, bool):
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    titled = _option_title(spec, value)
    if titled is not None:
        return titled
    if isinstance(value, list):
        return ", ".join(str(_option_title(spec.get("items") or {}, v) or v) for v in value)
    return str(value)


def answers_in_words(schema: dict[str, Any] | None, data: dict[str, Any]) -> list[Answer]:
    """The submitted values in the form's order, labelled by its titles; empty answers left
    out. A field the form does not describe (an older form) keeps its name as label."""
    declared = _declared(schema or {})
    order = [n for n in (schema or {}).get("ui:order", []) if n in declared]
    names = order + [n for n in declared if n not in order]
    names += [n for n in data if n not in declared]
    answers = []
    for name in names:
        if name not in data:
            continue
        spec = declared.get(name, {})
        value = _text(spec, data[name])
        if value is not None:
            answers.append(Answer(name, str(spec.get("title") or name), value))
    return answers

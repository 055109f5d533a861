"""Form stubs for the user tasks of a foreign model (part of the import of foreign models, nhập mô
hình từ công cụ khác): Camunda's generated forms (`camunda:formData`), Activiti/Flowable form
properties, and the fields the conditions after a step read, as a JSON Schema the analyst
completes. A `formKey` (a form kept outside the model) gives an empty stub that names it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

FOREIGN = {
    "camunda": "http://camunda.org/schema/1.0/bpmn",
    "activiti": "http://activiti.org/bpmn",
    "flowable": "http://flowable.org/bpmn",
    "zeebe": "http://camunda.org/schema/zeebe/1.0",
}
_TYPES = {
    "string": {"type": "string"},
    "long": {"type": "integer"},
    "integer": {"type": "integer"},
    "double": {"type": "number"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
}
_KIND_TYPES = {"boolean": {"type": "boolean"}, "number": {"type": "number"}}


@dataclass
class FormStub:
    """The JSON Schema of one user task's form, built from what the foreign model says."""

    title: str
    properties: dict[str, dict[str, Any]] = field(default_factory=dict)
    required: list[str] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # foreign field id -> our name
    form_key: str | None = None
    sources: list[str] = field(default_factory=list)

    def add(self, name: str, spec: dict[str, Any], required: bool = False) -> str:
        """Adds a field (its name made a Python identifier); returns the name used."""
        clean = identifier(name)
        if clean != name:
            self.renamed[name] = clean
        self.properties.setdefault(clean, spec)
        if required and clean not in self.required:
            self.required.append(clean)
        return clean

    def schema(self) -> dict[str, Any]:
        """The stub as a JSON Schema."""
        schema: dict[str, Any] = {"title": self.title, "type": "object"}
        if self.form_key:
            schema["description"] = f"formKey: {self.form_key}"
        if self.required:
            schema["required"] = list(self.required)
        schema["properties"] = self.properties
        return schema


def identifier(name: str) -> str:
    """A field id usable as a Python name ("Do you agree?" -> "do_you_agree")."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        return name
    clean = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_").lower() or "field"
    return f"f_{clean}" if clean[0].isdigit() else clean


def foreign_stub(task: etree._Element) -> FormStub:
    """What the task's own form definition says (fields, a form key), in our terms."""
    stub = FormStub(task.get("name") or task.get("id") or "")
    for prefix, uri in FOREIGN.items():
        key = task.get(f"{{{uri}}}formKey")
        if key:
            stub.form_key = key
            stub.sources.append(f"{prefix}:formKey")
    for el in task.iter(f"{{{FOREIGN['camunda']}}}formField"):
        spec = dict(_TYPES.get(el.get("type") or "string", {"type": "string"}))
        spec["title"] = el.get("label") or el.get("id") or ""
        values = [v.get("id") for v in el.iter(f"{{{FOREIGN['camunda']}}}value") if v.get("id")]
        if values:
            spec["enum"] = values
        required = any(
            c.get("name") == "required" for c in el.iter(f"{{{FOREIGN['camunda']}}}constraint")
        )
        stub.add(el.get("id") or "field", spec, required)
        _note(stub, "camunda:formField")
    for prefix in ("activiti", "flowable"):
        for el in task.iter(f"{{{FOREIGN[prefix]}}}formProperty"):
            if (el.get("writable") or "true") == "false":
                continue
            spec = dict(_TYPES.get(el.get("type") or "string", {"type": "string"}))
            spec["title"] = el.get("name") or el.get("id") or ""
            stub.add(el.get("id") or "field", spec, el.get("required") == "true")
            _note(stub, f"{prefix}:formProperty")
    for el in task.iter(f"{{{FOREIGN['zeebe']}}}formDefinition"):
        if el.get("formKey") or el.get("formId"):
            stub.form_key = el.get("formKey") or el.get("formId")
            _note(stub, "zeebe:formDefinition")
    return stub


def add_read_field(stub: FormStub, variable: str, kind: str) -> bool:
    """Adds a field a condition after the step reads; False when the form already has it."""
    if variable in stub.properties:
        return False
    spec = dict(_KIND_TYPES.get(kind, {"type": "string", "minLength": 1}))
    spec["title"] = variable
    stub.add(variable, spec, required=kind != "boolean")
    return True


def _note(stub: FormStub, source: str) -> None:
    if source not in stub.sources:
        stub.sources.append(source)


def extension_of(el: etree._Element) -> etree._Element:
    """The element's bpmn:extensionElements, added after its documentation when missing."""
    bpmn = "http://www.omg.org/spec/BPMN/20100524/MODEL"
    extension = el.find(f"{{{bpmn}}}extensionElements")
    if extension is None:
        extension = etree.Element(f"{{{bpmn}}}extensionElements")
        docs = el.findall(f"{{{bpmn}}}documentation")
        if docs:
            docs[-1].addnext(extension)
        else:
            el.insert(0, extension)
    return extension

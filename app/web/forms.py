"""The one form renderer: a task's JSON schema → fields to draw, and posted values → data.

Supported: string (input, or textarea when maxLength > 500), integer/number, boolean
(checkbox), `oneOf` of {const, title} (radio group), `enum` (select), a date (`format: date`:
typed dd/mm/yyyy, kept as ISO yyyy-mm-dd).

Titles, help texts and option titles are the model's texts: shown through the catalog (the
shipped models' texts are in it, see app/web/i18n_extract.py), an analyst's new ones as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from werkzeug.datastructures import MultiDict

from app.domain import master_data
from app.i18n import _
from app.services.core.errors import InvalidInput
from app.web.formatting import parse_day
from app.web.i18n import tr

TEXTAREA_FROM = 500
# What the page itself posts beside the step's fields; dropped here, so that everything else
# a request carries reaches the service, which refuses what the step's form does not declare.
TECHNICAL_FIELDS = frozenset({"csrf_token"})


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    widget: str  # text, textarea, number, checkbox, radio, select
    required: bool
    help: str = ""
    value: Any = None
    options: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None
    step: str | None = None
    # filled from a national database (001 §II.2.b Bước 4): its name, and why it was changed
    source: str = ""
    reason: str = ""
    master_code: str = ""  # the master-data code it is tied to, shown in the modeler's preview


UI_WIDGETS = ("text", "textarea", "select", "radio", "checkbox", "number", "date")


def _widget(spec: dict[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    options: list[tuple[str, str]] = []
    if "oneOf" in spec:
        options = [(str(o["const"]), tr(o.get("title", str(o["const"])))) for o in spec["oneOf"]]
    elif "enum" in spec:
        options = [(str(v), str(v)) for v in spec["enum"]]
    # UI hint (beside the JSON Schema): "ui:widget" picks the control when it fits the data.
    hint = spec.get("ui:widget")
    if hint in UI_WIDGETS and (bool(options) == (hint in ("select", "radio")) or hint == "text"):
        return hint, options
    if spec.get("format") == "date":
        return "date", []
    if "oneOf" in spec:
        return "radio", options
    if "enum" in spec:
        return "select", options
    kind = spec.get("type")
    if kind == "boolean":
        return "checkbox", []
    if kind in ("integer", "number"):
        return "number", []
    if spec.get("maxLength", 0) > TEXTAREA_FROM:
        return "textarea", []
    return "text", []


def fields(
    schema: dict[str, Any] | None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> list[Field]:
    """The fields to draw, in schema order, with current values and per-field errors."""
    if not schema:
        return []
    values, errors = values or {}, errors or {}
    required = set(schema.get("required", []))
    result = []
    properties = schema.get("properties", {})
    order = [n for n in schema.get("ui:order", []) if n in properties]
    names = order + [n for n in properties if n not in order]
    for name in names:
        spec = properties[name]
        widget, options = _widget(spec)
        result.append(
            Field(
                name=name,
                label=tr(spec.get("title", name)),
                widget=widget,
                required=name in required,
                help=tr(spec.get("ui:help") or spec.get("description", "")),
                value=values.get(name, spec.get("default")),
                options=options,
                error=errors.get(name),
                step="1"
                if spec.get("type") == "integer"
                else ("any" if widget == "number" else None),
            )
        )
    return result


def parse(schema: dict[str, Any] | None, form: MultiDict) -> tuple[dict[str, Any], dict[str, str]]:
    """Posted values converted by the schema's types; (data, errors of conversion). Posted
    names the schema does not declare are kept as posted (for the service to refuse, named);
    only the page's technical fields are dropped."""
    properties = (schema or {}).get("properties", {})
    data: dict[str, Any] = {
        name: form.get(name, "")
        for name in form
        if name not in properties and name not in TECHNICAL_FIELDS
    }
    errors: dict[str, str] = {}
    for name, spec in properties.items():
        kind = spec.get("type")
        raw = form.get(name, "")
        if kind == "boolean":
            data[name] = raw in ("on", "true", "1")
            continue
        raw = raw.strip()
        if raw == "":
            continue
        if spec.get("format") == "date":  # typed dd/mm/yyyy (or ISO); the process keeps ISO
            try:
                data[name] = parse_day(raw, name).isoformat()
            except InvalidInput as exc:
                errors[name] = exc.fields[name]
            continue
        if kind in ("integer", "number"):
            try:
                data[name] = int(raw) if kind == "integer" else float(raw)
            except ValueError:
                label = tr(spec.get("title", name))
                errors[name] = (
                    _("«%(label)s» phải là số nguyên", label=label)
                    if kind == "integer"
                    else _("«%(label)s» phải là số", label=label)
                )
            continue
        data[name] = raw
    return data, errors


REASON_SUFFIX = "__reason"


def split_reasons(form: MultiDict, tied: dict[str, str]) -> tuple[MultiDict, dict[str, str]]:
    """The posted form without the reasons given for changing national data, and those
    reasons by field. A reason posted for a field not tied to a code stays in the form, for the
    service to refuse as undeclared."""
    kept, reasons = MultiDict(), {}
    for name, value in form.items(multi=True):
        base = name.removesuffix(REASON_SUFFIX)
        if name.endswith(REASON_SUFFIX) and base in tied:
            reasons[base] = value
        else:
            kept.add(name, value)
    return kept, reasons


def from_national(
    drawn: list[Field],
    values: dict[str, tuple[str, str]],
    reasons: dict[str, str] | None = None,
    posted: bool = False,
    earlier: dict[str, tuple[str, str]] | None = None,
) -> list[Field]:
    """The fields with those the national databases filled marked by source, showing the
    database's value (or, after a post, what was typed; before one, an earlier change with
    its reason) and the reason given."""
    reasons, earlier = reasons or {}, earlier or {}
    marked = []
    for f in drawn:
        if f.name in values:
            national, source = values[f.name]
            value, reason = national, reasons.get(f.name, "")
            if posted and f.value not in (None, ""):
                value = f.value
            elif not posted and f.name in earlier:
                value, reason = earlier[f.name]
            f = replace(f, value=value, source=_(master_data.SOURCE_NAMES[source]), reason=reason)
        marked.append(f)
    return marked


def down_notices(down: list[str]) -> list[str]:
    """One notice per national database that did not answer (its fields are typed by hand)."""
    return [
        _(
            "Không kết nối được %(source)s: các trường lấy từ nguồn này để trống, nhập tay.",
            source=_(master_data.SOURCE_NAMES[s]),
        )
        for s in down
    ]

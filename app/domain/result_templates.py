"""A procedure's result template (mẫu kết quả giải quyết): its title, the fields the processing
officer fills in, and a layout (a body text with `{field}` placeholders plus fixed parts:
national header, number, place and date, signer's title). Pure values and rules, no I/O.

001 §II.2.b Bước 5: the officer enters the result information and creates the result file,
which the competent person signs; 004 §2: every result is a legally valid e-document, so what
is decided is written in the document itself, not only in the dossier's data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.domain.messages import N_

FIELD_TYPES = {
    "text": N_("Văn bản ngắn"),
    "long_text": N_("Văn bản dài"),
    "date": N_("Ngày"),
    "number": N_("Số"),
}
# Facts of the dossier a layout may name beside its own fields.
FACTS = (
    "owner_name",
    "owner_id",
    "dossier_code",
    "procedure_name",
    "procedure_code",
    "agency_name",
)
# Field name → (message marked for the catalog, its placeholders' values).
Errors = dict[str, tuple[str, dict[str, Any]]]
NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
MAX_FIELDS, TITLE_MAX, LABEL_MAX, BODY_MAX, PART_MAX = 40, 300, 200, 10_000, 300
VALUE_MAX = {"text": 500, "long_text": 5000, "date": 10, "number": 30}
# Kho DL refuses markup in a document's name and summary (001 §II.2.c), which the title becomes.
MARKUP = re.compile(r"<\s*[A-Za-z/!?]|&#?\w+;")
NUMBER = re.compile(r"^-?\d{1,15}([.,]\d{1,6})?$")
# Steps whose screen fills the result: the demo models' `appraisal`, or any step whose form
# says so at its top level (`"x-result-fill": true`).
FILL_ELEMENT, FILL_MARK = "appraisal", "x-result-fill"


@dataclass(frozen=True)
class ResultField:
    """One field the officer fills in: `{name}` in the layout."""

    name: str
    label: str
    type: str = "text"
    required: bool = True
    default: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "required": self.required,
            "default": self.default,
        }


@dataclass(frozen=True)
class ResultTemplate:
    """The template as stored in the procedure's catalogue entry."""

    title: str
    fields: tuple[ResultField, ...]
    body: str
    signer_title: str = "THỦ TRƯỞNG CƠ QUAN"
    place: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "fields": [f.as_dict() for f in self.fields],
            "body": self.body,
            "signer_title": self.signer_title,
            "place": self.place,
        }

    def field(self, name: str) -> ResultField | None:
        return next((f for f in self.fields if f.name == name), None)


def fills_result(element_id: str, form: dict[str, Any] | None) -> bool:
    """Whether a step is where the processing officer fills the result."""
    return element_id == FILL_ELEMENT or bool((form or {}).get(FILL_MARK))


def title_problem(title: str) -> tuple[str, dict[str, Any]] | None:
    """Why a result's title cannot be a stored document's name, or None: it is the same for
    every dossier (no `{…}`) and plain text (no markup, which Kho DL refuses)."""
    if PLACEHOLDER.search(title):
        return N_("Tên kết quả không chứa chỗ điền {…}"), {}
    if MARKUP.search(title):
        return N_("Không được chứa thẻ HTML/XML hay mã ký tự (<…>, &…;)"), {}
    return None


def placeholders(body: str) -> list[str]:
    """The names the body's `{…}` placeholders use, in order."""
    return [m.group(1).strip() for m in PLACEHOLDER.finditer(body)]


def parse_template(raw: dict[str, Any]) -> tuple[ResultTemplate | None, Errors]:
    """A template from its stored or posted shape, or the errors by field (`title`, `body`,
    `field-<i>-name`…): unknown placeholders, duplicate names, bad types, lengths."""
    errors: Errors = {}
    title = str(raw.get("title") or "").strip()
    if not 2 <= len(title) <= TITLE_MAX:
        errors["title"] = (N_("Tên kết quả: bắt buộc, 2–300 ký tự"), {})
    elif title_problem(title):
        errors["title"] = title_problem(title)
    fields = _fields(raw.get("fields") or [], errors)
    body = str(raw.get("body") or "").replace("\r\n", "\n").strip()
    if not body or len(body) > BODY_MAX:
        errors["body"] = (N_("Nội dung: bắt buộc, tối đa 10.000 ký tự"), {})
    known = {f.name for f in fields} | set(FACTS)
    unknown = [n for n in placeholders(body) if n not in known]
    if unknown and "body" not in errors:
        errors["body"] = (
            N_("Chỗ điền {%(name)s} không phải trường của mẫu hay thông tin hồ sơ"),
            {"name": unknown[0][:40]},
        )
    parts = {k: str(raw.get(k) or "").strip() for k in ("signer_title", "place")}
    for key, value in parts.items():
        if len(value) > PART_MAX:
            errors[key] = (N_("Tối đa 300 ký tự"), {})
    if errors:
        return None, errors
    template = ResultTemplate(
        title, tuple(fields), body, parts["signer_title"] or "THỦ TRƯỞNG CƠ QUAN", parts["place"]
    )
    return template, {}


def _fields(rows: list[Any], errors: Errors) -> list[ResultField]:
    if len(rows) > MAX_FIELDS:
        errors["fields"] = (N_("Tối đa 40 trường"), {})
        rows = rows[:MAX_FIELDS]
    found: list[ResultField] = []
    seen: set[str] = set()
    for position, row in enumerate(rows):
        if not isinstance(row, dict):
            errors[f"field-{position}-name"] = (N_("Trường không hợp lệ"), {})
            continue
        # a posted form names each row by its own index (blank rows between are dropped)
        index = row.get("row", position)
        name = str(row.get("name") or "").strip()
        label = str(row.get("label") or "").strip()
        kind = str(row.get("type") or "text").strip()
        default = str(row.get("default") or "")
        if not NAME.match(name):
            errors[f"field-{index}-name"] = (
                N_("Tên trường: chữ thường không dấu, số, gạch dưới; bắt đầu bằng chữ; tối đa 40"),
                {},
            )
        elif name in seen or name in FACTS:
            errors[f"field-{index}-name"] = (N_("Tên trường bị trùng: %(name)s"), {"name": name})
        seen.add(name)
        if not 1 <= len(label) <= LABEL_MAX:
            errors[f"field-{index}-label"] = (N_("Nhãn: bắt buộc, tối đa 200 ký tự"), {})
        if kind not in FIELD_TYPES:
            errors[f"field-{index}-type"] = (N_("Kiểu không hợp lệ: %(kind)s"), {"kind": kind[:20]})
        elif len(default) > VALUE_MAX[kind]:
            errors[f"field-{index}-default"] = (N_("Giá trị mặc định quá dài"), {})
        found.append(ResultField(name, label, kind, bool(row.get("required")), default))
    return found


def check_values(template: ResultTemplate, posted: dict[str, Any]) -> tuple[dict[str, str], Errors]:
    """The filled values by field name (a date as dd/mm/yyyy), or the errors by field name:
    required, type, length; names the template does not have are refused."""
    errors: Errors = {}
    values: dict[str, str] = {}
    for name in posted:
        if template.field(name) is None:
            errors[name] = (N_("Trường không có trong mẫu kết quả"), {})
    for f in template.fields:
        raw = str(posted.get(f.name) or "").replace("\r\n", "\n").strip()
        if not raw:
            if f.required:
                errors[f.name] = (N_("Bắt buộc nhập"), {})
            values[f.name] = ""
            continue
        if len(raw) > VALUE_MAX[f.type]:
            errors[f.name] = (N_("Quá dài: tối đa %(most)s ký tự"), {"most": VALUE_MAX[f.type]})
        elif f.type == "date":
            day = _day(raw)
            if day is None:
                errors[f.name] = (N_("Ngày phải có dạng dd/mm/yyyy"), {})
            else:
                raw = f"{day:%d/%m/%Y}"
        elif f.type == "number" and not NUMBER.match(raw):
            errors[f.name] = (N_("Phải là số"), {})
        elif f.type == "text" and "\n" in raw:
            raw = " ".join(raw.split())
        values[f.name] = raw
    return values, errors


def _day(raw: str) -> date | None:
    for pattern in (r"^(\d{1,2})/(\d{1,2})/(\d{4})$", r"^(\d{4})-(\d{2})-(\d{2})$"):
        m = re.match(pattern, raw)
        if m:
            parts = [int(p) for p in m.groups()]
            d, mo, y = parts if pattern.startswith(r"^(\d{1,2})") else parts[::-1]
            try:
                return date(y, mo, d)
            except ValueError:
                return None
    return None


def defaults(template: ResultTemplate, facts: dict[str, str]) -> dict[str, str]:
    """Each field's default, its own `{fact}` placeholders filled from the dossier's facts."""
    return {f.name: fill(f.default, facts) for f in template.fields}


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with every `{name}` replaced by its value (plain text: escaping is the
    renderer's); an unknown name is left as written."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1).strip(), m.group(0)), text)

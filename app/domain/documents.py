"""Digitized documents: types, the metadata form, storage keys, page orders (001 §II.2.c).

Pure rules; reading and writing the files themselves is `app.documents`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from app.domain.document_metadata import (
    SixFields,
    SixFieldsError,
    check_six,
    local_today,
    parse_day,
    text_problem,
    wire,
)
from app.domain.identifiers import KINDS, validate_identifier
from app.domain.messages import N_
from app.i18n import _, _l


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    pattern: str | None = None  # a regular expression the value must match
    required: bool = False


@dataclass(frozen=True)
class DocumentType:
    code: str
    name: str
    fields: tuple[Field, ...] = ()


_NUMBER = Field("document_number", N_("Số hiệu giấy tờ"), required=True)
_ISSUED = Field("issued_on", N_("Ngày cấp"), required=True)
_ISSUER = Field("issuer", N_("Cơ quan cấp"), required=True)
_COMMON = (_NUMBER, _ISSUED, _ISSUER)

# The seven codes of DOMAIN.md §3 and the application form; the catalog of issue 3 extends it.
DOCUMENT_TYPES: dict[str, DocumentType] = {
    t.code: t
    for t in (
        DocumentType("KQ.G15.000031", "Giấy khai sinh", _COMMON),
        DocumentType(
            "KQ.G15.000007",
            "Phiếu lý lịch tư pháp số 1",
            (*_COMMON, Field("criminal_record", N_("Tình trạng án tích"))),
        ),
        DocumentType(
            "KQ.G15.000008",
            "Phiếu lý lịch tư pháp số 2",
            (*_COMMON, Field("criminal_record", N_("Tình trạng án tích"))),
        ),
        DocumentType(
            "KQ.G13.000056",
            "Giấy chứng nhận quyền sử dụng đất",
            (*_COMMON, Field("parcel", N_("Thửa đất số, tờ bản đồ số"), required=True)),
        ),
        DocumentType(
            "KQ.G01.000023",
            "Thẻ căn cước công dân",
            (
                Field("document_number", N_("Số thẻ"), r"^\d{12}$", required=True),
                _ISSUED,
                _ISSUER,
            ),
        ),
        DocumentType(
            "KQ.G04.000062",
            "Giấy phép lái xe",
            (*_COMMON, Field("licence_class", N_("Hạng"), r"^[A-F][0-9A-E]?$", required=True)),
        ),
        DocumentType("KQ.G15.000034", "Trích lục khai tử", _COMMON),
        DocumentType(
            "TK.000001",
            "Đơn, tờ khai",
            (Field("form_name", N_("Tên mẫu đơn, tờ khai")),),
        ),
    )
}


def document_type(code: str, name: str | None = None) -> DocumentType:
    """The type with its own fields when this module knows it; a type added to the catalog
    by an administrator gets the common fields (number, issue date, issuer)."""
    known = DOCUMENT_TYPES.get(code)
    if known is not None:
        return DocumentType(known.code, name or known.name, known.fields)
    return DocumentType(code, name or code, _COMMON)


# What the officer received on paper (for the receipt, slip 01).
PAPER_FORMS = {
    "original": N_("Bản chính"),
    "certified_copy": N_("Bản sao chứng thực"),
    "photocopy": N_("Bản sao (photo)"),
}

# How the document is to be digitized (DOMAIN.md §2.D): the table's rows.
CLASSES = {
    "form": N_("Đơn, tờ khai: quét, nhận dạng, điền biểu mẫu điện tử"),
    "earlier_result": N_("Kết quả TTHC trước đó thuộc phạm vi quản lý: quét, nhận dạng"),
    "out_of_scope": N_("Kết quả TTHC ngoài phạm vi: quét, ký số, gửi cơ quan quản lý xác thực"),
    "required_by_law": N_("Theo yêu cầu của luật chuyên ngành: quét, nhận dạng"),
    "on_demand": N_("Theo nhu cầu của người dân: quét, sao y điện tử, thu phí"),
}
ON_DEMAND_FEE_CODE = "P196"  # copy certification fee (Decision 4663/QĐ-KBNN)
ON_DEMAND_FEE_PER_PAGE = 2_000  # VND per page, the first page 10,000 (Circular 14/2025)
ON_DEMAND_FEE_FIRST_PAGE = 10_000


def on_demand_fee(pages: int) -> int:
    """The fee (VND) for digitizing and certifying `pages` pages on demand."""
    return ON_DEMAND_FEE_FIRST_PAGE + ON_DEMAND_FEE_PER_PAGE * max(pages - 1, 0)


@dataclass(frozen=True)
class Metadata:
    """The six mandatory fields (001 §II.2.c "Một số yêu cầu") plus type-specific ones."""

    six: SixFields
    fields: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {**wire(self.six.columns()), "fields": dict(self.fields)}


class MetadataError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _date(value: str) -> date | None:
    return parse_day(value)


def validate_metadata(
    values: dict[str, Any], catalog: dict[str, str] | None = None, today: date | None = None
) -> Metadata:
    """Check the officer's metadata; MetadataError maps each bad field to a Vietnamese message.
    `catalog` ({code: name}) adds the document types of the catalog to the built-in ones. The
    six fields are checked by `document_metadata.check_six` (001 §II.2.c)."""
    errors: dict[str, str] = {}
    text = {k: " ".join(str(v or "").split()) for k, v in values.items()}
    code = text.get("type_code", "")
    doc_type = (
        document_type(code, (catalog or {}).get(code))
        if code in DOCUMENT_TYPES or code in (catalog or {})
        else None
    )
    if doc_type is None:
        errors["type_code"] = _("Chọn loại giấy tờ trong danh mục")
    kind = text.get("owner_id_type", "")
    owner_id = text.get("owner_id", "")
    if kind not in KINDS:
        errors["owner_id_type"] = _("Loại giấy tờ định danh không hỗ trợ")
    else:
        try:
            owner_id = validate_identifier(kind, owner_id).value
        except ValueError as exc:
            errors["owner_id"] = str(exc)
    for name, label in (("owner_name", _("Họ tên chủ sở hữu")), ("name", _("Tên giấy tờ"))):
        if not 2 <= len(text.get(name, "")) <= 255:
            errors[name] = _("%(label)s: bắt buộc, 2–255 ký tự", label=label)
    six: SixFields | None = None
    try:
        six = check_six({**values, "owner_id": owner_id}, today or local_today())
    except SixFieldsError as exc:
        errors = {**exc.errors, **errors}
    extra: dict[str, str] = {}
    for spec in doc_type.fields if doc_type else ():
        value = text.get(f"field_{spec.name}", "")
        if not value:
            if spec.required:
                errors[f"field_{spec.name}"] = _("%(label)s: bắt buộc", label=spec.label)
            continue
        if spec.name == "issued_on":
            try:
                issued = _date(value)
            except ValueError as exc:
                errors[f"field_{spec.name}"] = str(exc)
                continue
            if issued and six and six.valid_until and six.valid_until < issued:
                errors["valid_until"] = _("Hiệu lực đến phải sau ngày cấp")
            value = issued.isoformat() if issued else ""
        elif spec.pattern and not re.match(spec.pattern, value):
            errors[f"field_{spec.name}"] = _("%(label)s: không đúng định dạng", label=spec.label)
            continue
        elif problem := text_problem(value, 500):
            errors[f"field_{spec.name}"] = problem
            continue
        extra[spec.name] = value
    if errors:
        raise MetadataError(errors)
    assert doc_type is not None and six is not None  # nosec B101 # errors raised above
    return Metadata(replace(six, type_code=doc_type.code), extra)


def storage_key(owner_id: str, type_code: str, repeat: int = 1) -> str:
    """`<owner identifier>.<document-type code>`, with `.<n>` for the n-th copy (n ≥ 2)."""
    base = f"{owner_id}.{type_code}"
    return base if repeat <= 1 else f"{base}.{repeat}"


_PAGE_ITEM = re.compile(r"^(\d+)(?:-(\d+))?$", re.ASCII)  # no other scripts' digits


def parse_page_order(spec: str, count: int) -> list[int]:
    """'3,1-2' → [2, 0, 1] (0-based). Every page must appear exactly once: dropping a page would
    break the "images = input pages" rule, so a spec that omits or repeats one is refused."""
    spec = (spec or "").replace(" ", "")
    if not spec:
        return list(range(count))
    order: list[int] = []
    for item in spec.split(","):
        match = _PAGE_ITEM.match(item)
        if not match:
            raise ValueError(
                _l("Thứ tự trang không hợp lệ: “%(item)s” (ví dụ: 2,1,3-5)", item=item)
            )
        start = int(match.group(1))
        end = int(match.group(2) or start)
        # bounds before expanding, so that "1-999999999" is refused without building the range
        wrong = next((p for p in (start, end) if not 1 <= p <= count), None)
        if wrong is not None:
            raise ValueError(
                _l("Trang %(wrong)s không có (tệp có %(count)s trang)", wrong=wrong, count=count)
            )
        step = 1 if end >= start else -1
        order.extend(range(start, end + step, step))
        if len(order) > 2 * count:
            break  # already repeats pages: refused below without growing further
    if sorted(order) != list(range(1, count + 1)):
        missing = sorted(set(range(1, count + 1)) - set(order))
        repeated = sorted({p for p in order if order.count(p) > 1})
        detail = (
            _("thiếu trang %(missing)s", missing=missing)
            if missing
            else _("trang lặp %(repeated)s", repeated=repeated)
        )
        raise ValueError(
            _l("Thứ tự trang phải liệt kê mỗi trang đúng một lần (%(detail)s)", detail=detail)
        )
    return [p - 1 for p in order]


def parse_rescans(spec: str, count: int) -> list[int]:
    """'3,5-6' → [2, 4, 5] (0-based, sorted): the images declared as rescans of a page with a
    sticky note (001 §II.2.c). Each image at most once, and at least one image must be a page."""
    spec = (spec or "").replace(" ", "")
    if not spec:
        return []
    images: list[int] = []
    for item in spec.split(","):
        match = _PAGE_ITEM.match(item)
        if not match:
            raise ValueError(_l("Ảnh quét lại không hợp lệ: “%(item)s” (ví dụ: 3,5-6)", item=item))
        start, end = int(match.group(1)), int(match.group(2) or match.group(1))
        # bounds first, so that "1-999999999" is refused rather than expanded
        wrong = next((p for p in (start, end) if not 1 <= p <= count), None)
        if wrong is not None:
            raise ValueError(
                _l("Ảnh %(wrong)s không có (tệp có %(count)s ảnh)", wrong=wrong, count=count)
            )
        images.extend(range(min(start, end), max(start, end) + 1))
    if len(set(images)) != len(images):
        raise ValueError(_l("Mỗi ảnh quét lại chỉ khai báo một lần"))
    if len(images) >= count:
        raise ValueError(
            _l("Không thể khai báo mọi ảnh là ảnh quét lại: phải còn ít nhất một trang giấy")
        )
    return sorted(p - 1 for p in images)

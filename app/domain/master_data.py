"""Master-data codes (mã dữ liệu chủ, 001 §IV.1.a: DC0001–DC0022) and which national database
answers each, so that a form field tied to a code is filled from it (001 §II.2.b Bước 4:
"Thông tin biểu mẫu: được lấy từ các Cơ sở dữ liệu quốc gia (dân cư, đăng ký doanh nghiệp,
thuế…) qua thông tin mã số định danh đối với cá nhân là CCCD/HOCHIEU, với doanh nghiệp là MST
hoặc MSDN").

A form field carries the code in its JSON schema as `"x-master-data": "DC0011"`. For a person
(CCCD, CMND, passport) every code is answered by the population database; for a business (tax
code) the enterprise registry answers its name and head office and the tax database its tax
code; a code the owner's kind has no source for is typed by hand ("Các thông tin chưa có thì
cán bộ nhập thêm").

The guide's list names DC0022 twice ("Tình trạng hôn nhân (Mã theo quy định)" and "Vợ/chồng");
a code must mean one datum, so DC0022 is the marital status, the first it names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.messages import N_

MARK = "x-master-data"
POPULATION, ENTERPRISE, TAX = "population", "enterprise", "tax"
PERSON, BUSINESS = "person", "business"
REASON_MAX = 500

SOURCE_NAMES: dict[str, str] = {
    POPULATION: N_("CSDL quốc gia về dân cư"),
    ENTERPRISE: N_("CSDL quốc gia về đăng ký doanh nghiệp"),
    TAX: N_("CSDL quốc gia về thuế"),
}
# The owner identifier types (app.domain.identifiers) a national database answers by.
OWNER_KINDS = {"cccd": PERSON, "cmnd": PERSON, "passport": PERSON, "tax_code": BUSINESS}


@dataclass(frozen=True)
class MasterData:
    """One code: its name in the guide and, per owner kind, (source, key in its record)."""

    code: str
    name: str
    person: tuple[str, str] | None = None
    business: tuple[str, str] | None = None

    def source(self, kind: str | None) -> tuple[str, str] | None:
        """Where this datum comes from for an owner of `kind` (None: typed by hand)."""
        return self.person if kind == PERSON else self.business if kind == BUSINESS else None


def _person(code: str, name: str, key: str, business: tuple[str, str] | None = None) -> MasterData:
    return MasterData(code, name, (POPULATION, key), business)


# 001 §IV.1.a, in the guide's order and words.
MASTER_DATA: dict[str, MasterData] = {
    m.code: m
    for m in (
        _person("DC0001", N_("Mã định danh công dân (CCCD)"), "identifier"),
        _person("DC0002", N_("Chứng minh nhân dân"), "old_id_number"),
        _person("DC0003", N_("Số hộ chiếu"), "passport_number"),
        _person("DC0004", N_("Mã số thuế"), "tax_code", (TAX, "tax_code")),
        _person("DC0005", N_("Mã BHXH"), "social_insurance_number"),
        _person("DC0010", N_("Họ và tên"), "full_name", (ENTERPRISE, "name")),
        _person("DC0011", N_("Ngày sinh"), "birth_date"),
        _person("DC0012", N_("Giới tính"), "gender"),
        _person("DC0013", N_("Nơi sinh"), "birth_place"),
        _person("DC0014", N_("Quê quán"), "home_town"),
        _person(
            "DC0015", N_("Địa chỉ thường trú"), "permanent_address", (ENTERPRISE, "head_office")
        ),
        _person("DC0016", N_("Nơi ở hiện nay"), "current_address"),
        _person("DC0017", N_("Quốc tịch"), "nationality"),
        _person("DC0018", N_("Dân tộc"), "ethnicity"),
        _person("DC0019", N_("Tôn giáo"), "religion"),
        _person("DC0020", N_("Cha (Mã số định danh)"), "father_identifier"),
        _person("DC0021", N_("Mẹ (Mã số định danh)"), "mother_identifier"),
        _person("DC0022", N_("Tình trạng hôn nhân (Mã theo quy định)"), "marital_status"),
    )
}


def owner_kind(id_type: str | None) -> str | None:
    """PERSON or BUSINESS for an owner identifier type; None when no national DB answers it
    (a state agency's code)."""
    return OWNER_KINDS.get(id_type or "")


def tied_fields(schema: Mapping[str, Any] | None) -> dict[str, str]:
    """The form's top-level fields tied to a known master-data code: {field: code}."""
    properties = (schema or {}).get("properties")
    if not isinstance(properties, Mapping):
        return {}
    return {
        name: spec[MARK]
        for name, spec in properties.items()
        if isinstance(spec, Mapping) and spec.get(MARK) in MASTER_DATA
    }


def schema_problems(schema: Any) -> list[tuple[str, str]]:
    """(field, message) for each `x-master-data` mark a form cannot carry: an unknown code,
    or a mark on a field that is not a single value (001 §IV.1.a lists single data)."""
    properties = schema.get("properties") if isinstance(schema, Mapping) else None
    if not isinstance(properties, Mapping):
        return []
    found = []
    for name, spec in properties.items():
        if not isinstance(spec, Mapping) or MARK not in spec:
            continue
        code = spec[MARK]
        if not isinstance(code, str) or code not in MASTER_DATA:
            found.append((str(name), N_("Mã dữ liệu chủ không có trong danh mục DC0001–DC0022")))
        elif spec.get("type") in ("object", "array"):
            found.append((str(name), N_("Mã dữ liệu chủ chỉ gắn được với trường một giá trị")))
    return found


def needed_sources(tied: Mapping[str, str], kind: str | None) -> list[str]:
    """The national databases to ask for these fields, for an owner of `kind`, in order."""
    sources = [MASTER_DATA[code].source(kind) for code in tied.values()]
    return list(dict.fromkeys(s[0] for s in sources if s))


def filled_values(
    tied: Mapping[str, str], kind: str | None, records: Mapping[str, Mapping[str, Any] | None]
) -> dict[str, tuple[str, str]]:
    """{field: (value, source)} for each tied field its source's record answers (a record of
    None: the owner is not in that database; a source missing from `records` did not answer)."""
    found: dict[str, tuple[str, str]] = {}
    for name, code in tied.items():
        where = MASTER_DATA[code].source(kind)
        record = records.get(where[0]) if where else None
        value = record.get(where[1]) if record and where else None
        if where and value not in (None, ""):
            found[name] = (str(value), where[0])
    return found


@dataclass(frozen=True)
class Change:
    """A filled field the officer or citizen changed, with the reason they gave."""

    field: str
    code: str
    source: str
    old: str
    new: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        """The change as recorded in the dossier's history."""
        return {
            "field": self.field,
            "code": self.code,
            "source": self.source,
            "old": self.old,
            "new": self.new,
            "reason": self.reason,
        }


def reconcile(
    tied: Mapping[str, str],
    filled: Mapping[str, tuple[str, str]],
    data: dict[str, Any],
    reasons: Mapping[str, str],
) -> tuple[dict[str, Any], list[Change], dict[str, str]]:
    """The data to keep, the changes to record and the errors by field: a filled field keeps
    the national value unless a reason is given (001 §II.2.b Bước 4: the form's data are taken
    from the national databases); an absent value is the national one."""
    kept, changes, errors = dict(data), [], {}
    for name, (national, source) in filled.items():
        reason = (reasons.get(name) or "").strip()
        posted = data.get(name)
        new = "" if posted is None else str(posted)
        if new == national or (posted is None and not reason):
            kept[name] = national if posted is None else posted
            continue
        if not reason:
            errors[name] = "no_reason"
        elif len(reason) > REASON_MAX:
            errors[name] = "reason_too_long"
        else:
            changes.append(Change(name, tied[name], source, national, new, reason))
    return kept, changes, errors

"""Master-data codes (001 §IV.1.a) and the rule that a form's national data keep their value
unless a reason is given (001 §II.2.b Bước 4)."""

from __future__ import annotations

import json

from app.domain import master_data as md
from app.engine.validation import validate
from app.services.process_models.deploy import catalogs, read_bundle
from config import ROOT


def test_the_list_is_the_guides_DC0001_to_DC0005_and_DC0010_to_DC0022_of_001_IV_1_a():
    expected = [f"DC{n:04d}" for n in (*range(1, 6), *range(10, 23))]
    assert list(md.MASTER_DATA) == expected
    assert md.MASTER_DATA["DC0001"].name == "Mã định danh công dân (CCCD)"
    assert md.MASTER_DATA["DC0011"].name == "Ngày sinh"
    assert md.MASTER_DATA["DC0022"].name == "Tình trạng hôn nhân (Mã theo quy định)"


def test_a_person_is_answered_by_the_population_database_for_every_code():
    assert {m.source(md.PERSON)[0] for m in md.MASTER_DATA.values()} == {md.POPULATION}


def test_a_business_is_answered_by_the_enterprise_registry_and_the_tax_db_where_they_hold_it():
    business = {c: m.source(md.BUSINESS) for c, m in md.MASTER_DATA.items() if m.business}
    assert business == {
        "DC0004": (md.TAX, "tax_code"),
        "DC0010": (md.ENTERPRISE, "name"),
        "DC0015": (md.ENTERPRISE, "head_office"),
    }
    assert md.MASTER_DATA["DC0011"].source(md.BUSINESS) is None


def test_an_agency_owner_has_no_national_source():
    assert md.owner_kind("agency_code") is None
    assert (md.owner_kind("passport"), md.owner_kind("tax_code")) == (md.PERSON, md.BUSINESS)


def test_an_unknown_or_malformed_code_is_a_problem_named_by_its_field():
    schema = {
        "properties": {
            "a": {"type": "string", "x-master-data": "DC0099"},
            "b": {"type": "string", "x-master-data": "dc0010"},
            "c": {"type": "string", "x-master-data": 10},
            "d": {"type": "object", "x-master-data": "DC0015"},
            "e": {"type": "string", "x-master-data": "DC0015"},
        }
    }
    assert [f for f, _ in md.schema_problems(schema)] == ["a", "b", "c", "d"]
    assert md.tied_fields(schema) == {"d": "DC0015", "e": "DC0015"}


def test_deploying_a_form_with_an_unknown_code_is_refused_with_the_file_and_the_field():
    files = read_bundle(ROOT / "bpmn")
    form = json.loads(files["forms/reception.schema.json"])
    form["properties"]["owner_gender"]["x-master-data"] = "DC0023"
    files["forms/reception.schema.json"] = json.dumps(form)
    problems = validate(files, "counter_dossier", catalogs())
    located = [(p.file, p.element_id) for p in problems]
    assert located == [("forms/reception.schema.json", "owner_gender")]
    assert "DC0001–DC0022" in str(problems[0].message)


def test_the_shipped_reception_form_ties_its_owner_fields_to_known_codes():
    files = read_bundle(ROOT / "bpmn")
    tied = md.tied_fields(json.loads(files["forms/reception.schema.json"]))
    assert tied["owner_full_name"] == "DC0010" and tied["owner_date_of_birth"] == "DC0011"
    assert validate(files, "counter_dossier", catalogs()) == []


TIED = {"name": "DC0010", "born": "DC0011"}
FILLED = {"name": ("Nguyễn Văn An", md.POPULATION), "born": ("1990-05-12", md.POPULATION)}


def test_an_absent_filled_value_is_the_national_one():
    kept, changes, errors = md.reconcile(TIED, FILLED, {}, {})
    assert kept == {"name": "Nguyễn Văn An", "born": "1990-05-12"} and not changes and not errors


def test_changing_a_filled_value_without_a_reason_is_refused_on_the_field():
    _, changes, errors = md.reconcile(TIED, FILLED, {"name": "Nguyễn Văn Bình"}, {"name": "  "})
    assert errors == {"name": "no_reason"} and not changes


def test_changing_a_filled_value_with_a_reason_records_old_new_and_reason():
    kept, [change], errors = md.reconcile(
        TIED, FILLED, {"name": "Nguyễn Văn Bình"}, {"name": "Đã đổi tên theo QĐ 12/2026"}
    )
    assert not errors and kept["name"] == "Nguyễn Văn Bình"
    assert change.as_dict() == {
        "field": "name",
        "code": "DC0010",
        "source": md.POPULATION,
        "old": "Nguyễn Văn An",
        "new": "Nguyễn Văn Bình",
        "reason": "Đã đổi tên theo QĐ 12/2026",
    }


def test_clearing_a_filled_value_needs_a_reason_too_and_a_reason_has_a_limit():
    _, _, errors = md.reconcile(TIED, FILLED, {}, {"born": "x" * (md.REASON_MAX + 1)})
    assert errors == {"born": "reason_too_long"}


def test_posting_the_national_value_unchanged_needs_no_reason():
    kept, changes, errors = md.reconcile(TIED, FILLED, {"born": "1990-05-12"}, {})
    assert kept["born"] == "1990-05-12" and not changes and not errors

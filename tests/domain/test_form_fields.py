"""Which submitted fields a step's form declares: only those reach the process."""

from __future__ import annotations

from app.domain.form_fields import undeclared

FORM = {
    "type": "object",
    "properties": {
        "note": {"type": "string"},
        "address": {
            "type": "object",
            "properties": {"street": {"type": "string"}, "ward": {"type": "string"}},
        },
        "people": {
            "type": "array",
            "items": {"type": "object", "properties": {"name": {"type": "string"}}},
        },
        "tags": {"type": "object"},
        "extras": {"type": "object", "properties": {"a": {}}, "additionalProperties": True},
        "coded": {
            "type": "object",
            "properties": {},
            "patternProperties": {"^x_": {"type": "string"}},
            "additionalProperties": False,
        },
    },
}


def test_declared_fields_pass():
    assert undeclared(FORM, {"note": "n", "address": {"street": "s"}, "people": []}) == []


def test_every_undeclared_top_level_field_is_named_in_the_order_submitted():
    data = {"agency_code": "X", "note": "n", "fee_amount": 0, "zzz": 1}
    assert undeclared(FORM, data) == ["agency_code", "fee_amount", "zzz"]


def test_the_top_level_stays_closed_whatever_additional_properties_says():
    open_form = {**FORM, "additionalProperties": True, "patternProperties": {".*": {}}}
    assert undeclared(open_form, {"agency_code": "X"}) == ["agency_code"]


def test_a_declared_object_is_closed_to_keys_it_does_not_list():
    assert undeclared(FORM, {"address": {"street": "s", "agency_code": "X"}}) == [
        "address.agency_code"
    ]


def test_array_items_are_checked_against_their_schema():
    data = {"people": [{"name": "a"}, {"name": "b", "owner_id": "1"}]}
    assert undeclared(FORM, data) == ["people.1.owner_id"]


def test_an_object_declared_as_a_free_map_or_opened_explicitly_takes_any_key():
    assert undeclared(FORM, {"tags": {"anything": 1}, "extras": {"b": 2}}) == []


def test_pattern_properties_declare_the_keys_they_match_inside_a_value():
    assert undeclared(FORM, {"coded": {"x_1": "a", "y": "b"}}) == ["coded.y"]


def test_properties_of_combined_subschemas_are_declared():
    form = {"allOf": [{"properties": {"a": {}}}, {"properties": {"b": {}}}]}
    assert undeclared(form, {"a": 1, "b": 2, "c": 3}) == ["c"]


def test_a_step_without_a_schema_declares_nothing():
    assert undeclared(None, {}) == []
    assert undeclared(None, {"agency_code": "X"}) == ["agency_code"]
    assert undeclared({}, {"note": "n"}) == ["note"]

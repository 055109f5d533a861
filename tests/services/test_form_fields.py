"""Only the step's form reaches the process: a completion carrying a system variable or a field
the form does not declare is refused, each field named, and nothing about the dossier moves."""

from __future__ import annotations

import pytest

from app.services.citizens import actions
from app.services.core import queue
from app.services.core.errors import InvalidInput
from app.services.dossiers import tasks
from tests.services.foreign_fields import (
    AN,
    HOSTILE,
    RECEPTION,
    at_reception,
    dossier_count,
    snapshot,
)
from tests.services.helpers import complete, receive


@pytest.fixture
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def test_a_reception_with_system_and_unknown_fields_is_refused_naming_each(actors, no_queue):
    code = at_reception(actors)
    before = snapshot(code)
    with pytest.raises(InvalidInput) as err:
        complete(code, "reception", actors["tiepnhan"], {**RECEPTION, **HOSTILE})
    assert set(err.value.fields) == set(HOSTILE)
    assert "agency_code" in err.value.message and "not_a_field" in err.value.message
    assert "hệ thống" in err.value.fields["agency_code"]
    assert "không thuộc biểu mẫu" in err.value.fields["not_a_field"]
    assert snapshot(code) == before


@pytest.mark.parametrize("field", ["agency_code", "fee_amount", "not_a_field"])
def test_one_foreign_field_is_enough_to_refuse_the_whole_completion(actors, no_queue, field):
    code = at_reception(actors)
    before = snapshot(code)
    with pytest.raises(InvalidInput) as err:
        complete(code, "reception", actors["tiepnhan"], {**RECEPTION, field: HOSTILE[field]})
    assert list(err.value.fields) == [field]
    assert snapshot(code) == before


def test_after_a_refused_attempt_the_dossier_keeps_its_route(actors, no_queue):
    control, code = at_reception(actors), at_reception(actors)
    before = snapshot(code)
    with pytest.raises(InvalidInput):
        complete(code, "reception", actors["tiepnhan"], {**RECEPTION, **HOSTILE})
    for each in (control, code):
        complete(each, "reception", actors["tiepnhan"], RECEPTION)
    after, untouched = snapshot(code), snapshot(control)
    for name in ("agency_code", "reception_agency_code", "dossier_code", "owner_id"):
        assert after["data"][name] == before["data"][name]
    # what the citizen still pays online is set by the system at reception (the fees recorded
    # there, 003 §II.1.b): the same as for a dossier never sent a hostile form
    assert after["data"]["fee_amount"] == untouched["data"]["fee_amount"]
    # the next step is the appraisal, at the same agency as an untouched dossier's: no BCCI
    # transfer, no other department
    assert after["open"] == untouched["open"]
    assert [element for element, _ in after["open"]] == ["appraisal"]


def test_a_form_field_named_like_a_system_variable_is_refused_even_when_declared():
    form = {"type": "object", "properties": {"agency_code": {"type": "string"}}}
    errors = tasks.validate_form(form, {"agency_code": "000.00.12.H31"})
    assert list(errors) == ["agency_code"] and "hệ thống" in errors["agency_code"]


def test_a_closed_schema_names_each_extra_field_once_not_as_a_whole_form_error():
    form = {"type": "object", "properties": {"a": {}}, "additionalProperties": False}
    assert set(tasks.validate_form(form, {"a": 1, "b": 2, "c": 3})) == {"b", "c"}


def test_a_step_without_a_schema_accepts_no_data_at_all():
    assert tasks.validate_form(None, {}) == {}
    assert list(tasks.validate_form(None, {"agency_code": "X", "note": "n"})) == [
        "agency_code",
        "note",
    ]


def test_a_portal_submission_carrying_system_fields_is_refused_and_registers_nothing(
    actors, no_queue
):
    count = dossier_count()
    values = {
        "procedure_code": "2.000488",
        "owner_id": AN,
        "owner_name": "Nguyễn Văn An",
        "fees": 0,
        "channel": "counter",
        "agency_id": 1,
    }
    with pytest.raises(InvalidInput) as err:
        actions.submit_online(values)
    assert set(err.value.fields) == {"fees", "channel", "agency_id"}
    assert dossier_count() == count


def test_a_portal_form_stays_whole_under_online_form_and_sets_no_variable(actors, no_queue):
    submission = {"procedure_code": "2.000488", "owner_id": AN, "owner_name": "Nguyễn Văn An"}
    plain = snapshot(actions.submit_online(submission))["data"]
    form = {"agency_code": "000.21.33.H31", "fee_amount": 0, "fee_due": False}
    data = snapshot(actions.submit_online({**submission, "form": form}))["data"]
    assert data["online_form"] == form
    for name in form:
        assert data[name] == plain[name]


def test_what_comes_with_a_dossier_cannot_stand_in_for_a_system_value(actors, no_queue):
    plain = snapshot(receive(actors["tiepnhan"]))["data"]
    smuggled = {"agency_code": "000.21.33.H31", "fee_amount": 0, "dossier_code": "X"}
    data = snapshot(receive(actors["tiepnhan"], **smuggled))["data"]
    assert data["agency_code"] == plain["agency_code"] and data["fee_amount"] == plain["fee_amount"]
    assert data["dossier_code"] != "X"

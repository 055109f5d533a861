"""The catalog forms are read by the web layer: a form of the wrong shape is refused with a
422 naming the field, never a 500, and nothing is saved."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app.models import Fee, Procedure
from app.storage.db import db
from tests.web.helpers import login, post, token

NEW = "/catalogs/procedures/new"
GOOD = {
    "code": "1.000695",
    "name": "Cấp Giấy chứng nhận xuất xứ hàng hoá (C/O) ưu đãi mẫu E",
    "level": "4",
    "agency_code": "000.00.12.H31",
    "duration_days": "8",
    "duration_unit": "working_days",
    "supplement_clock": "pause",
    "component-0-type_code": "TK.000001",
    "component-0-name": "Đơn đề nghị cấp C/O",
    "component-0-required": "on",
    "active": "on",
}


@pytest.fixture
def analyst(client):
    login(client, "phantich")
    return client


def _procedures() -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Procedure))


def _refused(analyst, form: dict, field: str) -> str:  # noqa: ANN001
    """Post `form`; it must be refused (422) with a message located on `field`; the page."""
    before = _procedures()
    answer = post(analyst, NEW, form, page=NEW)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422, page[:500]
    assert f"{field}: " in page
    assert _procedures() == before
    return page


def test_the_well_formed_form_is_saved_so_the_refusals_below_are_about_shape(analyst):
    answer = post(analyst, NEW, GOOD, page=NEW)
    assert answer.status_code == 302
    with db.transaction() as session:
        saved = session.scalar(select(Procedure).where(Procedure.code == "1.000695"))
        assert saved.components == [
            {"type_code": "TK.000001", "name": "Đơn đề nghị cấp C/O", "required": True}
        ]


@pytest.mark.parametrize("index", ["200", "99999999", "9" * 5000])
def test_a_row_index_beyond_the_last_row_allowed_is_refused(analyst, index):
    key = f"component-{index}-name"
    page = _refused(analyst, {**GOOD, key: "x"}, key)
    assert "Tối đa 200 dòng" in page


@pytest.mark.parametrize("index", ["x", "-1", "01", "1.5", "٣", ""])
def test_a_row_index_that_is_not_a_plain_whole_number_is_refused(analyst, index):
    key = f"component-{index}-name"
    _refused(analyst, {**GOOD, key: "Tờ khai"}, key)


def test_a_missing_row_between_two_rows_is_refused_not_dropped(analyst):
    form = {**GOOD, "component-2-type_code": "TK.000001", "component-2-name": "Bản sao"}
    page = _refused(analyst, form, "component-1-type_code")
    assert "Thiếu dòng số 1" in page


def test_a_row_without_its_document_type_field_is_refused(analyst):
    form = {**GOOD, "component-1-name": "Bản sao hợp đồng"}
    _refused(analyst, form, "component-1-type_code")


def test_a_field_sent_twice_is_refused(analyst):
    pairs = [*GOOD.items(), ("component-0-name", "Tên khác"), ("csrf_token", token(analyst, NEW))]
    before = _procedures()
    answer = analyst.post(NEW, data=MultiDict(pairs))
    assert answer.status_code == 422
    assert "component-0-name: " in answer.get_data(as_text=True)
    assert _procedures() == before


def test_an_unknown_field_in_a_row_is_refused(analyst):
    _refused(analyst, {**GOOD, "component-0-owner": "x"}, "component-0-owner")


@pytest.mark.parametrize("field", ["component-0-required", "active", "result_e_only"])
def test_a_check_box_with_a_value_no_browser_sends_is_refused(analyst, field):
    page = _refused(analyst, {**GOOD, field: "yes"}, field)
    assert "Ô đánh dấu" in page


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("duration_days", "tám"),
        ("duration_days", "nan"),
        ("duration_days", "1e999"),
        ("level", "4.5"),
        ("model_version_id", "99999999999999999999"),
        ("model_version_id", "3000000000"),
        ("model_version_id", "9" * 5000),
        ("model_version_id", "²"),
        ("step-0-days", "abc"),
        ("result_validity_months", "-6"),
        ("result_validity_months", "99999"),
        ("result_validity_months", "6 tháng"),
    ],
)
def test_a_number_that_is_not_one_is_refused_on_its_field(analyst, field, value):
    form = {**GOOD, field: value}
    if field.startswith("step-"):
        form["step-0-element_id"] = "appraisal"
    _refused(analyst, form, field)


def test_ten_thousand_components_are_refused_quickly_with_a_short_answer(analyst):
    form = dict(GOOD)
    for i in range(10_000):
        form[f"component-{i}-type_code"] = "TK.000001"
        form[f"component-{i}-name"] = f"Thành phần {i}"
    started = time.monotonic()
    page = _refused(analyst, form, "component-200-type_code")
    assert time.monotonic() - started < 20
    assert page.count('role="alert"') < 100


def test_a_fee_amount_that_is_not_a_whole_number_of_dong_is_refused(analyst):
    for amount in ("abc", "-5", "1,5", "10000000000"):
        answer = post(analyst, "/catalogs/fees", {"code": "P998", "name": "Phí", "amount": amount})
        assert answer.status_code == 422, amount
        assert "amount: " in answer.get_data(as_text=True)
    with db.transaction() as session:
        assert session.scalar(select(Fee).where(Fee.code == "P998")) is None


def test_the_shape_errors_are_in_the_readers_language(analyst):
    assert analyst.get("/catalogs/fees?lang=en").status_code == 200
    answer = post(analyst, "/catalogs/fees", {"code": "P998", "name": "Phí", "amount": "abc"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "amount: A whole number from 0 to 1000000000 is needed" in page
    assert "Cần một số nguyên" not in page

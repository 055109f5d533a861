"""In a real headless Chromium, at 1280 px and 390 px: the reception step's owner fields come
from the population database (001 §II.2.b Bước 4), read-only with their source named; the
officer opens "change", is refused without a reason, gives one, and the dossier's history
shows the change with old and new values."""

from __future__ import annotations

import json

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.simulators]


@pytest.mark.parametrize("width", [1280, 390])
def test_the_officer_changes_a_national_field_only_with_a_reason(
    browser_page, drain, tmp_path, width
):
    page = browser_page("tiepnhan")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/counter/new")
    page.select_option("select[name=procedure_code]", "2.000488")
    page.fill("input[name=owner_id]", "033185004321")
    page.fill("input[name=owner_name]", "Lê Thị Mai")
    page.click("button.primary")
    page.wait_for_url("**/dossiers/*")
    code = page.url.rsplit("/", 1)[-1]
    drain()  # the account check: she has a portal account

    page.goto("/inbox")
    page.locator("#pool tr", has_text=code).get_by_role("button", name="Nhận và xử lý").click()
    page.wait_for_url("**/tasks/*")
    address = page.locator("input[name=owner_current_address]")
    assert address.input_value() == "Số 8 Điện Biên, Phường Phố Hiến, tỉnh Hưng Yên"
    assert address.evaluate("e => e.readOnly")
    box = page.locator(".field.national", has=address)
    assert "Từ CSDL quốc gia về dân cư" in box.inner_text()
    assert page.locator("input[name=owner_date_of_birth]").input_value() == "02/11/1985"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(tmp_path / f"national-{width}.png"), full_page=True)

    box.locator("summary").click()  # "Sửa thông tin này (ghi lý do)"
    assert not address.evaluate("e => e.readOnly")
    address.fill("Số 20 Bạch Đằng, Phường Phố Hiến, tỉnh Hưng Yên")
    page.check("input[name=components_checked]")
    page.get_by_role("button", name="Hoàn thành").click()
    error = page.locator(".field.national.has-error")
    assert "ghi lý do để sửa" in error.inner_text()
    assert (
        page.locator("input[name=owner_current_address]")
        .input_value()
        .startswith("Số 20 Bạch Đằng")
    )
    page.fill("textarea[name=owner_current_address__reason]", "Công dân xuất trình xác nhận cư trú")
    page.check("input[name=components_checked]")
    page.get_by_role("button", name="Hoàn thành").click()
    page.get_by_text("Đã hoàn thành: Tiếp nhận hồ sơ").wait_for()

    page.goto(f"/dossiers/{code}")
    history = page.locator("#history").inner_text()
    assert "Sửa thông tin lấy từ CSDL quốc gia" in history
    assert "Số 20 Bạch Đằng" in history and "Công dân xuất trình xác nhận cư trú" in history


def test_the_analyst_ties_a_form_field_to_a_master_data_code_in_the_form_editor(browser_page):
    page = browser_page("phantich")
    page.goto("/models/counter_dossier/edit")
    page.wait_for_selector("body[data-editor=ready]")
    page.click("[data-tab=forms]")
    page.select_option("#form-file", "forms/reception.schema.json")
    page.select_option("#md-field", "reception_note")
    assert page.locator("#md-code").input_value() == ""
    page.select_option("#md-code", "DC0014")  # Quê quán
    schema = json.loads(page.locator("#form-text").input_value())
    assert schema["properties"]["reception_note"]["x-master-data"] == "DC0014"
    page.locator("#form-preview", has_text="Lấy từ CSDL quốc gia: DC0014").wait_for()
    page.select_option("#md-field", "owner_gender")
    assert page.locator("#md-code").input_value() == "DC0012"
    page.select_option("#md-code", "")
    schema = json.loads(page.locator("#form-text").input_value())
    assert "x-master-data" not in schema["properties"]["owner_gender"]
    page.fill("#form-text", "{not json")
    assert "JSON hợp lệ" in page.locator("#md-problem").inner_text()
    assert page.locator("#md-code").is_disabled()


def test_the_citizen_sees_her_national_data_on_the_submission_form_on_a_phone(
    browser_page, tmp_path
):
    page = browser_page(None)
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto("/citizen/submit/2.000488")
    page.select_option("select[name=account_id]", label="033185004321 — Lê Thị Mai")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/citizen/submit/2.000488")
    form = page.locator("#national-form")
    assert "Từ CSDL quốc gia về dân cư" in form.inner_text()
    birth = page.locator("input[name=owner_date_of_birth]")
    assert birth.input_value() == "02/11/1985" and birth.evaluate("e => e.readOnly")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(tmp_path / "citizen-national-390.png"), full_page=True)

"""In a real headless Chromium: the counter officer receives a dossier submitted under a power
of attorney for a citizen with no portal account, creates the account, and finds the reception
form filled from it; then reuses a component from the national DB."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.simulators]


def test_account_check_creates_the_account_fills_the_form_and_reuses_a_component(
    browser_page, drain, tmp_path
):
    page = browser_page("tiepnhan")
    page.goto("/counter/new")
    page.select_option("select[name=procedure_code]", "2.000488")
    page.fill("input[name=owner_id]", "079095000123")
    page.fill("input[name=owner_name]", "Nguyễn Thị Hồng Nhung")
    page.check("input[name=by_proxy]")
    # the grantee must differ from the grantor: refused with the field named
    page.fill("input[name=proxy_id]", "079095000123")
    page.fill("input[name=proxy_name]", "Lê Thị Mai")
    page.click("button.primary")
    assert "khác người ủy quyền" in page.locator(".field.has-error").inner_text()
    page.fill("input[name=proxy_id]", "033185004321")
    page.click("button.primary")
    page.wait_for_url("**/dossiers/*")
    code = page.url.rsplit("/", 1)[-1]
    assert "Lê Thị Mai" in page.locator("#proxy").inner_text()
    assert "chưa liên kết" in page.locator("#account").inner_text()
    drain()  # the account check: no account on the portal

    page.goto("/inbox")
    row = page.locator("#pool tr", has_text=code)
    assert "Tạo tài khoản cho công dân trên Cổng DVCQG" in row.inner_text()
    row.get_by_role("button", name="Nhận và xử lý").click()  # claims and opens
    page.wait_for_url("**/tasks/*")
    page.get_by_label("Tạo tài khoản cho công dân trên Cổng từ thông tin dưới đây").check()
    page.get_by_role("button", name="Hoàn thành").click()
    # the profile is required to create it
    assert "«Giới tính» là bắt buộc" in page.locator("body").inner_text()
    page.get_by_label("Tạo tài khoản cho công dân trên Cổng từ thông tin dưới đây").check()
    page.get_by_label("Nữ").check()
    page.fill("input[name=birth_date]", "1995-07-21")
    page.fill("input[name=permanent_address]", "Phường Phố Hiến, tỉnh Hưng Yên")
    page.get_by_role("button", name="Hoàn thành").click()
    page.wait_for_url("**/inbox")
    drain()  # created on the portal, confirmed again, local account linked

    page.goto(f"/dossiers/{code}")
    assert "đã liên kết" in page.locator("#account").inner_text()
    history = page.locator("#history").inner_text()
    assert "tạo tài khoản trên Cổng DVCQG" in history
    assert "Tạo tài khoản công dân trong hệ thống từ Cổng DVCQG và liên kết" in history

    page.goto("/inbox")
    page.locator("#pool tr", has_text=code).get_by_role("button", name="Nhận và xử lý").click()
    page.wait_for_url("**/tasks/*")
    assert page.locator("input[name=applicant_birth_date]").input_value() == "1995-07-21"
    assert page.locator("input[name=applicant_gender]").input_value() == "Nữ"
    assert (
        page.locator("input[name=applicant_address]").input_value()
        == "Phường Phố Hiến, tỉnh Hưng Yên"
    )
    page.screenshot(path=str(tmp_path / "reception.png"), full_page=True)

    # the citizen's ID card comes from the national DB, attached once she confirms
    page.goto(f"/dossiers/{code}")
    page.click("#reuse-link")
    page.select_option("select[name=type_code]", "KQ.G01.000023")
    page.get_by_role("button", name="Tra cứu").click()
    page.locator("#found").wait_for()
    page.check("input[name=citizen_confirmed]")
    page.get_by_role("button", name="Đính kèm vào hồ sơ").click()
    page.wait_for_url(f"**/dossiers/{code}#components")
    assert page.locator('.components li[data-source="national"]').count() == 1

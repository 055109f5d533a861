"""In a real headless Chromium: the counter officer looks a component up, the citizen
confirms, and the component is attached, with a paper/national mismatch flagged."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.simulators]


def test_counter_officer_reuses_a_component_from_the_national_db(browser_page, drain):
    page = browser_page("tiepnhan")
    page.goto("/counter/new")
    page.fill("input[name=owner_id]", "079095000123")
    page.fill("input[name=owner_name]", "Nguyễn Thị Hồng Nhung")
    page.click("button.primary")
    page.wait_for_url("**/dossiers/*")
    code = page.url.rsplit("/", 1)[-1]
    drain()  # the account check on the portal
    page.reload()
    assert page.locator("#history", has_text="kiểm tra tài khoản trên Cổng DVCQG").count() == 1

    page.click("#reuse-link")
    page.select_option("select[name=type_code]", "KQ.G01.000023")
    page.get_by_role("button", name="Tra cứu").click()
    found = page.locator("#found")
    found.wait_for()
    assert found.get_attribute("data-source") == "national"
    assert "Kho DL trên Cổng DVCQG: không có" in page.locator("#tried").inner_text()
    page.fill("input[name=paper_document_number]", "079095000124")
    page.get_by_role("button", name="Đính kèm vào hồ sơ").click()
    # not confirmed by the citizen yet: refused, nothing attached
    assert "Cần công dân xác nhận" in page.locator("#attach-form").inner_text()
    page.fill("input[name=paper_document_number]", "079095000124")
    page.check("input[name=citizen_confirmed]")
    page.get_by_role("button", name="Đính kèm vào hồ sơ").click()
    page.wait_for_url(f"**/dossiers/{code}#components")
    item = page.locator('.components li[data-source="national"]')
    assert "Thẻ căn cước công dân" in item.inner_text()
    assert "079095000124 ≠ 079095000123" in item.locator(".mismatch").inner_text()

"""In a real headless Chromium: digitize one component at the counter, confirm, get the slip."""

from __future__ import annotations

import pytest

from tests.documents.scans import CCCD_LINES, page_image, pdf_of

pytestmark = [pytest.mark.browser]


def test_counter_officer_digitizes_a_component_and_stores_it_signed(browser_page, tmp_path):
    scan = tmp_path / "cccd.pdf"
    scan.write_bytes(pdf_of([page_image(CCCD_LINES)]))
    page = browser_page("tiepnhan")
    page.goto("/counter/new")
    page.fill("input[name=owner_id]", "079095000123")
    page.fill("input[name=owner_name]", "Nguyễn Thị Hồng Nhung")
    page.click("button.primary")
    page.wait_for_url("**/dossiers/*")
    code = page.url.rsplit("/", 1)[-1]

    page.click("#digitize-link")
    page.set_input_files("input[name=files]", str(scan))
    page.select_option("select[name=type_code]", "KQ.G01.000023")
    page.fill("input[name=declared_pages]", "2")
    page.get_by_role("button", name="Quét và nhận dạng").click()
    # one image for two declared pages: refused, nothing stored, the officer is told why
    assert "khác số trang giấy khai báo (2)" in page.locator("#pages-error").inner_text()

    page.set_input_files("input[name=files]", str(scan))
    page.fill("input[name=declared_pages]", "1")
    page.get_by_role("button", name="Quét và nhận dạng").click()
    page.wait_for_url("**/documents/*")
    form = page.locator("#confirm-form")
    assert form.locator("input[name=owner_id]").input_value() == "079095000123"
    assert form.locator("input[name=field_issued_on]").input_value() == "2021-03-15"
    form.locator("input[name=owner_name]").fill("Nguyễn Thị Hồng Nhung")
    form.locator("input[name=field_issued_on]").fill("15/03/2021")
    # 001 §II.2.c (5): the validity is chosen, never assumed
    form.locator("input[name=validity][value=until]").check()
    form.locator("input[name=valid_until]").fill("15/03/2036")
    page.screenshot(path=str(tmp_path / "confirm.png"), full_page=True)
    page.get_by_role("button", name="Ký số và lưu").click()

    page.wait_for_selector("#storage-key")
    assert page.locator("#storage-key").inner_text() == "079095000123.KQ.G01.000023"
    assert page.locator("#signatures [data-state=valid]").count() == 1
    page.click(f"text={code}")
    assert page.locator("#documents", has_text="079095000123.KQ.G01.000023").count() == 1
    with page.expect_response(f"**/dossiers/{code}/slips/01.pdf") as slip:
        page.evaluate("url => fetch(url)", page.locator("[data-slip='01']").get_attribute("href"))
    assert slip.value.status == 200
    assert slip.value.headers["content-type"] == "application/pdf"

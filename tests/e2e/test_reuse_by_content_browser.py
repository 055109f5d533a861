"""In a real headless Chromium (001 §II.1 Bước 3, reuse by content): the counter officer
attaches the citizen's ID card from the national database while its file service is down; the
component says it is still being fetched and why; "Thử lại" brings the file, which appears on the
step's screen without a reload and opens inline, drawn by pdf.js like any other component."""

from __future__ import annotations

import pytest
import requests

from tests.services.helpers import open_task

pytestmark = [pytest.mark.browser, pytest.mark.simulators]
AN, CCCD = "001090012345", "KQ.G01.000023"


def test_the_officer_attaches_a_reused_card_and_opens_it_inline(
    browser_page, drain, national_url, tmp_path
):
    page = browser_page("tiepnhan")
    page.goto("/counter/new")
    page.fill("input[name=owner_id]", AN)
    page.fill("input[name=owner_name]", "Nguyễn Văn An")
    page.click("button.primary")
    page.wait_for_url("**/dossiers/*")
    code = page.url.rsplit("/", 1)[-1]
    drain()  # the account check on the portal: the reception step opens

    requests.post(
        f"{national_url}/_sim/file-faults", json={"mode": "down", "times": 1}, timeout=5
    ).raise_for_status()
    page.click("#reuse-link")
    page.select_option("select[name=type_code]", CCCD)
    page.get_by_role("button", name="Tra cứu").click()
    page.locator("#found").wait_for()
    page.check("input[name=citizen_confirmed]")
    page.get_by_role("button", name="Đính kèm vào hồ sơ").click()
    page.wait_for_url(f"**/dossiers/{code}#components")
    pending = page.locator('.components li[data-source="national"] [data-fetch="pending"]')
    assert "Đang lấy tệp từ CSDL quốc gia…" in pending.inner_text()
    page.screenshot(path=str(tmp_path / "dossier-pending.png"), full_page=True)

    page.goto(f"/tasks/{open_task(code, 'reception').id}")
    item = page.locator('#components li[data-state="reused"]')
    assert "Đang lấy tệp từ CSDL quốc gia…" in item.inner_text()
    reason = item.locator(".fetch-reason")
    assert "nguồn tạm thời không phục vụ" in reason.inner_text()
    assert "HTTP 503" in reason.get_attribute("title")
    assert item.get_by_role("button", name="Xem").count() == 0  # nothing to open yet
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(tmp_path / "pending-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(tmp_path / "pending.png"), full_page=True)

    item.get_by_role("button", name="Thử lại").click()
    page.wait_for_url("**/tasks/*#components")
    page.evaluate("window.__samePage = true")
    drain()  # the worker fetches the file; the screen shows it without a reload
    item = page.locator('#components li[data-state="reused"]')
    item.get_by_role("button", name="Xem").wait_for(timeout=20_000)
    assert item.locator("[data-fetch]").count() == 0
    assert page.evaluate("window.__samePage === true")  # not reloaded
    item.get_by_role("button", name="Xem").click()
    page.wait_for_selector('#viewer-pages[data-state="ready"]')
    assert "Thẻ căn cước công dân" in page.locator("#viewer-title").inner_text()
    drawn = page.evaluate(
        """() => { const c = document.querySelector('#viewer-pages canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 0; i < d.length; i += 4) if (d[i] < 128) return true; return false; }"""
    )
    assert drawn, "the page is blank: pdf.js drew nothing"
    page.screenshot(path=str(tmp_path / "opened.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(tmp_path / "opened-390.png"), full_page=True)

"""In a real headless Chromium: log in, claim a task, complete its form."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.simulators]


def test_officer_logs_in_claims_and_completes_the_reception_task(browser_page, drain, tmp_path):
    page = browser_page("tiepnhan")
    page.goto("/counter/new")
    page.fill("input[name=owner_id]", "001090012345")
    page.fill("input[name=owner_name]", "Nguyễn Văn An")
    page.click("button.primary")
    page.wait_for_url("**/dossiers/*")
    code = page.url.rsplit("/", 1)[-1]
    drain()

    page.goto("/inbox")
    page.locator("#pool tr", has_text=code).get_by_role("button", name="Nhận và xử lý").click()
    page.wait_for_url("**/tasks/*")

    page.get_by_label("Đã kiểm tra đủ thành phần hồ sơ theo quy định").check()
    page.fill("input[name=original_count]", "1")
    page.fill("input[name=copy_count]", "2")
    page.screenshot(path=str(tmp_path / "task.png"), full_page=True)
    page.get_by_role("button", name="Hoàn thành").click()

    page.wait_for_url("**/inbox")
    assert "Đã hoàn thành: Tiếp nhận hồ sơ" in page.locator(".flash").inner_text()
    assert page.locator("#mine tr", has_text=code).count() == 0

    page.goto(f"/dossiers/{code}")
    page.wait_for_selector("body[data-diagrams=ready]")
    assert page.locator('.djs-element.done[data-element-id="reception"]').count() == 1
    assert page.locator('.djs-element.waiting[data-element-id="appraisal"]').count() == 1
    page.screenshot(path=str(tmp_path / "trace.png"), full_page=True)

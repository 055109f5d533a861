"""In a real headless Chromium: log in, claim a task, complete its form."""

from __future__ import annotations

import shutil

import pytest

from app.integrations.simulators import serve_in_thread

pytestmark = [pytest.mark.browser, pytest.mark.simulators]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_url(app):
    url, stop = serve_in_thread(app)
    yield url
    stop()


@pytest.fixture
def page(live_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(base_url=live_url, locale="vi-VN")
        yield context.new_page()
        browser.close()


def test_officer_logs_in_claims_and_completes_the_reception_task(page, drain, tmp_path):
    page.goto("/login")
    page.fill("input[name=username]", "tiepnhan")
    page.fill("input[name=password]", "demo1234")
    page.click("button.primary")
    page.wait_for_url("**/inbox")

    page.goto("/counter/new")
    page.fill("input[name=owner_id]", "001090012345")
    page.fill("input[name=owner_name]", "Nguyễn Văn An")
    page.click("button.primary")
    page.wait_for_url("**/dossiers/*")
    code = page.url.rsplit("/", 1)[-1]
    drain()

    page.goto("/inbox")
    pool_row = page.locator("#pool tr", has_text=code)
    pool_row.get_by_role("button", name="Nhận việc").click()
    mine_row = page.locator("#mine tr", has_text=code)
    mine_row.get_by_role("link", name="Xử lý").click()

    page.get_by_label("Đã kiểm tra đủ thành phần hồ sơ theo quy định").check()
    page.fill("input[name=original_count]", "1")
    page.fill("input[name=copy_count]", "2")
    page.screenshot(path=str(tmp_path / "task.png"), full_page=True)
    page.get_by_role("button", name="Hoàn thành").click()

    page.wait_for_url("**/inbox")
    assert "Đã hoàn thành: Tiếp nhận hồ sơ" in page.locator(".flash").inner_text()
    assert page.locator("#mine tr", has_text=code).count() == 0

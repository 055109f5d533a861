"""In Chromium: the administrator opens the national catalogue's diff from the catalogs, reads
what the portal adds, changes field by field and no longer lists (003 §III.2.b Bước 1–3), and
applies exactly that; the catalogs then hold the portal's new procedure, waiting for a model."""

from __future__ import annotations

import os

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.simulators]
SHOTS = os.environ.get("SCREENSHOTS_DIR")


def test_the_administrator_reviews_the_national_diff_and_applies_it(browser_page, tmp_path):
    page = browser_page("quantri")
    page.goto("/catalogs/procedures")
    page.click('nav.catalog-nav a:has-text("Đồng bộ từ Cổng DVCQG")')
    page.wait_for_url("**/admin/catalogs")
    added = page.locator("#diff-procedure tr.change-added", has_text="1.001193")
    assert "Đăng ký khai sinh" in added.inner_text()
    assert "Cấp thực hiện: Cấp xã" in added.inner_text()
    changed = page.locator("#diff-procedure tr.change-changed", has_text="1.005092")
    assert "Cấp thực hiện: — → Cấp tỉnh; Cấp xã" in changed.inner_text()
    merged = page.locator("#diff-agency tr.change-added", has_text="000.22.33.H31")
    assert "Sáp nhập vào: 000.21.33.H31" in merged.inner_text()
    assert "Không còn trên Cổng" in page.locator("#diff-fee tr", has_text="P042").inner_text()
    shots = SHOTS or str(tmp_path)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=f"{shots}/catalog-sync-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=f"{shots}/catalog-sync-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.click('#sync-apply button:has-text("Áp dụng đúng các thay đổi trên")')
    page.wait_for_selector("#sync-in-step")
    assert "Đã áp dụng" in page.content()
    assert page.locator("#sync-history tbody tr").count() == 1
    page.goto("/catalogs/procedures")
    row = page.locator("#procedures tr", has_text="1.001193")
    assert "Đăng ký khai sinh" in row.inner_text()

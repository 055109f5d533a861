"""In Chromium: the calendar's day input shows dd/mm/yyyy and takes a day typed that way; the
browser's request for /favicon.ico finds the icon."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_the_day_input_shows_and_takes_dd_mm_yyyy_in_vietnamese_mode(browser_page, tmp_path):
    page = browser_page("quantri")
    icons: list[int] = []
    page.on("response", lambda r: icons.append(r.status) if "favicon" in r.url else None)
    page.goto("/admin/calendar?year=2026&lang=vi")
    day = page.locator("input[name=day]")
    assert day.get_attribute("placeholder") == "dd/mm/yyyy"
    # a text input: Chromium's own picker would show its locale's order (mm/dd/yyyy in en-US)
    assert day.evaluate("el => el.type") == "text"
    day.fill("02/12/2026")
    page.fill("input[name=note]", "Nghỉ đột xuất")
    page.click('button.primary:has-text("Thêm")')
    row = page.locator("table.list tr", has_text="Nghỉ đột xuất")
    assert row.locator("td").first.inner_text() == "02/12/2026"
    assert "Nghỉ bù cho ngày 22/08/2026" in page.content()
    page.screenshot(path=str(tmp_path / "calendar.png"), full_page=True)
    assert icons and all(status in (200, 304) for status in icons)

"""In Chromium, at 1280 px and at 390 px: a dry-run migration that cannot move anything shows
why and what to do next to the form to ask again, without scrolling sideways; asking again
from that form gives the answer for the new pair."""

from __future__ import annotations

import os

import pytest

from tests.web.test_migration_why import appraisal_made_manual

pytestmark = [pytest.mark.browser, pytest.mark.simulators]

SHOTS = os.environ.get("SCREENSHOTS_DIR")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_reason_and_the_form_stay_on_the_page(browser_page, actors, width):
    target = appraisal_made_manual()
    page = browser_page("phantich")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/models/migrate?source=1&target=1")
    assert page.locator("#why-not").is_visible()
    assert "Phiên bản nguồn và đích là một" in page.locator("#why-not").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/migrate-same-{width}.png", full_page=True)
    page.select_option("#migrate-choose select[name=target]", str(target))
    page.click("#migrate-choose button")
    page.wait_for_url(f"**target={target}**")
    assert "đổi loại từ UserTask sang ManualTask" in page.locator("#elements").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/migrate-types-{width}.png", full_page=True)

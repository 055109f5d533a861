"""In Chromium, at 1280 px and at 390 px: the dossier page of a 2.001610 dossier says that its
result was registered in the business registration database (001 §II.1 Bước 5), with the
record's link, and the section fits a phone."""

from __future__ import annotations

import os

import pytest

from tests.services.test_sector_registration import issue_enterprise_result, sector_calls
from worker.jobs import deliver_outbox

pytestmark = [pytest.mark.browser, pytest.mark.simulators]

SCREENSHOTS = os.environ.get("SCREENSHOTS_DIR")


@pytest.fixture
def registered(actors) -> str:
    """A 2.001610 dossier whose result is registered in ĐKKD (before the browser starts: the
    signing of the result runs its own event loop)."""
    code = issue_enterprise_result(actors)
    [call] = sector_calls(code)
    deliver_outbox(call.id)
    return code


@pytest.mark.parametrize("width", [1280, 390])
def test_the_registration_in_dkkd_reads_on_the_dossier_page(registered, browser_page, width):
    code = registered
    page = browser_page("chuyenvientc")
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(f"/dossiers/{code}")

    entry = page.locator('#sector li[data-database="DKKD"]')
    assert entry.get_attribute("data-state") == "registered"
    assert "đã ghi vào CSDL chuyên ngành ĐKKD" in entry.inner_text()
    assert entry.locator("a").inner_text() == "DKKD-000001"
    section = page.locator("#sector")
    box = section.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    sideways = page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
    assert not sideways
    if SCREENSHOTS:
        section.screenshot(path=f"{SCREENSHOTS}/sector-{width}.png")

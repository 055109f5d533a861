"""In Chromium: the supervisor's diagram shows live counts on the steps of the BPMN model."""

from __future__ import annotations

import pytest

from app.services import queue
from tests.e2e.test_browser import ARGS, CHROMIUM
from tests.web.conftest import three_overdue  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def no_queue(app):
    queue.enqueue = lambda ids: None


def test_diagram_overlays_the_open_and_overdue_counts(app, three_overdue, tmp_path):  # noqa: F811
    from playwright.sync_api import sync_playwright

    from app.integrations.simulators import serve_in_thread

    url, stop = serve_in_thread(app)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(base_url=url, viewport={"width": 1400, "height": 900})
            page.goto("/login")
            page.fill("input[name=username]", "giamsat")
            page.fill("input[name=password]", "demo1234")
            page.click("button.primary")
            page.goto("/supervisor")
            page.click("a.diagram-link")
            page.wait_for_selector("body[data-diagram=ready]")
            badge = page.locator('.step-count[data-element="reception"]')
            assert badge.inner_text() == "3 · 3 quá hạn"
            assert "overdue" in badge.get_attribute("class")
            assert page.locator(".step-count").count() == 1
            assert page.locator('.djs-element[data-element-id="appraisal"]').count() == 1
            page.screenshot(path=str(tmp_path / "diagram.png"))
            browser.close()
    finally:
        stop()

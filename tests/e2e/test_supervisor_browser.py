"""In Chromium: the supervisor's diagram shows live counts on the steps of the BPMN model."""

from __future__ import annotations

import pytest

from app.services.core import queue
from tests.web.conftest import three_overdue  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids: None)


def test_diagram_overlays_the_open_and_overdue_counts(browser_page, three_overdue, tmp_path):  # noqa: F811
    page = browser_page("giamsat")
    page.goto("/supervisor")
    page.click("a.diagram-link")
    page.wait_for_selector("body[data-diagram=ready]")
    badge = page.locator('.step-count[data-element="reception"]')
    assert badge.inner_text() == "3 · 3 quá hạn"
    assert "overdue" in badge.get_attribute("class")
    assert page.locator(".step-count").count() == 1
    assert page.locator('.djs-element[data-element-id="appraisal"]').count() == 1
    page.screenshot(path=str(tmp_path / "diagram.png"))

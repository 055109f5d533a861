"""In Chromium: the officer filters the inbox by deadline state and procedure, sorts by due
date, saves the filter, and reopens it later from the saved filters; back goes to the list
before, since the filters live in the URL."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.domain.status import VN_TZ
from app.models import HumanTask
from app.services.core import queue
from app.storage.db import db
from tests.web.conftest import three_overdue  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


@pytest.fixture
def mixed(three_overdue):  # noqa: F811
    """Of the three reception steps, one back on time (due later than the others)."""
    with db.transaction() as session:
        task = session.get(HumanTask, three_overdue[2])
        task.deadline_state = "on_time"
        task.due_at = datetime(2026, 12, 30, 17, tzinfo=VN_TZ)
    return three_overdue


def due_order(page) -> list[str]:  # noqa: ANN001
    return page.locator("#pool tbody tr").evaluate_all("rows => rows.map(r => r.dataset.task)")


def test_the_officer_filters_sorts_saves_and_reopens_the_inbox(browser_page, mixed, tmp_path):
    ids = mixed
    page = browser_page("tiepnhan")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/inbox")
    assert page.locator("#pool tbody tr").count() == 2  # one is claimed: it is in #mine
    counts = page.locator('select[name="state"] option[value="overdue"]').inner_text()
    assert counts.endswith("(2)")  # one of mine and one of the pool

    page.select_option('select[name="state"]', "overdue")
    page.select_option('select[name="procedure"]', "2.000488")
    page.click("#task-filters button.primary")
    page.wait_for_url("**/inbox?*state=overdue*")
    assert "procedure=2.000488" in page.url
    assert page.locator("#pool tbody tr").count() == 1
    assert page.locator("#mine tbody tr").count() == 1
    assert ids[2] not in due_order(page)

    page.locator("#pool th a[data-sort=due]").click()  # the default is ascending: now descending
    page.wait_for_url("**sort=-due*")
    assert page.locator('#pool th[aria-sort="descending"] a[data-sort=due]').count() == 1

    page.locator("#saved-filters summary").click()
    page.fill('#saved-filters input[name="name"]', "Quá hạn của Sở")
    page.click("#saved-filters button:has-text('Lưu')")
    page.wait_for_selector("#saved-filters li[data-saved]")
    page.screenshot(path=str(tmp_path / "inbox-saved.png"), full_page=True)

    page.goto("/inbox")
    assert page.locator("#pool tbody tr").count() == 2
    page.locator("#saved-filters li[data-saved] a").click()
    page.wait_for_url("**state=overdue*")
    assert "procedure=2.000488" in page.url and "sort=-due" in page.url
    assert page.locator('select[name="state"]').input_value() == "overdue"
    assert page.locator('select[name="procedure"]').input_value() == "2.000488"
    assert page.locator("#pool tbody tr").count() == 1

    page.go_back()
    page.wait_for_url("**/inbox")
    assert page.locator("#pool tbody tr").count() == 2


def test_the_inbox_fits_a_phone(browser_page, mixed):
    page = browser_page("tiepnhan")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/inbox")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390

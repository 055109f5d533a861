"""The dossier page follows the worker: after the counter's "Tiếp nhận" the next step appears
in the steps table, with its unit, without a reload; and a pool step opens with one click."""

from __future__ import annotations

import threading

import pytest

from app.services.core import queue
from worker import jobs

pytestmark = [pytest.mark.browser, pytest.mark.simulators]


@pytest.fixture
def slow_worker(app, monkeypatch):
    """The worker makes each call a moment after its commit (the page is shown before)."""

    def later(ids, waited) -> None:  # noqa: ANN001
        ids = list(ids)
        timer = threading.Timer(1.5, lambda: [jobs.deliver_outbox(i) for i in ids])
        timer.daemon = True
        timer.start()

    monkeypatch.setattr(queue, "enqueue", later)


def test_after_reception_the_next_step_appears_without_a_reload_and_opens_in_one_click(
    browser_page, slow_worker, tmp_path
):
    page = browser_page("tiepnhan")
    page.goto("/counter/new")
    page.fill("input[name=owner_id]", "001090012345")
    page.fill("input[name=owner_name]", "Nguyễn Văn An")
    page.click("button.primary")
    page.wait_for_url("**/dossiers/*")
    code = page.url.rsplit("/", 1)[-1]
    page.evaluate("window.__sameDocument = true")
    assert page.locator("#steps").get_attribute("data-pending") == "1"
    assert page.locator("#steps-rows tr.pending-step").count() == 1

    row = page.locator("#steps-rows tr[data-step]", has_text="Tiếp nhận hồ sơ")
    row.wait_for(timeout=20000)
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    assert "Cán bộ một cửa" in row.inner_text()
    assert row.locator("td.unit").inner_text().strip()
    assert page.locator("#steps").get_attribute("data-pending") == "0"
    assert "đã chuyển đến" in page.locator("#steps-where").inner_text()
    page.screenshot(path=str(tmp_path / "steps-live.png"), full_page=True)

    page.goto("/inbox")
    page.locator("#pool tr", has_text=code).get_by_role("button", name="Nhận và xử lý").click()
    page.wait_for_url("**/tasks/*")
    assert page.get_by_role("button", name="Hoàn thành").is_visible()

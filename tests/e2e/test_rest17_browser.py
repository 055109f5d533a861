"""In Chromium, at a desk (1280 px) and on a phone (390 px): the counter's e-only choice and
state-agency owner, the digitization report and the retention list fit and work.
SCREENSHOTS=<dir> keeps a screenshot of each."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.test_phone_width_browser import OVERFLOW

pytestmark = [pytest.mark.browser, pytest.mark.simulators]

WIDTHS = {"desk": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _look(page, name: str, size: dict) -> None:  # noqa: ANN001
    page.set_viewport_size(size)
    found = page.evaluate(OVERFLOW)
    assert max(found["doc"], found["body"]) <= size["width"], found["widest"]
    if os.environ.get("SCREENSHOTS"):
        folder = Path(os.environ["SCREENSHOTS"])
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}-{size['width']}.png"), full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_state_agency_is_received_for_the_e_result_only_at_the_counter(browser_page, width):
    page = browser_page("tiepnhan")
    page.goto("/counter/new")
    page.select_option("select[name=owner_id_type]", "agency_code")
    page.fill("input[name=owner_id]", "000.00.15.H31")
    page.fill("input[name=owner_name]", "Trường Trung học phổ thông Hưng Yên")
    page.check("input[name=e_only]")
    _look(page, "counter", WIDTHS[width])
    page.get_by_role("button", name="Tiếp nhận").click()
    page.wait_for_url("**/dossiers/**")
    assert page.locator("#e-only").inner_text() == "Chỉ nhận kết quả điện tử"
    _look(page, "dossier-e-only", WIDTHS[width])


@pytest.mark.parametrize("width", WIDTHS)
def test_the_supervisor_reads_digitization_and_retention(browser_page, width):
    page = browser_page("giamsat")
    page.goto("/supervisor/statistics")
    assert page.locator("#digitization-statistics h2").is_visible()
    _look(page, "statistics", WIDTHS[width])
    page.get_by_role("link", name="Giấy tờ quá thời hạn lưu trữ").click()
    page.wait_for_url("**/supervisor/retention")
    _look(page, "retention", WIDTHS[width])

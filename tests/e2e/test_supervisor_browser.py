"""In Chromium: the supervisor's diagram shows live counts on the steps of the BPMN model, opens
with readable labels, zooms, fits and goes full screen, and a step leads to its task list."""

from __future__ import annotations

import pytest

from app.services.core import queue
from tests.web.conftest import three_overdue  # noqa: F401 - fixture

pytestmark = pytest.mark.browser

DIAGRAM = "/supervisor/procedures/2.000488/diagram"
STEP = '.djs-element[data-element-id="reception"]'

# The on-screen size of the smallest label drawn inside the canvas's visible box: its font size
# times the zoom the SVG applies (getScreenCTM), so it measures what the eye gets.
SMALLEST_VISIBLE_LABEL = """() => {
  const view = document.querySelector('#canvas .diagram-canvas').getBoundingClientRect();
  const sizes = [...document.querySelectorAll('#canvas .djs-element text')]
    .filter((t) => t.textContent.trim())
    .filter((t) => { const r = t.getBoundingClientRect();
      return r.right > view.left && r.left < view.right
        && r.bottom > view.top && r.top < view.bottom; })
    .map((t) => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
  return sizes.length ? Math.min(...sizes) : 0;
}"""

ZOOM = "() => document.querySelector('#canvas .viewport').getScreenCTM().a"

# Every shape of the model lies within the canvas's box (1 px of rounding allowed).
ALL_SHAPES_VISIBLE = """() => {
  const view = document.querySelector('#canvas .diagram-canvas').getBoundingClientRect();
  return [...document.querySelectorAll('#canvas .djs-shape')].every((s) => {
    const r = s.getBoundingClientRect();
    return r.left >= view.left - 1 && r.right <= view.right + 1
      && r.top >= view.top - 1 && r.bottom <= view.bottom + 1;
  });
}"""


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def open_diagram(page) -> None:
    page.goto("/supervisor")
    page.click("a.diagram-link")
    page.wait_for_selector("body[data-diagrams=ready]")


def test_diagram_overlays_the_open_and_overdue_counts(browser_page, three_overdue, tmp_path):  # noqa: F811
    page = browser_page("giamsat")
    open_diagram(page)
    badge = page.locator('.step-count[data-element="reception"]')
    assert badge.inner_text() == "3 · 3 quá hạn"
    assert "overdue" in badge.get_attribute("class")
    assert page.locator(".step-count").count() == 1
    assert page.locator('.djs-element[data-element-id="appraisal"]').count() == 1
    assert badge.bounding_box()["height"] >= 14, "the count stays readable"
    page.screenshot(path=str(tmp_path / "diagram.png"))


def test_diagram_opens_with_readable_labels_and_zooms_fits_and_goes_full_screen(
    browser_page,
    three_overdue,  # noqa: F811
    tmp_path,
):
    page = browser_page("giamsat")
    open_diagram(page)
    figure = page.locator("#canvas")
    canvas = figure.locator(".diagram-canvas")
    height = canvas.bounding_box()["height"]
    assert 360 <= height <= 900 * 0.7 + 1
    assert page.evaluate(SMALLEST_VISIBLE_LABEL) >= 9.9, "labels are readable on opening"
    assert page.locator(STEP).bounding_box()["x"] >= canvas.bounding_box()["x"], (
        "the step with open tasks is in view"
    )

    readable = page.evaluate(ZOOM)
    figure.get_by_role("button", name="Phóng to").click()
    assert page.evaluate(ZOOM) == pytest.approx(readable * 1.25, rel=0.02)

    figure.get_by_role("button", name="Vừa khung").click()
    assert page.evaluate(ZOOM) < readable
    assert page.evaluate(ALL_SHAPES_VISIBLE), "fit shows the whole model"

    fitted = page.evaluate(ZOOM)
    page.locator(STEP).first.focus()  # keys act on the focused diagram
    page.keyboard.press("+")
    assert page.evaluate(ZOOM) == pytest.approx(fitted * 1.25, rel=0.02)

    figure.get_by_role("button", name="Toàn màn hình").click()
    page.wait_for_function("() => document.querySelector('#canvas').dataset.full === 'true'")
    box = figure.bounding_box()
    assert box["width"] >= 1399 and box["height"] >= 899, "the diagram covers the screen"
    page.screenshot(path=str(tmp_path / "full.png"))
    figure.get_by_role("button", name="Thoát toàn màn hình").click()
    page.wait_for_function("() => document.querySelector('#canvas').dataset.full === 'false'")
    assert canvas.bounding_box()["height"] == pytest.approx(height, abs=2)


def test_a_click_on_a_step_opens_its_task_list_and_hover_shows_its_counts(
    browser_page,
    three_overdue,  # noqa: F811
):
    page = browser_page("giamsat")
    open_diagram(page)
    step = page.locator(STEP).first
    step.hover()
    tip = page.locator("#canvas .diagram-tooltip")
    assert tip.is_visible()
    assert "Tiếp nhận hồ sơ" in tip.inner_text() and "3 đang xử lý" in tip.inner_text()
    cursor = page.evaluate(
        """(sel) => getComputedStyle(document.querySelector(sel + ' .djs-hit')).cursor""", STEP
    )
    assert cursor == "pointer"

    step.click()
    page.wait_for_url("**/supervisor/tasks?procedure=2.000488&step=reception")
    rows = page.locator("#tasks tbody tr")
    assert rows.count() == 3
    assert all("Tiếp nhận hồ sơ" in text for text in rows.all_inner_texts())


def test_enter_on_a_focused_step_opens_its_task_list(browser_page, three_overdue):  # noqa: F811
    page = browser_page("giamsat")
    open_diagram(page)
    page.locator('.djs-element[data-element-id="appraisal"]').first.focus()
    assert page.locator("#canvas .diagram-tooltip").is_visible()
    page.keyboard.press("Enter")
    page.wait_for_url("**/supervisor/tasks?procedure=2.000488&step=appraisal")
    assert page.locator("#tasks tbody tr td.muted").count() == 1, "no open appraisal: empty list"


def test_without_the_fullscreen_api_the_diagram_covers_the_window_until_escape(
    browser_page,
    three_overdue,  # noqa: F811
):
    page = browser_page("giamsat")
    page.add_init_script(
        "Object.defineProperty(Document.prototype, 'fullscreenEnabled', {get: () => false})"
    )
    open_diagram(page)
    figure = page.locator("#canvas")
    height = figure.locator(".diagram-canvas").bounding_box()["height"]
    figure.get_by_role("button", name="Toàn màn hình").click()
    assert "expanded" in figure.get_attribute("class")
    assert page.evaluate("() => document.fullscreenElement") is None
    box = figure.bounding_box()
    assert box["x"] == 0 and box["y"] == 0 and box["width"] >= 1399 and box["height"] >= 899
    assert page.locator(STEP).first.is_visible()
    page.keyboard.press("Escape")
    assert "expanded" not in figure.get_attribute("class")
    button = figure.get_by_role("button", name="Toàn màn hình")
    assert button.get_attribute("aria-pressed") == "false"
    canvas = figure.locator(".diagram-canvas")
    assert canvas.bounding_box()["height"] == pytest.approx(height, abs=2)

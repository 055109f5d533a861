"""In Chromium at 390 px (a phone): the dossier page's and the supervisor's diagrams fit the
screen's width, open on the live steps with readable labels, and their controls work."""

from __future__ import annotations

import pytest

from app.services.core import queue
from tests.services.helpers import deliver, receive
from tests.web.conftest import three_overdue  # noqa: F401 - fixture

pytestmark = pytest.mark.browser

FIGURE = "#trace-canvas"

SMALLEST_VISIBLE_LABEL = """(figure) => {
  const view = document.querySelector(figure + ' .diagram-canvas').getBoundingClientRect();
  const sizes = [...document.querySelectorAll(figure + ' .djs-element text')]
    .filter((t) => t.textContent.trim())
    .filter((t) => { const r = t.getBoundingClientRect();
      return r.right > view.left && r.left < view.right
        && r.bottom > view.top && r.top < view.bottom; })
    .map((t) => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
  return sizes.length ? Math.min(...sizes) : 0;
}"""

# Every shape of the model lies within the canvas's box (1 px of rounding allowed).
ALL_SHAPES_VISIBLE = """(figure) => {
  const view = document.querySelector(figure + ' .diagram-canvas').getBoundingClientRect();
  return [...document.querySelectorAll(figure + ' .djs-shape')].every((s) => {
    const r = s.getBoundingClientRect();
    return r.left >= view.left - 1 && r.right <= view.right + 1
      && r.top >= view.top - 1 && r.bottom <= view.bottom + 1;
  });
}"""

ZOOM = f"() => document.querySelector('{FIGURE} .viewport').getScreenCTM().a"


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def within(inner: dict, outer: dict) -> bool:
    return (
        inner["x"] >= outer["x"] - 1
        and inner["y"] >= outer["y"] - 1
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1
    )


def test_the_dossier_diagram_fits_a_phone_with_its_controls_in_reach(
    browser_page, actors, tmp_path
):
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})  # the reception step is now waiting
    page = browser_page("tiepnhan")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/dossiers/{code}")
    page.wait_for_selector("body[data-diagrams=ready]")
    figure = page.locator(FIGURE)
    figure.scroll_into_view_if_needed()
    screen = {"x": 0, "y": 0, "width": 390, "height": 844}

    box = figure.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"the diagram is {box}"
    assert page.evaluate(f"() => document.querySelector('{FIGURE}').scrollWidth") <= box["width"]
    canvas = figure.locator(".diagram-canvas").bounding_box()
    assert 360 <= canvas["height"] <= 844 * 0.7 + 1

    waiting = page.locator(f'{FIGURE} .djs-element.waiting[data-element-id="reception"]')
    assert within(waiting.bounding_box(), canvas), "it opens on the waiting step"
    assert page.evaluate(SMALLEST_VISIBLE_LABEL, FIGURE) >= 9.9

    for name in ("Phóng to", "Thu nhỏ", "Vừa khung", "Toàn màn hình"):
        button = figure.get_by_role("button", name=name)
        assert within(button.bounding_box(), screen), f"{name} is off screen"
        assert button.bounding_box()["width"] >= 32, f"{name} is too small to tap"

    readable = page.evaluate(ZOOM)
    # the wheel over a diagram the user has not engaged with scrolls the page, not the diagram
    page.mouse.move(195, canvas["y"] + canvas["height"] / 2)
    top = page.evaluate("() => window.scrollY")
    page.mouse.wheel(0, 200)
    page.wait_for_function(f"() => window.scrollY > {top}")
    assert page.evaluate(ZOOM) == pytest.approx(readable)
    page.keyboard.down("Control")  # Ctrl + wheel (and a trackpad pinch) zooms
    page.mouse.wheel(0, -100)
    page.keyboard.up("Control")
    page.wait_for_function(f"() => ({ZOOM})() > {readable} * 1.01")

    before = page.evaluate(ZOOM)
    figure.get_by_role("button", name="Thu nhỏ").click()
    assert page.evaluate(ZOOM) == pytest.approx(before / 1.25, rel=0.02)
    figure.get_by_role("button", name="Vừa khung").click()
    assert page.evaluate(ALL_SHAPES_VISIBLE, FIGURE), "fit shows the whole model"
    figure.screenshot(path=str(tmp_path / "dossier-390.png"))

    figure.get_by_role("button", name="Toàn màn hình").click()
    page.wait_for_function(f"() => document.querySelector('{FIGURE}').dataset.full === 'true'")
    full = figure.bounding_box()
    assert full["width"] >= 389 and full["height"] >= 843
    page.screenshot(path=str(tmp_path / "dossier-390-full.png"))


def test_the_supervisors_diagram_fits_a_phone_and_a_tap_on_a_step_opens_its_list(
    browser_page,
    three_overdue,  # noqa: F811
    tmp_path,
):
    page = browser_page("giamsat")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/supervisor/procedures/2.000488/diagram")
    page.wait_for_selector("body[data-diagrams=ready]")
    wider = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wider <= 0, f"the page is {wider} px wider than the phone"
    screen = {"x": 0, "y": 0, "width": 390, "height": 844}
    for name in ("Phóng to", "Thu nhỏ", "Vừa khung", "Toàn màn hình"):
        button = page.locator("#canvas").get_by_role("button", name=name)
        assert within(button.bounding_box(), screen), f"{name} is off screen"
    step = page.locator('#canvas .djs-element[data-element-id="reception"]').first
    assert within(step.bounding_box(), page.locator("#canvas .diagram-canvas").bounding_box())
    page.locator("#canvas").screenshot(path=str(tmp_path / "supervisor-390.png"))
    step.click()
    page.wait_for_url("**/supervisor/tasks?procedure=2.000488&step=reception")


def test_on_a_touch_screen_one_finger_pans_the_diagram_and_two_fingers_pinch_zoom_it(
    browser_page, actors
):
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    page = browser_page("tiepnhan")
    page.set_viewport_size({"width": 390, "height": 844})
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
    page.goto(f"/dossiers/{code}")
    page.wait_for_selector("body[data-diagrams=ready]")
    page.locator(FIGURE).scroll_into_view_if_needed()
    canvas = page.locator(f"{FIGURE} .diagram-canvas").bounding_box()
    x, y = canvas["x"] + canvas["width"] / 2, canvas["y"] + canvas["height"] / 2
    matrix = f"() => {{ const m = document.querySelector('{FIGURE} .viewport').getCTM();"
    matrix += " return [m.a, m.e]; }"  # the zoom and the horizontal offset

    def touch(kind: str, *points: tuple[float, float]) -> None:
        cdp.send(
            "Input.dispatchTouchEvent",
            {
                "type": kind,
                "touchPoints": [{"x": px, "y": py, "id": i} for i, (px, py) in enumerate(points)],
            },
        )

    zoom, left = page.evaluate(matrix)
    touch("touchStart", (x, y))
    for step in range(1, 6):
        touch("touchMove", (x - 20 * step, y))
    touch("touchEnd")
    zoom_after_pan, left_after_pan = page.evaluate(matrix)
    assert zoom_after_pan == pytest.approx(zoom)
    assert left_after_pan == pytest.approx(left - 100, abs=2), "one finger pans sideways"

    touch("touchStart", (x - 40, y), (x + 40, y))
    for step in range(1, 6):
        touch("touchMove", (x - 40 - 10 * step, y), (x + 40 + 10 * step, y))
    touch("touchEnd")
    assert page.evaluate(matrix)[0] == pytest.approx(zoom * 180 / 80, rel=0.05), "pinch zooms"

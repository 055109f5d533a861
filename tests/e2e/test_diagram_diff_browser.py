"""In Chromium: the version diff shows both diagrams at a readable zoom on the changed step, and
zooming or panning one moves the other with it."""

from __future__ import annotations

import pytest

from tests.services.test_migrations import deploy_variant

pytestmark = pytest.mark.browser

VIEWBOX = """(figure) => {
  const m = document.querySelector(`#${figure} .viewport`).getCTM();
  return [m.a, m.e, m.f];
}"""
CHANGED = '.djs-element.changed[data-element-id="approval"]'


def within(inner: dict, outer: dict) -> bool:
    return (
        inner["x"] >= outer["x"] - 1
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1
        and inner["y"] >= outer["y"] - 1
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1
    )


def test_the_two_versions_open_on_the_change_and_zoom_and_pan_together(browser_page, tmp_path):
    target = deploy_variant('name="Phê duyệt kết quả"', 'name="Lãnh đạo phê duyệt"')
    page = browser_page("phantich")
    page.goto(f"/models/diff?old=1&new={target}")
    page.wait_for_selector("body[data-diagrams=ready]")
    for figure in ("old-diagram", "new-diagram"):
        canvas = page.locator(f"#{figure} .diagram-canvas").bounding_box()
        changed = page.locator(f"#{figure} {CHANGED}").bounding_box()
        assert within(changed, canvas), f"{figure} opens on the changed step"
        assert page.evaluate(VIEWBOX, figure)[0] >= 10 / 11 - 0.01, "labels are readable"

    page.locator("#old-diagram").get_by_role("button", name="Phóng to").click()
    page.wait_for_function(
        """() => { const z = (f) => document.querySelector(`#${f} .viewport`).getCTM().a;
                   return Math.abs(z('old-diagram') - z('new-diagram')) < 0.001; }"""
    )
    page.locator(f"#old-diagram {CHANGED}").first.focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowDown")
    page.wait_for_function(
        """() => { const m = (f) => document.querySelector(`#${f} .viewport`).getCTM();
                   const a = m('old-diagram'), b = m('new-diagram');
                   return Math.abs(a.e - b.e) < 1 && Math.abs(a.f - b.f) < 1; }"""
    )
    assert page.evaluate(VIEWBOX, "old-diagram") == pytest.approx(
        page.evaluate(VIEWBOX, "new-diagram"), abs=1
    )
    page.screenshot(path=str(tmp_path / "diff.png"), full_page=True)

"""In a real headless Chromium: the appraisal officer sees the citizen's supplement file drawn
inline by pdf.js on the step's screen and confirms it there; the leader reads the result that
will be signed before approving. The CSP probe of conftest fails the test on any blocked
script, worker or eval (pdf.js's worker comes from 'self')."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Document
from app.storage.db import db
from tests.services.helpers import complete, open_task
from tests.services.test_workbench import ACCEPT, TYPED, online_supplement, supplemented

pytestmark = [pytest.mark.browser, pytest.mark.simulators]


def test_the_officer_sees_the_supplement_file_inline_and_confirms_it(
    browser_page, actors, tmp_path
):
    code, document_id = online_supplement(actors)
    task_id = open_task(code, "appraisal").id
    page = browser_page("chuyenvien")
    clicks = 0
    page.goto(f"/tasks/{task_id}")
    # the supplement round came back to the officer who asked: nothing to claim
    assert page.get_by_role("button", name="Nhận và xử lý").count() == 0
    file = page.locator(f'#supplement li[data-document="{document_id}"]')
    assert "Chờ xác nhận" in file.inner_text()
    assert "Gửi văn bản uỷ quyền" in page.locator("#supplement-note").inner_text()
    file.get_by_role("button", name="Xem").click()
    clicks += 1
    page.wait_for_selector('#viewer-pages[data-state="ready"]')
    canvas = page.locator("#viewer-pages canvas.viewer-page").first
    assert canvas.bounding_box()["width"] > 300  # drawn at the viewer's width
    drawn = page.evaluate(
        """() => { const c = document.querySelector('#viewer-pages canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 0; i < d.length; i += 4) if (d[i] < 128) return true; return false; }"""
    )
    assert drawn, "the page is blank: pdf.js drew nothing"
    assert page.locator("#viewer-pages canvas.viewer-page").count() == 2  # both pages
    page.screenshot(path=str(tmp_path / "supplement-inline.png"), full_page=True)
    for name, value in TYPED.items():
        if name != "validity":
            file.locator(f"input[name={name}]").fill(value)
    # 001 §II.2.c (5): the validity is chosen, never assumed; summary and scope come pre-filled
    file.locator(f"input[name=validity][value={TYPED['validity']}]").check()
    file.get_by_role("button", name="Xác nhận và lưu").click()
    clicks += 2
    page.wait_for_url(f"**/tasks/{task_id}#supplement")
    confirmed = page.locator(f'#supplement li[data-document="{document_id}"]')
    assert confirmed.get_attribute("data-state") == "supplemented"
    with db.transaction() as session:
        assert session.get(Document, document_id).state == "stored"
    page.check("input[name=decision][value=accept]")
    page.fill("textarea[name=appraisal_note]", "Đủ hồ sơ sau bổ sung")
    page.get_by_role("button", name="Hoàn thành").click()
    clicks += 2  # the decision and the button; typing the note is not a click
    # view, validity, confirm, decide, complete: the file never leaves the step's screen
    assert clicks == 5


def test_the_leader_sees_the_result_before_approving(browser_page, actors, tmp_path):
    code, _ = supplemented(actors)
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    task_id = open_task(code, "approval").id
    page = browser_page("lanhdao")
    page.goto(f"/tasks/{task_id}")
    page.wait_for_selector('#viewer-pages[data-state="ready"]')
    assert "chưa ký số" in page.locator("#viewer-title").inner_text()
    assert page.locator("#viewer-pages canvas.viewer-page").count() >= 1
    page.screenshot(path=str(tmp_path / "approval-preview.png"), full_page=True)
    with db.transaction() as session:
        issued = session.scalars(select(Document).where(Document.source == "result")).all()
    assert issued == []  # looking issues nothing


def test_the_workbench_fits_a_phone(browser_page, actors, tmp_path):
    code, document_id = online_supplement(actors)
    task_id = open_task(code, "appraisal").id
    page = browser_page("chuyenvien")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/tasks/{task_id}")
    page.locator(f'#supplement li[data-document="{document_id}"] .view-doc').click()
    page.wait_for_selector('#viewer-pages[data-state="ready"]')
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the task screen scrolls sideways at 390 px ({width} px)"

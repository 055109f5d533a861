"""In a real headless Chromium, at 1280 px and at 390 px: the counter officer looks up what
exists for the owner per component of the procedure (002 §5.b Bước 2), the citizen confirms two
of them, and one "Tiếp nhận" receives the dossier with both attached (their files opened from
the dossier). The clicks of the old path (one type at a time) and of the panel are counted."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
import requests

from tests.documents.scans import numbered_pdf
from tests.support.warehouse_records import six_fields

pytestmark = [pytest.mark.browser, pytest.mark.simulators]
AN, NAME = "001090012345", "Nguyễn Văn An"
FORM, CCCD, PROXY_LETTER = "TK.LLTP.01", "KQ.G01.000023", "TK.UQ.01"
SHOTS = os.environ.get("REUSE_PANEL_SHOTS")  # a folder: save screenshots there to look at


def in_kho_dl(warehouse_url: str, type_code: str, name: str) -> str:
    answer = requests.post(
        f"{warehouse_url}/api/documents",
        json={
            "metadata": six_fields(AN, type_code, name),
            "content_b64": base64.b64encode(numbered_pdf(1)).decode(),
        },
        headers={"Idempotency-Key": f"panel-{type_code}"},
        timeout=5,
    )
    answer.raise_for_status()
    return answer.json()["id"]


class Counted:
    """The page, counting what the officer clicks (buttons, links, boxes, choices)."""

    def __init__(self, page) -> None:  # noqa: ANN001
        self.page, self.clicks = page, 0

    def click(self, selector: str) -> None:
        self.clicks += 1
        self.page.click(selector)

    def check(self, selector: str) -> None:
        self.clicks += 1
        self.page.check(selector)

    def select(self, selector: str, value: str) -> None:
        self.clicks += 2  # open the list, pick the entry
        self.page.select_option(selector, value)


def fill_owner(page) -> None:  # noqa: ANN001
    page.goto("/counter/new")
    page.select_option("select[name=procedure_code]", "2.000488")
    page.fill("input[name=owner_id]", AN)
    page.fill("input[name=owner_name]", NAME)


def no_sideways_scroll(page) -> None:  # noqa: ANN001
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
        .filter(e => !e.closest('svg') || e.tagName === 'svg')
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .slice(0, 6).map(e => e.tagName + '.' + e.className + '#' + e.id)"""
    )
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px: {wide}"


@pytest.mark.parametrize("width", [1280, 390])
def test_the_citizen_confirms_two_components_and_one_reception_attaches_both(
    browser_page, warehouse_url, width
):
    form_ref = in_kho_dl(warehouse_url, FORM, "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp")
    page = browser_page("tiepnhan")
    page.set_viewport_size({"width": width, "height": 900})
    fill_owner(page)
    page.click("#reuse-lookup-button")
    panel = page.locator("#reuse-panel")
    panel.locator(f'[id="component-{CCCD}"]').wait_for()
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"counter-panel-{width}.png"), full_page=True)
    no_sideways_scroll(page)
    form = panel.locator(f'[id="component-{FORM}"]')
    assert form.locator(f'input[value="portal:{form_ref}"]').is_checked()  # the nearest first
    card = panel.locator(f'[id="component-{CCCD}"]')
    assert card.locator('input[value="national:NAT-00001"]').is_checked()
    assert "Cục Cảnh sát quản lý hành chính" in card.inner_text()
    assert "Nhận bản giấy hoặc số hoá" in panel.locator("#on-paper").inner_text()
    # the citizen has not confirmed the card yet: refused, nothing received
    form.locator(f'input[name="confirm-{FORM}"]').check()
    page.click("button.primary")
    assert "chưa xác nhận" in page.locator(f'[id="component-{CCCD}"]').inner_text()
    assert "/counter/new" in page.url
    page.locator(f'[id="component-{CCCD}"] input[name="confirm-{CCCD}"]').check()
    page.click("button.primary")
    page.wait_for_url("**/dossiers/*")
    assert "Đã dùng lại 2 giấy tờ" in page.locator("body").inner_text()
    reused = page.locator(".components li")
    assert reused.count() == 2
    assert "tại quầy một cửa" in reused.first.inner_text()
    # the files came with them: each opens as a PDF
    for link in page.locator(".components li a.reused-file").all():
        answer = page.request.get(link.get_attribute("href"))
        assert answer.ok and answer.body().startswith(b"%PDF")
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"dossier-reused-{width}.png"), full_page=True)
    no_sideways_scroll(page)


def test_the_panel_needs_a_third_of_the_clicks_of_one_type_at_a_time(browser_page, warehouse_url):
    in_kho_dl(warehouse_url, FORM, "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp")
    in_kho_dl(warehouse_url, PROXY_LETTER, "Văn bản ủy quyền")
    page = browser_page("tiepnhan")

    def received() -> str:
        fill_owner(page)
        page.click("button.primary")
        page.wait_for_url("**/dossiers/*")
        return page.url.rsplit("/", 1)[-1]

    # before: from the received dossier, one type at a time from the type list
    old = Counted(page)
    code = received()
    for type_code in (FORM, CCCD, PROXY_LETTER):
        old.click("#reuse-link")
        old.select("select[name=type_code]", type_code)
        old.click("#reuse-lookup button")
        page.locator("#found").wait_for()
        old.check("input[name=citizen_confirmed]")
        old.click("#attach-form button.primary")
        page.wait_for_url(f"**/dossiers/{code}#components")
    assert page.locator(".components li").count() == 3
    # after: the panel on the reuse step, the first source preselected per component
    new = Counted(page)
    code = received()
    new.click("#reuse-link")
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "reuse-step-1280.png"), full_page=True)
    for type_code in (FORM, CCCD, PROXY_LETTER):
        new.check(f'input[name="confirm-{type_code}"]')
    new.click("#use-chosen")
    page.wait_for_url(f"**/dossiers/{code}/reuse#reuse-panel")
    assert page.locator('#reuse-panel fieldset[data-attached="1"]').count() == 3
    assert (old.clicks, new.clicks) == (18, 5), (old.clicks, new.clicks)

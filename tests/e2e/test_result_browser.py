"""The real result in Chromium (001 §II.2.b Bước 5, 004 §2): the processing officer fills the
procedure's result template on the appraisal step (at desk and phone width), the leader reads
that very draft in the viewer and approves it, and the citizen downloads a signed PDF whose
text says what was decided."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
import requests
from pypdf import PdfReader
from sqlalchemy import select

from app.models import OutboxMessage
from app.services.dossiers import tasks
from app.storage.db import db
from tests.services.helpers import complete, deliver, open_task, receive, settle

pytestmark = [pytest.mark.browser, pytest.mark.simulators]

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}
DECIDED = "Có 01 án tích: phạt tiền theo bản án số 99/2026/HS-ST, đã được xoá án tích"
CITIZEN = "001090012345 — Nguyễn Văn An"
DESK, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
SHOTS = os.environ.get("SCREENSHOTS_DIR")


def delivered() -> bool:
    with db.transaction() as session:
        return not session.scalars(
            select(OutboxMessage.state).where(OutboxMessage.state != "done")
        ).all()


def shot(page, name: str) -> None:  # noqa: ANN001
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def fits(page) -> int:  # noqa: ANN001
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def test_the_filled_result_reaches_the_citizens_download(
    browser_page, actors, drain, clock, warehouse_url
):
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    appraisal = open_task(code, "appraisal").id
    tasks.claim_task(appraisal, actors["chuyenvien"])

    # the processing officer fills the template and sees the draft in the viewer
    officer = browser_page("chuyenvien")
    for size, name in ((PHONE, "phone"), (DESK, "desk")):
        officer.set_viewport_size(size)
        officer.goto(f"/tasks/{appraisal}")
        assert officer.locator("#result-form").is_visible()
        assert fits(officer) <= 0, f"the fill screen is wider than {size['width']} px"
        shot(officer, f"result-fill-{name}")
    assert officer.input_value("input[name=rf-ho_ten]") == "Nguyễn Văn An"
    officer.fill("textarea[name=rf-an_tich]", DECIDED)
    officer.fill("input[name=rf-noi_cu_tru]", "Số 12 Hàng Bài, Hoàn Kiếm")
    officer.click("#result-save")
    officer.wait_for_selector("#result-version")
    assert "phiên bản 1" in officer.inner_text("#result-version")
    officer.wait_for_selector("#viewer-pages[data-state=ready] canvas")
    officer.set_viewport_size(PHONE)
    assert fits(officer) <= 0
    shot(officer, "result-drafted-phone")
    officer.set_viewport_size(DESK)
    officer.check("input[name=decision][value=accept]")
    officer.fill("[name=appraisal_note]", "Đủ điều kiện cấp phiếu")
    officer.get_by_role("button", name="Hoàn thành").click()
    officer.wait_for_load_state()

    # the leader reads that draft, and approves it
    approval = open_task(code, "approval").id
    leader = browser_page("lanhdao")
    leader.set_viewport_size(DESK)
    leader.goto(f"/tasks/{approval}")
    leader.click("[data-claim-open]")
    leader.wait_for_selector("input[name=result_draft_version][value='1']", state="attached")
    assert DECIDED in leader.inner_text("#result-values")
    leader.wait_for_selector("#viewer-pages[data-state=ready] canvas")
    preview = leader.request.get(f"/tasks/{approval}/result-preview").body()
    assert DECIDED in _text(preview)
    shot(leader, "result-approval-desk")
    leader.check("input[name=approval_decision][value=approve]")
    leader.get_by_role("button", name="Hoàn thành").click()
    leader.wait_for_load_state()
    settle(drain, clock, delivered)
    # Kho DL keeps it with what was decided in its metadata (004 §2)
    [kept] = requests.get(
        f"{warehouse_url}/api/documents",
        params={"owner_id": "001090012345", "type_code": "KQ.G15.000007"},
        timeout=5,
    ).json()["documents"]
    assert kept["name"] == "Phiếu lý lịch tư pháp số 1"
    assert DECIDED in json.dumps(kept, ensure_ascii=False)

    # the citizen downloads the signed result, which says what was decided
    citizen = browser_page(None)
    citizen.goto("/citizen/login")
    citizen.select_option("select[name=account_id]", label=CITIZEN)
    citizen.get_by_role("button", name="Đăng nhập").click()
    citizen.wait_for_url("**/citizen/**")
    citizen.goto(f"/citizen/dossiers/{code}")
    link = citizen.locator("#results a").first
    assert "Phiếu lý lịch tư pháp số 1" in link.inner_text()
    pdf = citizen.request.get(link.get_attribute("href")).body()
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    assert DECIDED in text and "Số 12 Hàng Bài, Hoàn Kiếm" in text and code in text
    assert preview in pdf or pdf.startswith(preview)  # the draft read is what was signed


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_the_result_template_page_fits_a_desk_and_a_phone(browser_page):
    page = browser_page("quantri")
    for size, name in ((DESK, "desk"), (PHONE, "phone")):
        page.set_viewport_size(size)
        page.goto("/catalogs/procedures/2.000488/result-template")
        assert page.input_value("input[name=title]") == "Phiếu lý lịch tư pháp số 1"
        assert fits(page) <= 0, f"the template page is wider than {size['width']} px"
        shot(page, f"result-template-{name}")
    page.fill("textarea[name=body]", "Cấp cho {ho_tenn}")
    page.get_by_role("button", name="Lưu mẫu kết quả").click()
    assert "{ho_tenn}" in page.inner_text("#template-form")
    assert fits(page) <= 0
    shot(page, "result-template-refused-phone")

"""In a real Chromium: the counter officer records, at reception, one fee paid with its receipt
and one exempt with its reason (letter 4725/VPCP-KSTT, 003 §II.1.b); the dossier page and the
record the portal holds show both."""

from __future__ import annotations

import os

import pytest
import requests
from sqlalchemy import select

from app.models import Procedure
from app.storage.db import db

pytestmark = [pytest.mark.browser, pytest.mark.simulators]


def test_the_counter_officer_records_a_paid_fee_and_an_exempt_one(
    browser_page, drain, portal_url, tmp_path
):
    with db.transaction() as session:
        session.scalar(select(Procedure).where(Procedure.code == "2.000488")).fee_codes = [
            "P025",
            "P196",
        ]
    shots = os.environ.get("SCREENSHOTS_DIR") or str(tmp_path)
    page = browser_page("tiepnhan")
    page.goto("/counter/new")
    page.select_option("select[name=procedure_code]", "2.000488")
    page.fill("input[name=owner_id]", "001090012345")
    page.fill("input[name=owner_name]", "Nguyễn Văn An")
    page.click("button.primary")
    page.wait_for_url("**/dossiers/*")
    code = page.url.rsplit("/", 1)[-1]
    drain()
    page.goto("/inbox")
    page.locator("#pool tr", has_text=code).get_by_role("button", name="Nhận và xử lý").click()
    page.wait_for_url("**/tasks/*")

    page.get_by_label("Đã kiểm tra đủ thành phần hồ sơ theo quy định").check()
    paid, exempt = page.locator("#fee-P025"), page.locator("#fee-P196")
    assert not paid.locator("input[name=fee-P025-receipt]").is_visible()  # "due" until chosen
    paid.get_by_label("Đã nộp tại bộ phận một cửa").check()
    paid.locator("select[name=fee-P025-method]").select_option("transfer")
    paid.locator("input[name=fee-P025-receipt]").fill("BL-2025/000123")
    exempt.get_by_label("Miễn (ghi lý do)").check()
    assert not exempt.locator("input[name=fee-P196-receipt]").is_visible()
    # an exemption without its reason is refused, with what was typed kept
    page.get_by_role("button", name="Hoàn thành").click()
    assert "Lý do miễn: bắt buộc" in exempt.inner_text()
    assert paid.locator("input[name=fee-P025-receipt]").input_value() == "BL-2025/000123"
    page.get_by_label("Đã kiểm tra đủ thành phần hồ sơ theo quy định").check()
    exempt.locator("textarea[name=fee-P196-reason]").fill("Người có công với cách mạng")
    page.screenshot(path=f"{shots}/fees-reception-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=f"{shots}/fees-reception-390.png", full_page=True)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.get_by_role("button", name="Hoàn thành").click()
    page.wait_for_url("**/inbox")

    page.goto(f"/dossiers/{code}")
    rows = page.locator("#dossier-fees tr[data-code]")
    assert rows.count() == 2
    assert "BL-2025/000123" in page.locator("#dossier-fees tr[data-code=P025]").inner_text()
    assert "Người có công" in page.locator("#dossier-fees tr[data-code=P196]").inner_text()
    page.screenshot(path=f"{shots}/fees-dossier-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=f"{shots}/fees-dossier-390.png", full_page=True)

    drain()
    held = requests.get(f"{portal_url}/_sim/fees/{code}", timeout=5).json()["fees"]
    assert {(f["code"], f["state"], f["method"], f["receipt_no"]) for f in held} == {
        ("P025", "paid", "transfer", "BL-2025/000123"),
        ("P196", "exempt", None, None),
    }

"""In a real headless Chromium (002 §5.a Bước 1: the citizen chooses the performing agency):
a citizen signs in on the (simulated) portal, submits 1.005092 online choosing the commune,
and the dossier waits in that commune's inbox, not at the Sở's counter."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Dossier
from app.storage.db import db
from tests.documents.scans import numbered_pdf

pytestmark = [pytest.mark.browser, pytest.mark.simulators]
COMMUNE = "000.21.33.H31"


def test_a_citizen_picks_the_commune_and_the_dossier_reaches_the_communes_inbox(
    browser_page, tmp_path
):
    page = browser_page(None)
    page.goto("/citizen/submit/1.005092")
    page.select_option("select[name=account_id]", label="001090012345 — Nguyễn Văn An")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/citizen/submit/1.005092")
    choices = page.locator("#agency-choice")
    assert "UBND xã Tân Hưng" in choices.inner_text()
    assert "Sở Tư pháp tỉnh Hưng Yên" in choices.inner_text()
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(numbered_pdf(1))
    for upload in page.locator("input[type=file]").all():
        upload.set_input_files(str(scan))
    page.screenshot(path=str(tmp_path / "agency-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.locator("#agency-choice").bounding_box()["width"] <= 390
    page.screenshot(path=str(tmp_path / "agency-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # sent without a choice: the browser asks for it (required), and so does the server
    page.locator("#submit-form").evaluate("f => f.noValidate = true")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    assert "chọn một cơ quan" in page.locator("#agency-choice .error").inner_text()
    for upload in page.locator("input[type=file]").all():
        upload.set_input_files(str(scan))
    page.get_by_label("UBND xã Tân Hưng").check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/citizen/dossiers/*")
    code = page.url.rsplit("/", 1)[-1]
    assert code.startswith(COMMUNE + "-")
    assert "UBND xã Tân Hưng" in page.locator("main").inner_text()
    with db.transaction() as session:
        assert session.scalar(select(Dossier).where(Dossier.code == code)).agency.code == COMMUNE

    officer = browser_page("xatanhung")
    assert code in officer.locator("main").inner_text()
    counter = browser_page("tiepnhan")
    assert code not in counter.locator("main").inner_text()
    phone = browser_page(None)
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto("/")
    assert phone.locator("#moved").is_visible() and phone.locator("#officers-login").is_visible()
    phone.screenshot(path=str(tmp_path / "root-390.png"), full_page=True)

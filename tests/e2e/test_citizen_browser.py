"""In a real headless Chromium: a citizen follows the portal's link to a dossier, signs in on
the (simulated) portal, pays the fee on the payment platform, and later sends the supplement
the officer asked for, with a file."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Dossier
from app.services.citizens import actions
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from app.storage.db import db
from tests.documents.scans import numbered_pdf
from tests.services.helpers import complete

pytestmark = [pytest.mark.browser, pytest.mark.simulators]
RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}


def status(code: str) -> int:
    with db.transaction() as session:
        return session.scalar(select(Dossier.status).where(Dossier.code == code))


def test_citizen_pays_and_supplements_from_the_portal_link(browser_page, actors, tmp_path):
    code = receive_dossier(
        ReceiveDossier("2.000488", "cccd", "001090012345", "Nguyễn Văn An", channel="online"),
        actions.PORTAL,
    )
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    page = browser_page(None)
    page.goto(f"/?vnconnect=1&mahoso={code}")
    # the portal's sign-in page (VNeID, simulated)
    page.select_option("select[name=account_id]", label="001090012345 — Nguyễn Văn An")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"**/citizen/dossiers/{code}")
    assert "Nguyễn Văn An" in page.locator("#citizen-name").inner_text()
    assert page.locator("#fee").inner_text() == "200.000 đ"

    page.get_by_role("button", name="Thanh toán trực tuyến").click()
    assert "200.000 đ" in page.locator("#amount").inner_text()
    page.get_by_role("button", name="Thanh toán").click()
    page.wait_for_url(f"**/citizen/dossiers/{code}?*")
    assert "đã thanh toán" in page.locator(".flash").inner_text()
    assert status(code) == 4 and page.locator("#pay-form").count() == 0

    complete(
        code,
        "appraisal",
        actors["chuyenvien"],
        {"decision": "supplement", "appraisal_note": "Thiếu", "supplement_request": "Bản CCCD"},
    )
    page.reload()
    assert page.locator("#supplement-request").inner_text() == "Bản CCCD"
    scan = tmp_path / "cccd.pdf"
    scan.write_bytes(numbered_pdf(1))
    page.select_option("select[name=type_code]", "KQ.G01.000023")
    page.set_input_files("input[name=files]", str(scan))
    page.get_by_role("button", name="Gửi bổ sung").click()
    page.wait_for_url(f"**/citizen/dossiers/{code}")
    assert "Đã gửi hồ sơ bổ sung" in page.locator(".flash").inner_text()
    assert status(code) == 4 and page.locator("#supplement-form").count() == 0
    page.screenshot(path=str(tmp_path / "citizen.png"), full_page=True)

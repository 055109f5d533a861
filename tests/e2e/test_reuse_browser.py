"""In a real headless Chromium: the counter officer looks a component up, the citizen
confirms, and the component is attached, with a paper/national mismatch flagged; another
person's card is shown in red and attached only with a reason; the citizen sees the supplement
deadline and every component, and cannot send an empty supplement."""

from __future__ import annotations

import pytest
import requests

from app.domain.status import VN_TZ
from app.services.deadlines import supplement_clock
from tests.documents.scans import numbered_pdf
from tests.services.helpers import complete, deliver, receive
from tests.services.test_documents import scan

pytestmark = [pytest.mark.browser, pytest.mark.simulators]
AN, CCCD = "001090012345", "KQ.G01.000023"
RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}


def test_counter_officer_reuses_a_component_from_the_national_db(browser_page, drain):
    page = browser_page("tiepnhan")
    page.goto("/counter/new")
    page.fill("input[name=owner_id]", "079095000123")
    page.fill("input[name=owner_name]", "Nguyễn Thị Hồng Nhung")
    page.click("button.primary")
    page.wait_for_url("**/dossiers/*")
    code = page.url.rsplit("/", 1)[-1]
    drain()  # the account check on the portal
    page.reload()
    assert page.locator("#history", has_text="kiểm tra tài khoản trên Cổng DVCQG").count() == 1

    page.click("#reuse-link")
    page.select_option("select[name=type_code]", "KQ.G01.000023")
    page.get_by_role("button", name="Tra cứu").click()
    found = page.locator("#found")
    found.wait_for()
    assert found.get_attribute("data-source") == "national"
    assert "Kho DL trên Cổng DVCQG: không có" in page.locator("#tried").inner_text()
    page.fill("input[name=paper_document_number]", "079095000124")
    page.get_by_role("button", name="Đính kèm vào hồ sơ").click()
    # not confirmed by the citizen yet: refused, nothing attached
    assert "Cần công dân xác nhận" in page.locator("#attach-form").inner_text()
    page.fill("input[name=paper_document_number]", "079095000124")
    page.check("input[name=citizen_confirmed]")
    page.get_by_role("button", name="Đính kèm vào hồ sơ").click()
    page.wait_for_url(f"**/dossiers/{code}#components")
    item = page.locator('.components li[data-source="national"]')
    assert "Thẻ căn cước công dân" in item.inner_text()
    assert "079095000124 ≠ 079095000123" in item.locator(".mismatch").inner_text()


def test_another_persons_card_is_red_and_not_attached_without_a_reason(
    browser_page, national_url, tmp_path
):
    # the national DB answers the applicant's lookup with someone else's ID card (as it did)
    requests.post(
        f"{national_url}/_sim/records",
        json={
            "served_for": AN,
            "owner_id": "079095000123",
            "type_code": CCCD,
            "name": "Thẻ căn cước công dân",
            "full_name": "Nguyễn Thị Hồng Nhung",
            "fields": {"document_number": "079095000123", "birth_date": "1995-07-21"},
        },
        timeout=5,
    ).raise_for_status()
    page = browser_page("tiepnhan")
    page.goto("/counter/new")
    page.fill("input[name=owner_id]", AN)
    page.fill("input[name=owner_name]", "Nguyễn Văn An")
    page.click("button.primary")
    page.wait_for_url("**/dossiers/*")
    code = page.url.rsplit("/", 1)[-1]

    page.click("#reuse-link")
    # the catalogue waits behind "Khác…" (the page's script hides it once it has loaded)
    page.locator("#other-type").wait_for(state="hidden", timeout=5000)
    page.select_option("select[name=type_code]", CCCD)
    page.get_by_role("button", name="Tra cứu").click()
    warning = page.locator("#owner-warning")
    warning.wait_for()
    assert "không phải của chủ hồ sơ Nguyễn Văn An" in warning.inner_text()
    assert warning.locator('tr[data-field="owner_id"] td').all_inner_texts() == [
        AN,
        "079095000123",
    ]
    assert "Nguyễn Thị Hồng Nhung" in warning.locator('tr[data-field="full_name"]').inner_text()
    assert warning.evaluate("e => getComputedStyle(e).borderTopColor") == "rgb(179, 20, 27)"
    assert page.get_by_role("button", name="Đính kèm vào hồ sơ").count() == 0
    page.screenshot(path=str(tmp_path / "warning.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})  # on a phone the warning still fits
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(tmp_path / "warning-390.png"), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 900})

    page.check("input[name=citizen_confirmed]")
    page.get_by_role("button", name="Vẫn đính kèm, kèm lý do").click()
    page.locator("#override-error").wait_for()  # refused: no reason given
    assert page.locator("#owner-warning").is_visible()
    page.goto(f"/dossiers/{code}")
    assert page.locator('.components li[data-source="national"]').count() == 0

    page.go_back()
    page.check("input[name=citizen_confirmed]")
    page.fill("textarea[name=override_reason]", "Thẻ cấp lại, đã đối chiếu bản gốc tại quầy")
    page.get_by_role("button", name="Vẫn đính kèm, kèm lý do").click()
    page.wait_for_url(f"**/dossiers/{code}#components")
    flagged = page.locator('.components li[data-source="national"] .owner-override')
    assert "Thẻ cấp lại, đã đối chiếu bản gốc tại quầy" in flagged.inner_text()
    assert "Nguyễn Thị Hoa" in flagged.inner_text()  # who overrode it
    page.screenshot(path=str(tmp_path / "override.png"), full_page=True)


def test_the_citizen_sees_the_supplement_deadline_and_every_component(
    browser_page, actors, tmp_path
):
    officer = actors["tiepnhan"]
    code = receive(officer)
    deliver("portal.check_account", {"exists": True})
    scan(code, officer, numbered_pdf(1), type_code="TK.LLTP.01", classification="form")
    complete(code, "reception", officer, RECEPTION)
    complete(
        code,
        "appraisal",
        actors["chuyenvien"],
        {"decision": "supplement", "appraisal_note": "Thiếu", "supplement_request": "Bản CCCD"},
    )
    deadline = supplement_clock.supplement_deadline(code)
    page = browser_page(None)
    page.goto(f"/?vnconnect=1&mahoso={code}")
    page.select_option("select[name=account_id]", label=f"{AN} — Nguyễn Văn An")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"**/citizen/dossiers/{code}")

    due = deadline.due_at.astimezone(VN_TZ)
    assert " ".join(page.locator("#supplement-deadline").inner_text().split()) == (
        f"Hạn bổ sung: {due:%d/%m/%Y} (còn {deadline.working_days_left} ngày làm việc)"
    )
    form = page.locator('#components > li[data-type="TK.LLTP.01"]')
    assert "Đã nhận bản giấy, đang số hoá" in form.inner_text()  # scanned at the counter
    assert "Chưa có" in page.locator('#components > li[data-type="KQ.G01.000023"]').inner_text()
    assert page.locator('#components > li[data-type="TK.UQ.01"]').count() == 1

    page.locator("#supplement-other-type").wait_for(state="hidden", timeout=5000)
    page.select_option("#supplement-form select[name=type_code]", "khac")
    assert page.locator("#supplement-other-type").is_visible()
    page.get_by_role("button", name="Gửi bổ sung").click()  # neither note nor file
    assert "Hồ sơ bổ sung đang trống" in page.locator("#action-error").inner_text()
    assert page.locator("#supplement-form").count() == 1  # still waiting for it
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(tmp_path / "citizen-390.png"), full_page=True)

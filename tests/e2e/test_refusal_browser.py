"""In Chromium: a processing officer's refusal reaches the leader, who reads the proposed reason
on the step's screen, approves it and prints slip 03 signed in the leader's name; the period
statistics then show the dossier as refused, not as finished early."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from app.services.dossiers import tasks
from tests.services.helpers import complete, deliver, open_task, receive

pytestmark = [pytest.mark.browser, pytest.mark.simulators]

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}
REASON = "Người yêu cầu không thuộc đối tượng được cấp theo Điều 7"


def test_the_leader_reads_the_proposed_refusal_approves_it_and_signs_slip_03(
    browser_page, actors, tmp_path
):
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    complete(
        code, "appraisal", actors["chuyenvien"], {"decision": "refuse", "appraisal_note": REASON}
    )
    step = open_task(code, "refusal_approval")
    tasks.claim_task(step.id, actors["lanhdao"])

    page = browser_page("lanhdao")
    page.goto(f"/tasks/{step.id}")
    assert page.locator("h1").first.inner_text().strip().startswith("Phê duyệt từ chối giải quyết")
    assert REASON in page.locator("main").inner_text()  # the officer's reason, on the screen
    page.screenshot(path=str(tmp_path / "refusal-approval.png"), full_page=True)
    page.get_by_label("Đồng ý từ chối, ký phiếu từ chối giải quyết (mẫu 03)").check()
    page.get_by_role("button", name="Hoàn thành").click()
    page.wait_for_load_state()

    page.goto(f"/dossiers/{code}")
    assert "Không được tiếp nhận" in page.locator("main").inner_text()
    slip = page.request.get(f"/dossiers/{code}/slips/03.pdf")
    assert slip.status == 200
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(slip.body())).pages)
    assert actors["lanhdao"].name in text and actors["chuyenvien"].name not in text


def test_a_leader_who_disagrees_must_say_why(browser_page, actors):
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    complete(
        code, "appraisal", actors["chuyenvien"], {"decision": "refuse", "appraisal_note": REASON}
    )
    step = open_task(code, "refusal_approval")
    tasks.claim_task(step.id, actors["lanhdao"])

    page = browser_page("lanhdao")
    page.goto(f"/tasks/{step.id}")
    page.get_by_label("Không đồng ý, trả lại để thẩm định lại").check()
    page.get_by_role("button", name="Hoàn thành").click()
    page.wait_for_load_state()
    assert "«Ý kiến lãnh đạo»" in page.locator("main").inner_text()
    assert open_task(code, "refusal_approval") is not None  # nothing moved
    assert open_task(code, "appraisal") is None

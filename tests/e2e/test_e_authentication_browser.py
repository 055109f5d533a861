"""In Chromium, at 1280 px and at 390 px: the processing officer sends the dossier's
out-of-scope document to its managing agency from the step's screen (001 §II.2.c Bước 1),
sees it authenticated with its stored copy, and completes the step; the section fits a phone."""

from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import select

from app.models import OutboxMessage
from app.services.documents import e_authentication
from app.storage.db import db
from tests.services.test_e_authentication import at_step, knobs
from worker.jobs import deliver_outbox

pytestmark = [pytest.mark.browser, pytest.mark.simulators]

SCREENSHOTS = os.environ.get("SCREENSHOTS_DIR")


def deliver_in_thread() -> None:
    """Make the e-authentication calls as the worker does, beside the browser's event loop
    (checking the copy's signatures runs its own loop)."""

    def work() -> None:
        for _ in range(10):
            with db.transaction() as session:
                ids = session.scalars(
                    select(OutboxMessage.id).where(
                        OutboxMessage.state == "pending",
                        OutboxMessage.operator.in_(
                            (e_authentication.SEND, e_authentication.ANSWER)
                        ),
                    )
                ).all()
            if not ids:
                return
            for outbox_id in ids:
                deliver_outbox(outbox_id)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=120)


@pytest.fixture
def waiting(actors) -> tuple[str, str, int]:
    """A dossier at the step with its document scanned and signed (before the browser starts:
    signing runs its own event loop)."""
    return at_step(actors)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_officer_sends_the_document_sees_the_copy_and_completes_the_step(
    waiting, browser_page, width
):
    _code, task_id, document_id = waiting
    page = browser_page("chuyenvien")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/tasks/{task_id}")
    row = page.locator(f'#e-authentication tr[data-document="{document_id}"]')
    assert row.get_attribute("data-state") == "none"
    assert "Chưa hoàn thành được bước" in page.locator("#e-authentication").inner_text()

    page.click("#send-for-authentication")
    page.wait_for_url(f"**/tasks/{task_id}#e-authentication")
    assert row.get_attribute("data-state") == "queued"
    deliver_in_thread()
    page.reload()
    assert row.get_attribute("data-state") == "authenticated"
    assert "Bộ Tư pháp" in row.inner_text()
    assert "001090012345.KQ.G15.000031.2" in row.inner_text()
    section = page.locator("#e-authentication")
    box = section.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    sideways = page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
    assert not sideways
    if SCREENSHOTS:
        section.screenshot(path=f"{SCREENSHOTS}/e-authentication-{width}.png")
    page.click("form[method=post]:not([action]) button.primary")
    page.wait_for_url("**/tasks/**")
    assert "Đã hoàn thành: Gửi cơ quan quản lý xác thực giấy tờ ngoài phạm vi" in page.content()


@pytest.fixture
def refused(actors, e_authentication_url) -> tuple[str, str, int]:
    """A dossier whose document the managing agency refused."""
    code, task_id, document_id = at_step(actors)
    knobs(e_authentication_url, refuse="Số đăng ký không có trong sổ hộ tịch")
    e_authentication.send(task_id, actors["chuyenvien"])
    deliver_in_thread()
    return code, task_id, document_id


@pytest.mark.parametrize("width", [1280, 390])
def test_a_refusal_reads_with_its_reason_and_the_officer_asks_for_a_supplement(
    refused, browser_page, width
):
    _code, task_id, document_id = refused
    page = browser_page("chuyenvien")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/tasks/{task_id}")
    row = page.locator(f'#e-authentication tr[data-document="{document_id}"]')
    assert row.get_attribute("data-state") == "refused"
    assert "Số đăng ký không có trong sổ hộ tịch" in row.inner_text()
    sideways = page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
    assert not sideways
    if SCREENSHOTS:
        page.locator("#e-authentication").screenshot(
            path=f"{SCREENSHOTS}/e-authentication-refused-{width}.png"
        )
    row.locator("input[name=note]").fill("Nộp bản sao có chứng thực")
    row.get_by_role("button", name="Yêu cầu bổ sung").click()
    page.wait_for_url(f"**/tasks/{task_id}#e-authentication")
    assert row.get_attribute("data-state") == "supplement"


@pytest.fixture
def at_counter(actors) -> tuple[str, str, int]:
    return at_step(actors, route="counter")


def test_at_the_counter_the_officer_ticks_the_comparison_and_makes_the_copy(
    at_counter, browser_page
):
    _code, task_id, document_id = at_counter
    page = browser_page("tiepnhan")
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"/tasks/{task_id}")
    row = page.locator(f'#e-authentication tr[data-document="{document_id}"]')
    assert row.get_attribute("data-state") == "none"
    if SCREENSHOTS:
        page.locator("#e-authentication").screenshot(
            path=f"{SCREENSHOTS}/e-authentication-counter-390.png"
        )
    row.locator("input[name=compared]").check()
    row.get_by_role("button", name="Xác thực điện tử").click()
    page.wait_for_url(f"**/tasks/{task_id}#e-authentication")
    assert row.get_attribute("data-state") == "authenticated"
    assert "001090012345.KQ.G15.000031.2" in row.inner_text()  # the stored copy
    assert "Đã xác thực tại quầy" in row.inner_text()

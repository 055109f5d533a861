"""In Chromium: the administrator pastes a reorganisation plan, reads the problems, fixes it,
reads the dry run dossier by dossier, records it and confirms it."""

from __future__ import annotations

import json

import pytest

from tests.services import reorg_world as world

pytestmark = pytest.mark.browser


def test_an_administrator_checks_dry_runs_records_and_confirms_a_plan(browser_page, tmp_path):
    world.build()
    dossiers = world.seed_dossiers()
    page = browser_page("quantri")
    page.goto("/admin/reorganisation")
    missing_leaders = world.plan_body(
        officers=[{"username": "tn1", "agency": "M", "roles": ["reception"]}]
    )
    page.fill("textarea[name=plan_text]", json.dumps(missing_leaders, ensure_ascii=False))
    page.click('button:has-text("Kiểm tra và chạy thử")')
    problems = page.locator("#plan-problems").inner_text()
    assert "UBND xã Tiên Lữ: không còn cán bộ giữ vai trò Lãnh đạo" in problems
    page.fill("textarea[name=plan_text]", json.dumps(world.plan_body(), ensure_ascii=False))
    page.click('button:has-text("Kiểm tra và chạy thử")')
    assert (
        page.locator("#dry-run-counts").inner_text().startswith("Chuyển: 6 · Không chuyển được: 1")
    )
    row = page.locator("#dry-run tr", has_text=dossiers.claimed_leaving)
    assert "trả về nhóm, đang do Hoàng Văn Năm" in row.inner_text()
    page.screenshot(path=str(tmp_path / "dry-run.png"), full_page=True)
    page.click('button:has-text("Ghi phương án")')
    assert page.locator("#plan-state").inner_text() == "Dự thảo"
    page.click('button:has-text("Xác nhận áp dụng")')
    assert page.locator("#plan-state").inner_text() == "Chờ đến giờ áp dụng"
    assert "Phương án sẽ được áp dụng lúc 01/07/2025 00:00" in page.content()

"""The administrator's screens for the reform: a plan uploaded as CSV or JSON is checked and its
problems listed; a good one is dry-run dossier by dossier, recorded, confirmed, and applied by
the scheduler's job; the units screen shows the portal's changes and applies them as shown."""

from __future__ import annotations

import io
import json

import pytest
import requests
from sqlalchemy import select

from app.models import Agency
from tests.services import reorg_world as world
from tests.web.helpers import login, post, token

PAGE = "/admin/reorganisation"


def upload(client, data: dict, text: str, filename: str):  # noqa: ANN001, ANN201
    return client.post(
        f"{PAGE}/check",
        data={
            **data,
            "plan": (io.BytesIO(text.encode()), filename),
            "csrf_token": token(client, PAGE),
        },
        content_type="multipart/form-data",
    )


def test_a_bad_csv_plan_is_refused_with_each_problem(client, app):
    world.build()
    login(client, "quantri")
    bad = "kind,source,target,roles\nagency,X1,NOWHERE,\nofficer,tn1,M,boss\nmerge,X2,M,\n"
    page = upload(client, {"name": "Thử", "cutover_at": "2025-07-01T00:00"}, bad, "plan.csv")
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Dòng 4: loại «merge» không có" in text
    assert "vai trò «boss» không có" in text
    # well-formed but wrong against the database
    wrong = "kind,source,target,roles\nagency,X1,NOWHERE,\n"
    page = upload(client, {"name": "Thử", "cutover_at": "2025-07-01T00:00"}, wrong, "plan.csv")
    assert page.status_code == 422
    assert "cơ quan kế thừa NOWHERE không có hoặc đã ngừng hoạt động" in page.get_data(as_text=True)


def test_only_administrators_reach_the_reform_screens(client, app):
    login(client, "tiepnhan")
    assert client.get(PAGE).status_code == 403
    assert client.get("/admin/units").status_code == 403


@pytest.mark.simulators
def test_a_plan_is_dry_run_recorded_confirmed_and_applied_by_the_scheduler(client, app, drain):
    world.build()
    d = world.seed_dossiers()
    login(client, "quantri")
    preview = upload(client, {}, json.dumps(world.plan_body()), "plan.json")
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200, text
    assert "Chuyển: 6 · Không chuyển được: 1" in text
    assert d.claimed_leaving in text and "trả về nhóm, đang do Hoàng Văn Năm" in text
    plan_json = text.split('name="plan_json" value="')[1].split('"')[0]
    import html

    recorded = post(client, f"{PAGE}/record", {"plan_json": html.unescape(plan_json)}, PAGE)
    assert recorded.status_code == 302
    plan_page = recorded.headers["Location"]
    assert "Dự thảo" in client.get(plan_page).get_data(as_text=True)
    # the whole dry run, one line per dossier, as CSV
    sheet = client.get(f"{plan_page}/dry-run.csv").get_data(as_text=True).splitlines()
    assert sheet[0].startswith("ho_so,ket_qua,tu,den,buoc,ly_do")
    assert len(sheet) == 1 + 7
    assert any(
        line.startswith(f"{d.claimed_leaving},moved,X2,M,") and "(trả về nhóm)" in line
        for line in sheet
    )
    confirmed = post(client, f"{plan_page}/schedule", {}, plan_page)
    assert confirmed.status_code == 302
    drain()  # the scheduler sees the plan due and its job applies it
    shown = client.get(plan_page).get_data(as_text=True)
    assert "Đã áp dụng" in shown
    assert "Trước chuyển đổi: 7 = đã chuyển 6 + đã kết thúc 0 + không chuyển được 1" in shown
    assert client.get(f"{plan_page}/dry-run.csv").status_code == 409  # applied: see the report
    assert d.stranded in shown.split('id="refusals"')[1]
    # an officer of the successor opens the moved dossier and reads why it came
    login(client, "tn2")
    history = client.get(f"/dossiers/{d.at_reception}").get_data(as_text=True)
    assert "Chuyển hồ sơ do sắp xếp đơn vị hành chính" in history
    assert "đến UBND xã Tiên Lữ (thời hạn giữ nguyên)" in history


@pytest.mark.simulators
def test_the_units_screen_shows_the_portal_changes_and_applies_them(client, app, portal_url):
    login(client, "quantri")
    assert "Danh mục đã khớp với Cổng DVCQG" in client.get("/admin/units").get_data(as_text=True)
    requests.post(
        f"{portal_url}/_sim/admin-units", json={"merge": {"11980": "11977"}}, timeout=5
    ).raise_for_status()
    page = client.get("/admin/units").get_data(as_text=True)
    assert "Sáp nhập" in page and "Phường Hồng Châu" in page
    fingerprint = page.split('name="fingerprint" value="')[1].split('"')[0]
    done = post(client, "/admin/units", {"fingerprint": fingerprint})
    assert done.status_code == 302
    after = client.get("/admin/units").get_data(as_text=True)
    assert "Danh mục đã khớp với Cổng DVCQG" in after and "đã sáp nhập: 1" in after


def test_a_confirmed_plan_the_organisation_no_longer_fits_comes_back_with_its_reasons(
    client, app, drain
):
    from sqlalchemy import update

    from app.models import User
    from app.storage.db import db

    world.build()
    with db.transaction() as session:  # as in the seeded world: the section's officer left
        session.execute(update(User).where(User.username == "dcv").values(active=False))
    login(client, "quantri")
    preview = upload(client, {}, json.dumps(world.plan_body()), "plan.json")
    plan_json = preview.get_data(as_text=True).split('name="plan_json" value="')[1].split('"')[0]
    import html

    plan_page = post(client, f"{PAGE}/record", {"plan_json": html.unescape(plan_json)}, PAGE)
    plan_page = plan_page.headers["Location"]
    assert post(client, f"{plan_page}/schedule", {}, plan_page).status_code == 302
    assert "Chờ đến giờ áp dụng" in client.get(plan_page).get_data(as_text=True)
    # before the cut-over runs, the only leader the plan gives the new commune leaves
    with db.transaction() as session:
        session.execute(update(User).where(User.username.in_(["ld1", "dld"])).values(active=False))
    drain()
    shown = client.get(plan_page).get_data(as_text=True)
    assert "Dự thảo" in shown
    refused = shown.split('id="cut-over-refused"')[1]
    assert (
        "Cán bộ ld1: tài khoản đã bị khoá" in refused
        and "Cán bộ dld: tài khoản đã bị khoá" in refused
    )
    with db.transaction() as session:
        assert session.scalar(select(Agency.active).where(Agency.code == "X1"))


def test_the_cut_over_moment_is_typed_day_month_year_and_time(client, app):
    world.build()
    world.seed_dossiers()
    login(client, "quantri")
    assert 'placeholder="dd/mm/yyyy HH:MM"' in client.get(PAGE).get_data(as_text=True)
    typed = {"cutover_at": "02/07/2025 08:30"}
    preview = upload(client, typed, json.dumps(world.plan_body()), "plan.json")
    assert preview.status_code == 200
    assert "Thời điểm chuyển đổi: 02/07/2025 08:30" in preview.get_data(as_text=True)


@pytest.mark.parametrize("typed", ["31/06/2025 08:30", "07/01/2025 8:30 PM", "x" * 5000])
def test_an_impossible_cut_over_moment_is_refused_with_a_message(client, app, typed):
    world.build()
    login(client, "quantri")
    page = upload(client, {"cutover_at": typed}, json.dumps(world.plan_body()), "plan.json")
    assert page.status_code == 422
    assert "Thời điểm không hợp lệ" in page.get_data(as_text=True)

"""Fewer clicks: a pool step opens with one "Nhận và xử lý"; after a step the officer's next
step of the same dossier opens at once, otherwise the page says where the dossier went (unit
and role); the dossier page's steps come as JSON for its live refresh."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from app.models import Agency, HumanTask, User, UserRole
from app.services.core import queue
from app.services.dossiers import tasks
from app.storage.db import db
from tests.services.helpers import complete, deliver, open_task, receive
from tests.web.helpers import login, logout, post, receive_at_counter
from worker import jobs

pytestmark = pytest.mark.simulators
RECEPTION = {"components_checked": "on", "original_count": "1", "copy_count": "0"}
NEW_ACCOUNT = {
    "account_action": "create",
    "gender": "Nữ",
    "birth_date": "1995-03-04",
    "permanent_address": "Phường Phố Hiến, tỉnh Hưng Yên",
    "phone": "0901234567",
}


@pytest.fixture
def worker_inline(app, monkeypatch):
    """Each call is made right after its commit, in this process, as a warm worker would."""
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: [jobs.deliver_outbox(i) for i in ids])


@pytest.fixture
def no_worker(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


@pytest.fixture
def second_counter_officer(app) -> str:
    """Another reception officer of the Sở Tư pháp (the same password as the demo ones)."""
    with db.transaction() as session:
        hoa = session.scalar(select(User).where(User.username == "tiepnhan"))
        user = User(
            username="tiepnhan2",
            password_hash=hoa.password_hash,
            full_name="Đỗ Minh Khang",
            agency_id=hoa.agency_id,
        )
        session.add(user)
        session.flush()
        session.add(UserRole(user_id=user.id, role="reception", agency_id=hoa.agency_id))
    return "tiepnhan2"


def task_of(code: str, element: str) -> HumanTask:
    found = open_task(code, element)
    assert found is not None, f"no open {element} for {code}"
    return found


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_claim_and_open_takes_the_pool_step_and_opens_its_screen(client, worker_inline):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    step = task_of(code, "reception")
    assert step.assignee_id is None
    page = client.get("/inbox").get_data(as_text=True)
    assert "Nhận và xử lý" in page
    response = post(client, f"/tasks/{step.id}/claim", {}, "/inbox")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/tasks/{step.id}")
    assert task_of(code, "reception").assignee_id is not None
    assert "Hoàn thành" in client.get(f"/tasks/{step.id}").get_data(as_text=True)


def test_a_step_someone_else_holds_is_a_409_naming_them_and_is_not_taken(
    client, actors, worker_inline, second_counter_officer
):
    code = receive(actors["tiepnhan"])
    step = task_of(code, "reception")
    tasks.claim_task(step.id, actors["tiepnhan"])
    login(client, second_counter_officer)
    screen = client.get(f"/tasks/{step.id}").get_data(as_text=True)
    assert "Nguyễn Thị Hoa" in html.unescape(screen) and "Nhận và xử lý" not in screen
    response = post(client, f"/tasks/{step.id}/claim", {}, "/inbox")
    assert response.status_code == 409
    assert "Nguyễn Thị Hoa" in text(response)
    assert task_of(code, "reception").assignee_id == actors["tiepnhan"].id


@pytest.mark.parametrize(("username", "status"), [("chuyenvien", 403), ("tiepnhantc", 404)])
def test_claiming_without_the_role_or_in_another_agency_is_refused(
    client, actors, worker_inline, username, status
):
    code = receive(actors["tiepnhan"])
    step = task_of(code, "reception")
    login(client, username)
    assert post(client, f"/tasks/{step.id}/claim", {}, "/inbox").status_code == status
    assert task_of(code, "reception").assignee_id is None


def test_after_a_step_for_another_role_the_officer_is_told_the_unit_and_role(client, worker_inline):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    step = task_of(code, "reception")
    post(client, f"/tasks/{step.id}/claim", {}, "/inbox")
    response = post(client, f"/tasks/{step.id}", RECEPTION)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/inbox")
    appraisal = task_of(code, "appraisal")
    with db.transaction() as session:
        unit = session.get(Agency, appraisal.agency_id).name
    message = text(client.get("/inbox"))
    assert f"Hồ sơ {code} đã chuyển đến: {unit} — Chuyên viên xử lý" in message


def test_the_same_desks_next_step_is_taken_for_the_officer_and_opens_at_once(client, worker_inline):
    login(client, "tiepnhan")
    code = receive_at_counter(client, owner_id="079095000123", owner_name="Trần Thị Bình")
    account = task_of(code, "create_portal_account")
    post(client, f"/tasks/{account.id}/claim", {}, "/inbox")
    response = post(client, f"/tasks/{account.id}", NEW_ACCOUNT)
    assert response.status_code == 302, text(response)
    reception = task_of(code, "reception")
    assert response.headers["Location"].endswith(f"/tasks/{reception.id}")
    with db.transaction() as session:
        hoa = session.scalar(select(User.id).where(User.username == "tiepnhan"))
    assert reception.assignee_id == hoa
    assert "Bước tiếp theo của bạn: Tiếp nhận hồ sơ" in text(
        client.get(response.headers["Location"])
    )


def test_a_next_step_behind_an_unfinished_service_call_is_not_guessed(client, actors, no_worker):
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": False})
    login(client, "tiepnhan")
    account = task_of(code, "create_portal_account")
    post(client, f"/tasks/{account.id}/claim", {}, "/inbox")
    response = post(client, f"/tasks/{account.id}", NEW_ACCOUNT)
    assert response.headers["Location"].endswith("/inbox")
    assert f"Hồ sơ {code} đang được hệ thống chuyển tiếp" in text(client.get("/inbox"))


def test_a_supplement_request_says_the_dossier_waits_for_the_citizen(client, actors, no_worker):
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(
        code,
        "reception",
        actors["tiepnhan"],
        {k: True for k in ["components_checked"]} | {"original_count": 1, "copy_count": 0},
    )
    login(client, "chuyenvien")
    appraisal = task_of(code, "appraisal")
    post(client, f"/tasks/{appraisal.id}/claim", {}, "/inbox")
    form = {
        "decision": "supplement",
        "appraisal_note": "Thiếu bản sao CCCD",
        "supplement_request": "Bổ sung bản sao CCCD có chứng thực",
    }
    response = post(client, f"/tasks/{appraisal.id}", form)
    assert response.status_code == 302
    inbox = text(client.get("/inbox"))
    assert f"Hồ sơ {code} đang chờ công dân bổ sung" in inbox, inbox[inbox.find("flash") :][:600]


def test_the_steps_json_follows_the_worker_and_shows_each_unit(client, actors, no_worker):
    code = receive(actors["tiepnhan"])
    login(client, "tiepnhan")
    before = client.get(f"/dossiers/{code}/steps").get_json()
    assert before["pending"] is True and before["steps"] == []
    assert "bước tiếp theo sẽ hiện ở đây" in before["html"]
    page = text(client.get(f"/dossiers/{code}"))
    assert 'data-pending="1"' in page and "js/steps.js" in page
    deliver("portal.check_account", {"exists": True})
    after = client.get(f"/dossiers/{code}/steps").get_json()
    assert after["pending"] is False
    [step] = after["steps"]
    assert step["title"] == "Tiếp nhận hồ sơ" and step["role_label"] == "Cán bộ một cửa"
    with db.transaction() as session:
        unit = session.get(Agency, task_of(code, "reception").agency_id).name
    assert step["unit"] == unit
    assert step["unit"] in after["html"] and "đã chuyển đến" in after["where"]


def test_another_agencys_officer_gets_404_from_the_steps_json(client, actors, no_worker):
    code = receive(actors["tiepnhan"])
    login(client, "tiepnhantc")
    response = client.get(f"/dossiers/{code}/steps")
    assert response.status_code == 404
    assert "data-step=" not in text(response) and "Cán bộ một cửa" not in text(response)


def test_the_steps_json_carries_no_step_data_even_for_those_allowed_to_see_it(
    client, actors, no_worker
):
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(
        code,
        "reception",
        actors["tiepnhan"],
        {"components_checked": True, "original_count": 1, "copy_count": 0},
    )
    complete(
        code,
        "appraisal",
        actors["chuyenvien"],
        {"decision": "accept", "appraisal_note": "Ghi chú thẩm định riêng"},
    )
    complete(
        code,
        "approval",
        actors["lanhdao"],
        {"approval_decision": "approve", "result_name": "Phiếu LLTP số 1 — ghi chú nội bộ"},
    )
    for index, username in enumerate(("tiepnhan", "lanhdao")):
        if index:
            logout(client)
        login(client, username)
        body = text(client.get(f"/dossiers/{code}/steps"))
        assert "ghi chú nội bộ" not in body and "Ghi chú thẩm định riêng" not in body
        assert "approval_decision" not in body


def test_after_approving_the_leader_reads_that_the_result_is_being_signed(
    client, actors, no_worker
):
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    reception = {"components_checked": True, "original_count": 1, "copy_count": 0}
    complete(code, "reception", actors["tiepnhan"], reception)
    complete(
        code, "appraisal", actors["chuyenvien"], {"decision": "accept", "appraisal_note": "Đủ"}
    )
    login(client, "lanhdao")
    approval = task_of(code, "approval")
    post(client, f"/tasks/{approval.id}/claim", {}, "/inbox")
    form = {"approval_decision": "approve", "result_name": "Phiếu lý lịch tư pháp số 1"}
    response = post(client, f"/tasks/{approval.id}", form)
    assert response.status_code == 302 and response.headers["Location"].endswith("/inbox")
    assert f"Kết quả của hồ sơ {code} đang được ký số" in text(client.get("/inbox"))
    steps = client.get(f"/dossiers/{code}/steps").get_json()
    assert steps["pending"] is True and "đang được ký số" in steps["where"]
    assert "Đang ký số kết quả" in steps["html"]
    assert open_task(code, "return_result") is None  # nothing to hand out before it is signed

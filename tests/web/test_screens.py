"""The officers' screens over HTTP: login, inbox, task form, dossier page, counter, incidents."""

from __future__ import annotations

import json

import pytest

from app.services.core import queue
from tests.services.helpers import deliver
from tests.web.helpers import (
    api_headers,
    login,
    logout,
    post,
    receive_at_counter,
    task_id_in,
    token,
)


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def deliver_account_check(actors) -> None:
    deliver("portal.check_account", {"exists": True})


def test_pages_require_login(client):
    response = client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/api/inbox").status_code == 401


def test_wrong_password_is_refused_with_a_message(client):
    response = client.post(
        "/login",
        data={"username": "tiepnhan", "password": "x", "csrf_token": token(client, "/login")},
    )
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(client):
    login(client, "tiepnhan")
    form = {
        "procedure_code": "2.000488",
        "owner_id_type": "cccd",
        "owner_id": "001090012345",
        "owner_name": "Nguyễn Văn An",
    }
    response = client.post("/counter/new", data=form)
    assert response.status_code == 400
    assert "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ" in response.get_data(as_text=True)
    # the same form with the screen's token is received: only the token was missing
    assert post(client, "/counter/new", form).status_code == 302


def test_received_dossier_appears_in_the_reception_pool_and_can_be_claimed(client, actors):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    deliver_account_check(actors)
    inbox = client.get("/inbox").get_data(as_text=True)
    pool = inbox.split('id="pool"')[1]
    assert code in pool and "Tiếp nhận hồ sơ" in pool
    task_id = task_id_in(pool, "Tiếp nhận hồ sơ")
    assert post(client, f"/tasks/{task_id}/claim", {}, "/inbox").status_code == 302
    mine = client.get("/inbox").get_data(as_text=True).split('id="pool"')[0]
    assert code in mine
    assert post(client, f"/tasks/{task_id}/unclaim", {}, "/inbox").status_code == 302
    assert code not in client.get("/inbox").get_data(as_text=True).split('id="pool"')[0]


def test_task_form_shows_the_schema_titles_and_refuses_invalid_input(client, actors):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    deliver_account_check(actors)
    task_id = task_id_in(client.get("/inbox").get_data(as_text=True), "Tiếp nhận hồ sơ")
    post(client, f"/tasks/{task_id}/claim", {}, "/inbox")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Đã kiểm tra đủ thành phần hồ sơ theo quy định" in page and "Số bản chính" in page
    response = post(client, f"/tasks/{task_id}", {"original_count": "abc", "copy_count": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "«Số bản chính» phải là số nguyên" in html
    response = post(client, f"/tasks/{task_id}", {"original_count": "1", "copy_count": "0"})
    assert response.status_code == 422
    assert (
        "«Đã kiểm tra đủ thành phần hồ sơ theo quy định» phải được xác nhận"
        in response.get_data(as_text=True)
    )
    response = post(
        client,
        f"/tasks/{task_id}",
        {"components_checked": "on", "original_count": "1", "copy_count": "0"},
    )
    assert response.status_code == 302
    logout(client)
    login(client, "chuyenvien")
    assert code in client.get("/inbox").get_data(as_text=True)


def test_dossier_page_shows_the_history_in_order(client, actors):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    deliver_account_check(actors)
    html = client.get(f"/dossiers/{code}").get_data(as_text=True)
    history = html.split('id="history"')[1]
    order = [
        "Tiếp nhận hồ sơ, thủ tục 2.000488",
        "Trạng thái: Mới đăng ký",
        "Gửi yêu cầu: kiểm tra tài khoản",
        "Có kết quả: kiểm tra tài khoản",
        "Chuyển bước «Tiếp nhận hồ sơ»",
    ]
    positions = [history.index(text) for text in order]
    assert positions == sorted(positions)
    assert code in client.get("/dossiers?q=Nguyễn").get_data(as_text=True)


def test_counter_refuses_a_bad_cccd_with_a_field_message(client):
    login(client, "tiepnhan")
    response = post(
        client,
        "/counter/new",
        {
            "procedure_code": "2.000488",
            "owner_id_type": "cccd",
            "owner_id": "12345",
            "owner_name": "Nguyễn Văn An",
        },
    )
    assert response.status_code == 422
    assert "Số CCCD phải gồm đúng 12 chữ số" in response.get_data(as_text=True)


def test_counter_and_incidents_are_closed_to_the_wrong_roles(client):
    login(client, "chuyenvien")
    assert client.get("/counter/new").status_code == 403
    assert client.get("/supervisor/incidents").status_code == 403
    logout(client)
    login(client, "giamsat")
    assert client.get("/supervisor/incidents").status_code == 200


def test_language_switch_shows_english_labels(client):
    login(client, "tiepnhan")
    assert "Việc của tôi" in client.get("/inbox").get_data(as_text=True)
    client.get("/lang/en")
    html = client.get("/inbox").get_data(as_text=True)
    assert "My tasks" in html and "Việc của tôi" not in html


def test_api_completion_twice_gives_409_the_second_time(client, actors):
    login(client, "tiepnhan")
    receive_at_counter(client)
    deliver_account_check(actors)
    [task] = client.get("/api/inbox").get_json()["pool"]
    headers = api_headers(client)
    assert client.post(f"/api/tasks/{task['id']}/claim", headers=headers).status_code == 200
    bad = client.post(
        f"/api/tasks/{task['id']}/complete", json={"original_count": 1}, headers=headers
    )
    assert bad.status_code == 422 and "components_checked" in bad.get_json()["fields"]
    form = {"components_checked": True, "original_count": 1, "copy_count": 0}
    done = client.post(f"/api/tasks/{task['id']}/complete", json=form, headers=headers)
    assert done.status_code == 200
    second = client.post(f"/api/tasks/{task['id']}/complete", json=form, headers=headers)
    assert second.status_code == 409 and second.get_json()["error"]


def test_dossier_page_carries_the_path_taken_and_where_it_waits(client, actors):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    deliver_account_check(actors)
    html = client.get(f"/dossiers/{code}").get_data(as_text=True)
    trace = json.loads(html.split('id="trace">')[1].split("</script>")[0])
    assert trace["done"] == [
        "start",
        "gw_channel",
        # inside the called account check (account_check.bpmn)
        "ac_start",
        "find_account",
        "gw_found",
        "link_account",
        "fill_form",
        "ac_end",
        "check_account",
        "gw_account_merge",
    ]
    assert trace["waiting"] == ["reception"]
    assert trace["marks"]["reception"] == "waiting" and trace["marks"]["start"] == "done"

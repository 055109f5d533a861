"""The whole counter path over HTTP, with the real RQ worker and both simulators."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.models import Dossier, User
from app.storage.db import db
from tests.services.helpers import open_task
from tests.web.helpers import login, logout, post, receive_at_counter, task_id_in

pytestmark = pytest.mark.simulators


def work(client, username: str, title: str, form: dict) -> None:
    """Log in, claim the step from the pool, submit its form."""
    logout(client)
    login(client, username)
    task_id = task_id_in(client.get("/inbox").get_data(as_text=True), title)
    assert post(client, f"/tasks/{task_id}/claim", {}, "/inbox").status_code == 302
    response = post(client, f"/tasks/{task_id}", form)
    assert response.status_code == 302, response.get_data(as_text=True)


def status_of(code: str) -> int:
    with db.transaction() as session:
        return session.scalar(select(Dossier.status).where(Dossier.code == code))


RECEPTION = {"components_checked": "on", "original_count": "1", "copy_count": "1"}
NEW_ACCOUNT = {
    "account_action": "create",
    "gender": "Nữ",
    "birth_date": "1995-03-04",
    "permanent_address": "Phường Phố Hiến, tỉnh Hưng Yên",
    "phone": "0901234567",
}


def create_portal_account(client, drain) -> None:
    """The citizen has no portal account: the counter officer creates it, the system confirms
    the account again and links the local one (001 §II.2.a)."""
    work(client, "tiepnhan", "Tạo tài khoản cho công dân trên Cổng DVCQG", NEW_ACCOUNT)
    drain()


def test_counter_path_with_a_supplement_round_reaches_returned_and_syncs_every_status(
    client, drain, portal_received, warehouse_url
):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    drain()
    work(client, "tiepnhan", "Tiếp nhận hồ sơ", RECEPTION)
    work(
        client,
        "chuyenvien",
        "Thẩm định hồ sơ",
        {
            "decision": "supplement",
            "appraisal_note": "Thiếu bản sao CCCD",
            "supplement_request": "Bổ sung bản sao CCCD có chứng thực",
        },
    )
    assert status_of(code) == 5
    work(client, "tiepnhan", "Tiếp nhận hồ sơ bổ sung", {"supplement_received": "on"})
    work(
        client,
        "chuyenvien",
        "Thẩm định hồ sơ",
        {"decision": "accept", "appraisal_note": "Đủ điều kiện"},
    )
    work(
        client,
        "lanhdao",
        "Phê duyệt kết quả",
        {"approval_decision": "approve", "result_name": "Phiếu lý lịch tư pháp số 1"},
    )
    drain()
    assert status_of(code) == 9
    work(
        client,
        "tiepnhan",
        "Trả kết quả",
        {"return_method": "counter", "receiver_name": "Nguyễn Văn An"},
    )
    drain()
    assert status_of(code) == 10
    received = [m["body"] for m in portal_received() if m["body"]["dossier_code"] == code]
    assert [m["status"] for m in received] == [1, 2, 4, 5, 4, 9, 10]
    assert received[-1]["returned_at"] is not None
    import requests

    stored = requests.get(
        f"{warehouse_url}/api/documents",
        params={"owner_id": "001090012345", "type_code": "KQ.G15.000007"},
        timeout=5,
    ).json()["documents"]
    assert [d["name"] for d in stored] == ["Phiếu lý lịch tư pháp số 1"]
    history = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert "Trạng thái: Đã trả kết quả" in history and "Kết thúc quy trình" in history


def test_a_refusal_after_appraisal_ends_with_status_3_once_the_leader_approves_it(
    client, drain, portal_received
):
    login(client, "tiepnhan")
    code = receive_at_counter(client, "079095000123", "Trần Thị Bình")
    drain()
    create_portal_account(client, drain)
    work(client, "tiepnhan", "Tiếp nhận hồ sơ", RECEPTION)
    work(
        client,
        "chuyenvien",
        "Thẩm định hồ sơ",
        {"decision": "refuse", "appraisal_note": "Không thuộc thẩm quyền"},
    )
    drain()
    assert status_of(code) == 4  # only proposed: the leader decides
    assert client.get(f"/dossiers/{code}/slips/03.pdf").status_code == 409
    work(client, "lanhdao", "Phê duyệt từ chối giải quyết", {"refusal_decision": "approve"})
    drain()
    assert status_of(code) == 3
    assert [m["body"]["status"] for m in portal_received()] == [1, 2, 4, 3]
    slip = client.get(f"/dossiers/{code}/slips/03.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(slip.data)).pages)
    assert "Không thuộc thẩm quyền" in " ".join(text.split())
    assert "Lê Quang Huy" in text and "Trần Văn Minh" not in text  # the leader signs
    logout(client)
    login(client, "tiepnhan")
    assert code not in client.get("/inbox").get_data(as_text=True)


def test_a_refusal_the_leader_returns_comes_back_to_the_same_officer(client, drain):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    drain()
    work(client, "tiepnhan", "Tiếp nhận hồ sơ", RECEPTION)
    work(
        client,
        "chuyenvien",
        "Thẩm định hồ sơ",
        {"decision": "refuse", "appraisal_note": "Không đủ điều kiện"},
    )
    work(
        client,
        "lanhdao",
        "Phê duyệt từ chối giải quyết",
        {"refusal_decision": "return", "refusal_note": "Đủ điều kiện theo Điều 7"},
    )
    assert status_of(code) == 4
    logout(client)
    login(client, "chuyenvien")
    inbox = client.get("/inbox").get_data(as_text=True)
    task_id_in(inbox, "Thẩm định hồ sơ")  # waiting in the officer's own list, not the pool
    with db.transaction() as session:
        officer_id = session.scalar(select(User.id).where(User.username == "chuyenvien"))
    assert open_task(code, "appraisal").assignee_id == officer_id


def test_citizen_without_a_portal_account_gets_one_created(client, drain, portal_url):
    import requests

    from app.models import CitizenAccount

    login(client, "tiepnhan")
    code = receive_at_counter(client, "079095000123", "Trần Thị Bình")
    drain()
    # no account on the portal: the officer is asked to create it; nothing is linked yet
    assert open_task(code, "reception") is None
    task = open_task(code, "create_portal_account")
    assert task is not None
    # a form without the profile is refused with the missing fields named
    task_page = f"/tasks/{task.id}"
    assert post(client, f"{task_page}/claim", {}, "/inbox").status_code == 302
    refused = post(client, task_page, {"account_action": "create"})
    assert refused.status_code == 422
    assert "«Ngày sinh» là bắt buộc" in refused.get_data(as_text=True)
    assert post(client, task_page, NEW_ACCOUNT).status_code == 302
    drain()
    found = requests.get(
        f"{portal_url}/api/accounts",
        params={"cccd": "079095000123", "full_name": "Trần Thị Bình"},
        timeout=5,
    )
    assert found.status_code == 200
    account = found.json()["account"]
    assert (account["gender"], account["birth_date"]) == ("Nữ", "1995-03-04")
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        citizen = session.get(CitizenAccount, dossier.citizen_account_id)
        assert citizen.portal_account_id == account["id"] == dossier.portal_account_id
        assert (citizen.full_name, citizen.address) == (
            "Trần Thị Bình",
            "Phường Phố Hiến, tỉnh Hưng Yên",
        )
    # the reception form is filled from the account
    reception = open_task(code, "reception")
    assert post(client, f"/tasks/{reception.id}/claim", {}, "/inbox").status_code == 302
    page = client.get(f"/tasks/{reception.id}").get_data(as_text=True)
    assert 'value="1995-03-04"' in page and 'value="Phường Phố Hiến, tỉnh Hưng Yên"' in page
    history = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert "tạo tài khoản trên Cổng DVCQG" in history
    assert "Tạo tài khoản công dân trong hệ thống từ Cổng DVCQG và liên kết" in history

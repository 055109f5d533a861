"""A citizen withdraws through the portal: a BPMN message, accepted only before reception."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.models import Dossier, HumanTask
from app.services.documents import slips
from app.storage.db import db
from config import TestConfig
from tests.services.helpers import complete, receive

pytestmark = pytest.mark.simulators
TOKEN = {"X-Portal-Token": TestConfig.PORTAL_CALLBACK_TOKEN}
RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}


def withdraw(client, code: str, reason: str = "Tôi không còn nhu cầu", headers=TOKEN):
    return client.post(
        f"/api/portal/dossiers/{code}/withdraw", json={"reason": reason}, headers=headers
    )


def dossier(code: str) -> Dossier:
    with db.transaction() as session:
        row = session.scalar(select(Dossier).where(Dossier.code == code))
        session.expunge(row)
        return row


def test_withdrawn_before_acceptance_ends_with_status_7_synced_in_order(
    client, actors, drain, portal_received
):
    code = receive(actors["tiepnhan"])
    drain()  # the account check answered: the dossier waits at the counter
    response = withdraw(client, code)
    assert response.status_code == 200 and response.json == {"dossier_code": code, "status": 7}
    drain()
    assert dossier(code).finished_at is not None
    with db.transaction() as session:
        states = session.scalars(select(HumanTask.state).where(HumanTask.element_id == "reception"))
        assert list(states) == ["cancelled"]
    synced = [m["body"]["status"] for m in portal_received() if m["body"]["dossier_code"] == code]
    assert synced == [1, 7]
    pdf, _ = slips.slip_pdf(code, "05", actors["tiepnhan"])
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text and "Tôi không còn nhu cầu" in text


def test_withdrawal_during_the_account_check_discards_the_late_answer(client, actors, drain):
    code = receive(actors["tiepnhan"])
    assert withdraw(client, code).status_code == 200  # the portal call is still queued
    drain()
    assert dossier(code).status == 7


def test_after_acceptance_withdrawal_is_refused_with_a_clear_message(client, actors, drain):
    code = receive(actors["tiepnhan"])
    drain()
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    response = withdraw(client, code)
    assert response.status_code == 409
    assert "đã được tiếp nhận" in response.json["error"]
    assert dossier(code).status == 4 and dossier(code).finished_at is None


def test_bad_calls_are_refused(client, actors):
    code = receive(actors["tiepnhan"])
    assert withdraw(client, code, headers={"X-Portal-Token": "sai"}).status_code == 403
    assert withdraw(client, code, reason="x").status_code == 422
    assert withdraw(client, "000.00.12.H31-000000-0000").status_code == 404


def test_an_online_supplement_sends_the_dossier_back_to_processing(
    client, actors, drain, portal_received
):
    from tests.services.helpers import open_task

    code = receive(actors["tiepnhan"])
    drain()
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    before = client.post(
        f"/api/portal/dossiers/{code}/supplement", json={"note": "x"}, headers=TOKEN
    )
    assert before.status_code == 409 and "không ở trạng thái chờ bổ sung" in before.json["error"]
    complete(
        code,
        "appraisal",
        actors["chuyenvien"],
        {"decision": "supplement", "appraisal_note": "Thiếu", "supplement_request": "Bản sao"},
    )
    assert dossier(code).status == 5 and dossier(code).clock_paused_at is not None
    sent = client.post(
        f"/api/portal/dossiers/{code}/supplement",
        json={"note": "Đã bổ sung bản sao", "documents": ["DOC-000007"]},
        headers=TOKEN,
    )
    assert sent.status_code == 200 and sent.json["status"] == 4
    assert dossier(code).clock_paused_at is None
    assert open_task(code, "appraisal") is not None
    assert open_task(code, "receive_supplement") is None
    drain()
    synced = [m["body"]["status"] for m in portal_received() if m["body"]["dossier_code"] == code]
    assert synced == [1, 2, 4, 5, 4]


ONLINE = {
    "procedure_code": "2.000488",
    "agency_code": "000.00.12.H31",
    "owner_id_type": "cccd",
    "owner_id": "079095000123",
    "owner_name": "Nguyễn Thị Hồng Nhung",
    "email": "nhung@example.vn",
    "form": {"purpose": "Xin việc"},
    "components": ["DOC-000001"],
    "account_id": "VN-0002",
}


def test_online_path_submit_accept_pay_process_return(
    client, actors, drain, portal_received, portal_url
):
    from tests.services.helpers import open_task

    bad = client.post("/api/portal/dossiers", json={**ONLINE, "owner_id": "123"}, headers=TOKEN)
    assert bad.status_code == 422 and "12 chữ số" in bad.json["fields"]["owner_id"]
    response = client.post("/api/portal/dossiers", json=ONLINE, headers=TOKEN)
    assert response.status_code == 201
    code = response.json["dossier_code"]
    drain()
    assert dossier(code).channel == "online" and dossier(code).status == 1
    assert open_task(code, "reception") is not None  # no account check: the portal vouched
    pay = client.post(
        f"/api/portal/dossiers/{code}/payment",
        json={"amount": 200_000, "transaction_id": "PAY-1"},
        headers=TOKEN,
    )
    assert pay.status_code == 409  # not accepted yet, nothing to pay
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    assert dossier(code).status == 6
    wrong = client.post(
        f"/api/portal/dossiers/{code}/payment",
        json={"amount": 5_000, "transaction_id": "PAY-1"},
        headers=TOKEN,
    )
    assert wrong.status_code == 422 and "200.000" in wrong.json["error"]
    paid = client.post(
        f"/api/portal/dossiers/{code}/payment",
        json={"amount": 200_000, "transaction_id": "PAY-1"},
        headers=TOKEN,
    )
    assert paid.status_code == 200 and paid.json["status"] == 4
    complete(
        code, "appraisal", actors["chuyenvien"], {"decision": "accept", "appraisal_note": "Đủ"}
    )
    complete(
        code,
        "approval",
        actors["lanhdao"],
        {"approval_decision": "approve", "result_name": "Phiếu lý lịch tư pháp số 1"},
    )
    drain()
    complete(
        code,
        "return_result",
        actors["tiepnhan"],
        {"return_method": "counter", "receiver_name": "Nguyễn Thị Hồng Nhung"},
    )
    drain()
    synced = [m["body"]["status"] for m in portal_received() if m["body"]["dossier_code"] == code]
    assert synced == [1, 2, 6, 4, 9, 10]
    assert dossier(code).finished_at is not None
    # the e-result is now in the citizen's Kho DL on the portal ("Dịch vụ công của tôi")
    import requests

    results = requests.get(f"{portal_url}/api/citizens/079095000123/results", timeout=5).json()[
        "results"
    ]
    [result] = [r for r in results if r["dossier_code"] == code]
    assert result["storage_key"] == "079095000123.KQ.G15.000007"
    assert result["warehouse_id"] and len(result["sha256"]) == 64


def test_every_step_reaches_the_portal_once_and_in_order_even_through_an_outage(
    client, actors, drain, portal_url
):
    import requests

    code = receive(actors["tiepnhan"])
    drain()
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    requests.post(f"{portal_url}/_sim/faults", json={"fail_next": 2}, timeout=5)
    drain()
    complete(
        code,
        "appraisal",
        actors["chuyenvien"],
        {"decision": "supplement", "appraisal_note": "Thiếu", "supplement_request": "Bản sao"},
    )
    complete(code, "receive_supplement", actors["tiepnhan"], {"supplement_received": True})
    complete(
        code, "appraisal", actors["chuyenvien"], {"decision": "accept", "appraisal_note": "Đủ"}
    )
    complete(
        code,
        "approval",
        actors["lanhdao"],
        {"approval_decision": "approve", "result_name": "Phiếu lý lịch tư pháp số 1"},
    )
    drain()
    complete(
        code,
        "return_result",
        actors["tiepnhan"],
        {"return_method": "counter", "receiver_name": "Nguyễn Văn An"},
    )
    for _ in range(5):
        drain()
    entries = [
        m["body"]
        for m in requests.get(f"{portal_url}/_sim/progress", timeout=5).json()
        if m["body"]["dossier_code"] == code
    ]
    assert [e["title"] for e in entries] == [
        "Tiếp nhận hồ sơ",
        "Thẩm định hồ sơ",
        "Tiếp nhận hồ sơ bổ sung",
        "Thẩm định hồ sơ",
        "Phê duyệt kết quả",
        "Trả kết quả",
    ]
    assert entries[0]["officer"] == actors["tiepnhan"].name
    assert entries[1]["department"] == "Sở Tư pháp tỉnh Hưng Yên"
    assert all(e["started_at"] and e["finished_at"] for e in entries)


def test_citizen_actions_arrive_through_the_portal_simulator_over_http(app, actors, drain):
    """The simulated portal forwards a citizen's submission and withdrawal to this system,
    served for real over HTTP, and passes the answers back."""
    import requests

    from app.integrations.simulators import serve_in_thread
    from app.integrations.simulators.portal import create_portal_simulator

    system_url, stop_system = serve_in_thread(app)
    portal, stop_portal = serve_in_thread(create_portal_simulator(system_url=system_url))
    try:
        submitted = requests.post(f"{portal}/api/citizen/dossiers", json=ONLINE, timeout=10)
        assert submitted.status_code == 201
        code = submitted.json()["dossier_code"]
        drain()
        withdrawn = requests.post(
            f"{portal}/api/citizen/dossiers/{code}/withdraw",
            json={"reason": "Nộp nhầm thủ tục"},
            timeout=10,
        )
        assert withdrawn.status_code == 200 and withdrawn.json()["status"] == 7
        again = requests.post(
            f"{portal}/api/citizen/dossiers/{code}/withdraw",
            json={"reason": "Nộp nhầm thủ tục"},
            timeout=10,
        )
        assert again.status_code == 409 and "không thể rút" in again.json()["error"]
    finally:
        stop_portal()
        stop_system()

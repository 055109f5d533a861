"""The remaining paths end to end over HTTP, with the real worker and both simulators:
C2 (another office receives, processes and returns on the shared system), D (classification and
digitization called from reception, out-of-scope paper sent for authentication) and E's
parallel consultation of another agency."""

from __future__ import annotations

import pytest
import requests

from tests.e2e.test_counter_path import RECEPTION, status_of, work
from tests.services.helpers import open_task
from tests.web.helpers import login, receive_at_counter

pytestmark = pytest.mark.simulators


def test_c2_the_service_centre_renews_a_driving_licence_itself(client, drain, portal_received):
    login(client, "hcc")
    code = receive_at_counter(client, procedure_code="1.002809")
    assert code.startswith("000.00.01.H31-")  # under the centre's own code
    drain()
    work(client, "hcc", "Tiếp nhận hồ sơ", RECEPTION)
    work(client, "hcc", "Thẩm định hồ sơ", {"decision": "accept", "appraisal_note": "Đủ"})
    work(
        client,
        "hcc",
        "Phê duyệt kết quả",
        {"approval_decision": "approve", "result_name": "Giấy phép lái xe"},
    )
    drain()
    work(client, "hcc", "Trả kết quả", {"return_method": "counter", "receiver_name": "An"})
    drain()
    assert status_of(code) == 10
    assert [m["body"]["status"] for m in portal_received()] == [1, 2, 4, 9, 10]
    # the Sở Xây dựng's counter never had a step of it
    login(client, "tiepnhanxd")
    assert code not in client.get("/inbox").get_data(as_text=True)


def test_d_then_e_digitize_authenticate_consult_and_finish(
    client, drain, portal_received, warehouse_url
):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    drain()
    work(client, "tiepnhan", "Tiếp nhận hồ sơ", {**RECEPTION, "needs_digitization": "on"})
    work(
        client,
        "tiepnhan",
        "Phân loại và số hoá thành phần",
        {
            "classified": "on",
            "out_of_scope_count": "1",
            "on_demand_pages": "0",
            "authentication_route": "managing_agency",
        },
    )
    work(
        client,
        "chuyenvien",
        "Gửi cơ quan quản lý xác thực giấy tờ ngoài phạm vi",
        {"authentication_result": "Không có tệp ngoài phạm vi"},
    )
    work(
        client,
        "chuyenvien",
        "Thẩm định hồ sơ",
        {
            "decision": "consult",
            "appraisal_note": "Cần ý kiến Công an tỉnh",
            "consult_agency_codes": "000.00.07.H31",
        },
    )
    assert open_task(code, "appraisal") is None
    work(client, "congan", "Cho ý kiến phối hợp", {"consult_opinion": "Không có tiền án"})
    work(client, "chuyenvien", "Thẩm định hồ sơ", {"decision": "accept", "appraisal_note": "Đủ"})
    work(
        client,
        "lanhdao",
        "Phê duyệt kết quả",
        {"approval_decision": "approve", "result_name": "Phiếu lý lịch tư pháp số 1"},
    )
    drain()
    work(client, "tiepnhan", "Trả kết quả", {"return_method": "post", "receiver_name": "An"})
    drain()
    assert status_of(code) == 10
    assert [m["body"]["status"] for m in portal_received()] == [1, 2, 4, 9, 10]
    page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert "Không có tiền án" in page  # the opinion is in the dossier's history
    stored = requests.get(
        f"{warehouse_url}/api/documents",
        params={"owner_id": "001090012345", "type_code": "KQ.G15.000007"},
        timeout=5,
    ).json()["documents"]
    assert [d["name"] for d in stored] == ["Phiếu lý lịch tư pháp số 1"]

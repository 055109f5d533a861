"""Path C1 over HTTP with the worker and both simulators: a commune counter receives a
criminal record request for the Sở Tư pháp, the paper travels by BCCI both ways, the Sở
processes it and the commune returns the result."""

from __future__ import annotations

import pytest
import requests

from tests.e2e.test_counter_path import RECEPTION, status_of, work
from tests.web.helpers import login, receive_at_counter

pytestmark = pytest.mark.simulators


def test_commune_receives_so_processes_paper_by_bcci_commune_returns(
    client, drain, portal_received, warehouse_url
):
    login(client, "xatanhung")
    code = receive_at_counter(client)
    assert code.startswith("000.00.12.H31-")  # the Sở's dossier
    drain()
    work(client, "xatanhung", "Tiếp nhận hồ sơ", RECEPTION)
    work(
        client,
        "xatanhung",
        "Gửi bản giấy qua BCCI",
        {"tracking_code": "EB123456789VN", "item_count": "2"},
    )
    work(client, "tiepnhan", "Nhận bản giấy từ BCCI", {"received_tracking_code": "EB123456789VN"})
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
    work(
        client,
        "tiepnhan",
        "Gửi bản giấy qua BCCI",
        {"tracking_code": "EB987654321VN", "item_count": "1"},
    )
    work(client, "xatanhung", "Nhận bản giấy từ BCCI", {"received_tracking_code": "EB987654321VN"})
    work(
        client,
        "xatanhung",
        "Trả kết quả",
        {"return_method": "post", "receiver_name": "Nguyễn Văn An"},
    )
    drain()
    assert status_of(code) == 10
    assert [m["body"]["status"] for m in portal_received()] == [1, 2, 4, 9, 10]
    stored = requests.get(
        f"{warehouse_url}/api/documents",
        params={"owner_id": "001090012345", "type_code": "KQ.G15.000007"},
        timeout=5,
    ).json()["documents"]
    assert len(stored) == 1
    page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert "UBND xã Tân Hưng" in page and "EB123456789VN" in page and "EB987654321VN" in page
    assert page.count("đang vận chuyển") == 0

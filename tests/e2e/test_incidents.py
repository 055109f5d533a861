"""A portal outage over HTTP: incidents appear on the supervisor's page; Retry finishes the job."""

from __future__ import annotations

import re

import pytest
import requests

from tests.services.helpers import settle
from tests.web.helpers import login, logout, post, receive_at_counter

pytestmark = [pytest.mark.simulators, pytest.mark.fault]


def test_supervisor_sees_incidents_and_retry_delivers_after_recovery(
    client, drain, portal_url, portal_received, clock
):
    requests.post(f"{portal_url}/_sim/faults", json={"fail_next": 1000, "status": 503}, timeout=5)
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    logout(client)
    login(client, "giamsat")

    def incidents_page() -> str | None:
        page = client.get("/supervisor/incidents").get_data(as_text=True)
        return page if page.count("/retry") == 2 else None

    page = settle(drain, clock, incidents_page)
    assert code in page and "portal.sync_status" in page and "HTTP 503" in page
    requests.post(f"{portal_url}/_sim/faults", json={"fail_next": 0}, timeout=5)
    for incident_id in re.findall(r"/supervisor/incidents/(\d+)/retry", page):
        response = post(
            client, f"/supervisor/incidents/{incident_id}/retry", {}, "/supervisor/incidents"
        )
        assert response.status_code == 302
    drain()
    assert "Không có sự cố." in client.get("/supervisor/incidents").get_data(as_text=True)
    assert [m["body"]["status"] for m in portal_received()] == [1]
    history = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert "Thử lại: đồng bộ trạng thái lên Cổng DVCQG" in history

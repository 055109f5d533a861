"""Reused components over HTTP (001 §II.1 Bước 3): the file fetched from Kho DL or a national
database opens like any other; one whose source is down says so, with the reason, on the task
screen and the dossier page, and offers "Thử lại" to those who attach documents."""

from __future__ import annotations

import re

import pytest
import requests

from tests.services.helpers import deliver, open_task
from tests.web.helpers import login, post, receive_at_counter

pytestmark = pytest.mark.simulators
CCCD = "KQ.G01.000023"


def attach_card(client, code: str) -> None:
    url = f"/dossiers/{code}/reuse?type_code={CCCD}"
    page = client.get(url).get_data(as_text=True)
    ref = re.search(r'name="ref" value="([^"]*)"', page).group(1)
    form = {
        "type_code": CCCD,
        "source": "national",
        "ref": ref,
        "attach": "1",
        "citizen_confirmed": "on",
    }
    response = post(client, f"/dossiers/{code}/reuse", form, url)
    assert response.status_code == 302, response.get_data(as_text=True)


def file_fault(url: str, mode: str, **knobs) -> None:
    body = {"mode": mode, **knobs}
    requests.post(f"{url}/_sim/file-faults", json=body, timeout=5).raise_for_status()


def retry_form(page: str) -> str:
    return re.search(r'action="(/dossiers/[^"]+/components/\d+/fetch)"', page).group(1)


def test_a_reused_card_opens_inline_on_the_task_screen(client):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    deliver("portal.check_account", {"exists": True})
    attach_card(client, code)
    dossier = client.get(f"/dossiers/{code}").get_data(as_text=True)
    document_id = re.search(r'class="reused-file" href="/documents/(\d+)/file"', dossier).group(1)
    assert "Đã lưu, lấy từ nguồn" in dossier  # among the dossier's documents, not "signed"
    assert "Lấy tệp giấy tờ dùng lại từ nguồn (national NAT-00001)" in dossier  # its history
    page = client.get(f"/tasks/{open_task(code, 'reception').id}").get_data(as_text=True)
    assert f'data-document="{document_id}"' in page and 'data-state="reused"' in page
    assert f'data-src="/documents/{document_id}/file"' in page and 'id="viewer"' in page
    assert "data-fetch" not in page
    response = client.get(f"/documents/{document_id}/file")
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")


def test_a_card_whose_source_is_down_shows_why_and_a_retry(client, drain, national_url):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    deliver("portal.check_account", {"exists": True})
    file_fault(national_url, "down", times=1)
    attach_card(client, code)
    told = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert "Nguồn chưa trả tệp (nguồn tạm thời không phục vụ); hệ thống đang lấy lại tệp" in told
    task_url = f"/tasks/{open_task(code, 'reception').id}"
    for url in (f"/dossiers/{code}", task_url):
        page = client.get(url).get_data(as_text=True)
        assert 'data-fetch="pending"' in page, url
        assert "Đang lấy tệp từ CSDL quốc gia…" in page
        assert "Lần thử 1 không được: nguồn tạm thời không phục vụ" in page
        assert "HTTP 503" in page  # the technical message, behind the words
        assert "Thử lại" in page
    page = client.get(task_url).get_data(as_text=True)
    response = post(client, retry_form(page), {"next": f"{task_url}#components"}, task_url)
    assert response.status_code == 302 and response.headers["Location"].endswith(
        task_url + "#components"
    )
    drain()
    page = client.get(task_url).get_data(as_text=True)
    assert "data-fetch" not in page and 'data-state="reused"' in page and "/file" in page
    assert "Đã yêu cầu lấy lại tệp từ nguồn" in page  # the flash of the retry


def test_the_retry_refuses_a_leader_another_agency_and_an_outside_next(client, app, national_url):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    file_fault(national_url, "down", times=1)
    attach_card(client, code)
    page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    action = retry_form(page)
    outside = post(client, action, {"next": "https://evil.example/x"}, f"/dossiers/{code}")
    assert outside.headers["Location"].endswith(f"/dossiers/{code}#components")

    leader = app.test_client()
    login(leader, "lanhdao")
    assert "fetch-retry" not in leader.get(f"/dossiers/{code}").get_data(as_text=True)
    refused = post(leader, action, {}, f"/dossiers/{code}")
    assert refused.status_code == 403
    other = app.test_client()
    login(other, "tiepnhantc")
    assert post(other, action, {}, "/inbox").status_code == 404
    no_csrf = client.post(action, data={})
    assert no_csrf.status_code == 400

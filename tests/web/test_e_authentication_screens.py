"""The e-authentication steps' screen over HTTP (001 §II.2.c Bước 1, §III.1 case 2): each
out-of-scope document with where it stands, the send / resend / supplement / counter actions,
the notice while the service is down, and the step refused while a document is pending."""

from __future__ import annotations

import re

import pytest
import requests

from tests.services.helpers import settle
from tests.services.test_e_authentication import at_step, knobs
from tests.web.helpers import login, logout, post
from tests.web.test_one_language import data_values, untranslated

pytestmark = pytest.mark.simulators


def state_of(page: str, document_id: int) -> str:
    match = re.search(rf'data-document="{document_id}" data-state="([a-z_]+)"', page)
    assert match, "the document is not listed"
    return match.group(1)


def test_the_officer_sends_sees_the_answer_and_then_completes_the_step(client, actors, drain):
    _code, task_id, document_id = at_step(actors)
    login(client, "chuyenvien")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Xác thực điện tử giấy tờ ngoài phạm vi" in page
    assert state_of(page, document_id) == "none" and "Gửi 1 giấy tờ đi xác thực" in page
    refused = post(client, f"/tasks/{task_id}", {}, page=f"/tasks/{task_id}")
    assert refused.status_code == 422
    assert "Chưa gửi cơ quan quản lý xác thực: Giấy khai sinh" in refused.get_data(as_text=True)

    sent = post(client, f"/tasks/{task_id}/e-authentication/send", {}, page=f"/tasks/{task_id}")
    assert sent.status_code == 302 and sent.headers["Location"].endswith("#e-authentication")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Đã gửi 1 giấy tờ đi xác thực" in page and state_of(page, document_id) == "queued"
    assert "Gửi 1 giấy tờ đi xác thực" not in page  # nothing left to send

    drain()
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert state_of(page, document_id) == "authenticated"
    assert "Bộ Tư pháp" in page and "001090012345.KQ.G15.000031.2" in page
    done = post(client, f"/tasks/{task_id}", {}, page=f"/tasks/{task_id}")
    assert done.status_code == 302


def test_a_refusal_shows_the_reason_and_the_officers_choices(
    client, actors, drain, e_authentication_url
):
    _code, task_id, document_id = at_step(actors)
    knobs(e_authentication_url, refuse="Số đăng ký không có trong sổ")
    login(client, "chuyenvien")
    post(client, f"/tasks/{task_id}/e-authentication/send", {}, page=f"/tasks/{task_id}")
    drain()
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert state_of(page, document_id) == "refused"
    assert "Lý do: Số đăng ký không có trong sổ" in page
    action = re.search(r'action="(/tasks/[^"]+/e-authentication/(\d+)/supplement)"', page)
    assert action and "/resend" in page
    empty = post(client, action.group(1), {"note": " "}, page=f"/tasks/{task_id}")
    assert empty.status_code == 422 and "Ghi rõ giấy tờ cần bổ sung" in empty.get_data(as_text=True)
    marked = post(client, action.group(1), {"note": "Bản sao có chứng thực"}, f"/tasks/{task_id}")
    assert marked.status_code == 302
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert state_of(page, document_id) == "supplement" and "Bản sao có chứng thực" in page


def test_the_service_down_shows_a_notice_while_it_retries_then_offers_to_resend(
    client, actors, drain, clock, e_authentication_url
):
    _code, task_id, document_id = at_step(actors)
    requests.post(
        f"{e_authentication_url}/_sim/faults", json={"fail_next": 100}, timeout=5
    ).raise_for_status()
    login(client, "chuyenvien")
    clock.freeze()
    post(client, f"/tasks/{task_id}/e-authentication/send", {}, page=f"/tasks/{task_id}")
    drain()
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert state_of(page, document_id) == "queued"
    assert 'data-notice="retrying"' in page and "/resend" not in page
    assert "dịch vụ xác thực tạm thời không phục vụ" in page

    def given_up() -> bool:
        return 'data-notice="given-up"' in client.get(f"/tasks/{task_id}").get_data(as_text=True)

    settle(drain, clock, given_up)
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Đã ngừng thử lại sau 5 lần" in page and "/resend" in page


def test_at_the_counter_the_officer_confirms_the_comparison_and_makes_the_copy(client, actors):
    _code, task_id, document_id = at_step(actors, route="counter")
    login(client, "tiepnhan")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Xác thực điện tử giấy tờ tại quầy" in page and 'name="compared"' in page
    url = f"/tasks/{task_id}/e-authentication/counter/{document_id}"
    unconfirmed = post(client, url, {}, page=f"/tasks/{task_id}")
    assert unconfirmed.status_code == 422
    assert "đối chiếu bản chụp với bản chính" in unconfirmed.get_data(as_text=True)
    made = post(client, url, {"compared": "on"}, page=f"/tasks/{task_id}")
    assert made.status_code == 302
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert state_of(page, document_id) == "authenticated" and "Đã xác thực tại quầy" in page
    again = post(client, url, {"compared": "on"}, page=f"/tasks/{task_id}")
    assert again.status_code == 409


def test_only_the_officer_holding_the_step_acts_and_other_agencies_see_nothing(client, actors):
    _code, task_id, document_id = at_step(actors)
    login(client, "chuyenvientc")  # another agency's officer
    response = post(client, f"/tasks/{task_id}/e-authentication/send", {}, page="/inbox")
    assert response.status_code == 404
    assert client.get(f"/tasks/{task_id}").status_code == 404
    logout(client)
    login(client, "tiepnhan")  # the counter officer: not the step's role
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Gửi 1 giấy tờ đi xác thực" not in page
    refused = post(client, f"/tasks/{task_id}/e-authentication/send", {}, page=f"/tasks/{task_id}")
    assert refused.status_code == 403
    counter = f"/tasks/{task_id}/e-authentication/counter/{document_id}"
    wrong_route = post(client, counter, {"compared": "on"}, page=f"/tasks/{task_id}")
    assert wrong_route.status_code == 404


def test_the_panel_reads_in_english_in_every_state(client, actors, drain, e_authentication_url):
    _code, task_id, _document_id = at_step(actors)
    _c, counter_task, _d = at_step(actors, route="counter")
    login(client, "chuyenvien")
    pages = [client.get(f"/tasks/{task_id}", query_string={"lang": "en"})]
    knobs(e_authentication_url, refuse="Sai số")
    post(client, f"/tasks/{task_id}/e-authentication/send", {}, page=f"/tasks/{task_id}")
    pages.append(client.get(f"/tasks/{task_id}", query_string={"lang": "en"}))
    drain()
    pages.append(client.get(f"/tasks/{task_id}", query_string={"lang": "en"}))
    logout(client)
    login(client, "tiepnhan")
    pages.append(client.get(f"/tasks/{counter_task}", query_string={"lang": "en"}))
    data = data_values()
    for response in pages:
        html = response.get_data(as_text=True)
        assert 'id="e-authentication"' in html
        assert untranslated(html, data) == []
    assert "Refused" in pages[2].get_data(as_text=True)
    assert "Compared with the original" in pages[3].get_data(as_text=True)

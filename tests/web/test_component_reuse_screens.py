"""The reuse-by-component panel over HTTP (002 §5.b Bước 2): on the dossier's reuse step and on
the counter's reception form; every refused choice is a 422 that names the component and
attaches nothing; "Dùng các giấy tờ đã chọn" twice attaches once."""

from __future__ import annotations

import base64

import pytest
import requests
from sqlalchemy import func, select

from app.models import Dossier
from app.storage.db import db
from tests.documents.scans import numbered_pdf
from tests.support.warehouse_records import six_fields
from tests.web.helpers import login, post, receive_at_counter

pytestmark = pytest.mark.simulators
AN = "001090012345"
FORM, CCCD = "TK.LLTP.01", "KQ.G01.000023"


def form_in_kho_dl(warehouse_url: str, **more) -> str:
    answer = requests.post(
        f"{warehouse_url}/api/documents",
        json={
            "metadata": six_fields(AN, FORM, "Tờ khai lý lịch tư pháp", **more),
            "content_b64": base64.b64encode(numbered_pdf(1)).decode(),
        },
        headers={"Idempotency-Key": f"form-{more}"},
        timeout=5,
    )
    answer.raise_for_status()
    return answer.json()["id"]


def use(code_type: str, choice: str, confirmed: bool = True) -> dict[str, str]:
    return {f"use-{code_type}": choice, **({f"confirm-{code_type}": "on"} if confirmed else {})}


def components_on(client, code: str) -> str:
    return client.get(f"/dossiers/{code}").get_data(as_text=True)


@pytest.fixture
def dossier(client) -> str:
    login(client, "tiepnhan")
    return receive_at_counter(client)


def attach(client, code: str, data: dict):  # noqa: ANN201
    return post(client, f"/dossiers/{code}/reuse/components", data, f"/dossiers/{code}/reuse")


def test_the_reuse_step_shows_each_component_and_its_sources_in_order(
    client, dossier, warehouse_url
):
    form_in_kho_dl(warehouse_url)
    page = client.get(f"/dossiers/{dossier}/reuse").get_data(as_text=True)
    assert 'id="reuse-panel"' in page
    card = page[page.index(f'id="component-{CCCD}"') :]
    order = [card.index(f'data-source="{s}"') for s in ("own", "portal", "national")]
    assert order == sorted(order)
    assert "Cục Cảnh sát quản lý hành chính về trật tự xã hội" in card  # the issuer
    assert 'id="component-TK.UQ.01"' in page and "Nhận bản giấy hoặc số hoá" in page


def test_confirmed_components_are_attached_in_one_request_and_a_repeat_adds_nothing(
    client, dossier, warehouse_url
):
    ref = form_in_kho_dl(warehouse_url)
    data = {**use(FORM, f"portal:{ref}"), **use(CCCD, "national:NAT-00001")}
    done = attach(client, dossier, data)
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Đã dùng lại 2 giấy tờ" in page
    assert page.count("Đã đính kèm:") == 2
    again = attach(client, dossier, data)  # a double submit
    assert again.status_code == 302
    assert "đã được đính kèm trước đó" in client.get(again.headers["Location"]).get_data(
        as_text=True
    )
    assert components_on(client, dossier).count('data-source="national"') == 1


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (use(CCCD, "national:NAT-00001", confirmed=False), "chưa xác nhận"),
        (use("KQ.G15.000031", "portal:DOC-000001"), "không phải thành phần"),
        (use(CCCD, "national:NAT-00003"), "không có ở nguồn"),  # Nhung's birth certificate
        (use(CCCD, "portal:DOC-999999"), "không có ở nguồn"),
        (use(CCCD, "elsewhere:1"), "Nguồn giấy tờ không hợp lệ"),
        (use(CCCD, "own:1 OR 1=1"), "không có ở nguồn"),
        ({}, "Chưa chọn giấy tờ nào"),
    ],
)
def test_a_refused_choice_is_a_422_naming_it_and_nothing_is_attached(client, dossier, data, says):
    answer = attach(client, dossier, {**use(FORM, ""), **data})
    assert answer.status_code == 422
    assert says in answer.get_data(as_text=True)
    assert "Đã đính kèm:" not in client.get(f"/dossiers/{dossier}/reuse").get_data(as_text=True)


def test_an_expired_document_is_shown_marked_and_cannot_be_posted(client, dossier, warehouse_url):
    ref = form_in_kho_dl(
        warehouse_url, validity="until", valid_from="2010-01-01", valid_until="2020-01-01"
    )
    page = client.get(f"/dossiers/{dossier}/reuse").get_data(as_text=True)
    item = page[page.index(f'data-choice="portal:{ref}"') :][:900]
    assert "expired" in item and "disabled" in item
    answer = attach(client, dossier, use(FORM, f"portal:{ref}"))
    assert answer.status_code == 422 and "hết hiệu lực" in answer.get_data(as_text=True)


def test_a_source_that_is_down_is_noticed_on_that_source_only(client, dossier, warehouse_url):
    requests.post(f"{warehouse_url}/_sim/faults", json={"fail_next": 3}, timeout=5)
    page = client.get(f"/dossiers/{dossier}/reuse").get_data(as_text=True)
    assert page.count("source-down") == 3  # the portal row of each component
    assert 'data-choice="national:NAT-00001"' in page


def test_a_flood_of_components_is_refused(client, dossier):
    data = {f"use-X{i}": "" for i in range(60)}
    assert attach(client, dossier, data).status_code == 422


def test_a_leader_cannot_attach(client, dossier):
    login(client, "lanhdao")
    answer = attach(client, dossier, use(CCCD, "national:NAT-00001"))
    assert answer.status_code == 403


def dossiers() -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Dossier))


def counter_form(**more) -> dict[str, str]:
    return {
        "procedure_code": "2.000488",
        "owner_id_type": "cccd",
        "owner_id": AN,
        "owner_name": "Nguyễn Văn An",
        **more,
    }


def test_the_counter_shows_the_panel_once_the_owner_is_known_and_attaches_on_reception(
    client, warehouse_url
):
    login(client, "tiepnhan")
    ref = form_in_kho_dl(warehouse_url)
    shown = post(client, "/counter/new", counter_form(reuse_lookup="1"), "/counter/new")
    assert shown.status_code == 200
    page = shown.get_data(as_text=True)
    assert f'data-choice="portal:{ref}"' in page and f'value="{AN}"' in page
    unconfirmed = {**use(FORM, f"portal:{ref}"), **use(CCCD, "national:NAT-00001", False)}
    refused = post(client, "/counter/new", counter_form(**unconfirmed), "/counter/new")
    assert refused.status_code == 422 and "chưa xác nhận" in refused.get_data(as_text=True)
    assert dossiers() == 0  # the refused choice refused the reception, not half of it
    received = post(
        client,
        "/counter/new",
        counter_form(**use(FORM, f"portal:{ref}"), **use(CCCD, "national:NAT-00001")),
        "/counter/new",
    )
    assert received.status_code == 302
    code = received.headers["Location"].rsplit("/", 1)[-1]
    assert dossiers() == 1
    assert "Đã dùng lại 2 giấy tờ" in client.get(received.headers["Location"]).get_data(
        as_text=True
    )
    panel = client.get(f"/dossiers/{code}/reuse").get_data(as_text=True)
    assert panel.count("Đã đính kèm:") == 2
    assert "Công dân xác nhận dùng: Nguyễn Văn An, tại quầy một cửa" in components_on(client, code)

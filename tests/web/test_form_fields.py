"""Only the form reaches the process, channel by channel: the task screen, the JSON API, the
portal's calls and the citizen's own screens refuse (422, naming them) the fields they do not
define, and the dossier stays exactly as it was."""

from __future__ import annotations

import io

import pytest

from app.services.accounts import sessions
from app.services.citizens import actions, portal_sign_in
from app.services.core import queue
from app.services.dossiers import tasks
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from app.web import server_session
from tests.documents.scans import numbered_pdf
from tests.services.foreign_fields import (
    AN,
    HOSTILE,
    RECEPTION,
    at_reception,
    dossier_count,
    snapshot,
)
from tests.services.helpers import complete, open_task
from tests.web.helpers import TOKEN, login, token

# The reception form as the browser posts it.
RECEPTION_POSTED = {"components_checked": "on", "original_count": "1", "copy_count": "0"}
# What a forged portal or citizen request adds beside an action's own keys.
SMUGGLED = {
    "agency_code": "000.21.33.H31",
    "dossierStatus": 10,
    "fees": 0,
    "fee_amount": 0,
    "owner": "079090000001",
    "channel": "counter",
}


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


@pytest.fixture
def claimed(actors) -> tuple[str, str]:
    """(dossier code, reception task id) claimed by the reception officer."""
    code = at_reception(actors)
    task_id = open_task(code, "reception").id
    tasks.claim_task(task_id, actors["tiepnhan"])
    return code, task_id


def test_the_task_screen_refuses_system_and_unknown_fields_naming_them(client, claimed):
    code, task_id = claimed
    login(client, "tiepnhan")
    before = snapshot(code)
    posted = {**RECEPTION_POSTED, **{k: str(v) for k, v in HOSTILE.items()}}
    response = client.post(
        f"/tasks/{task_id}", data={**posted, "csrf_token": token(client, f"/tasks/{task_id}")}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert all(name in page for name in HOSTILE) and 'role="alert"' in page
    assert snapshot(code) == before
    # the page's own CSRF token is no form field: the legitimate post goes through
    response = client.post(
        f"/tasks/{task_id}",
        data={**RECEPTION_POSTED, "csrf_token": token(client, f"/tasks/{task_id}")},
    )
    assert response.status_code == 302
    assert [element for element, _ in snapshot(code)["open"]] == ["appraisal"]
    assert snapshot(code)["data"]["agency_code"] == before["data"]["agency_code"]


def test_the_api_refuses_system_and_unknown_fields_in_json_naming_each(client, claimed):
    code, task_id = claimed
    login(client, "tiepnhan")
    headers = {"X-CSRFToken": token(client, "/inbox")}
    before = snapshot(code)
    url = f"/api/tasks/{task_id}/complete"
    response = client.post(url, json={**RECEPTION, **HOSTILE}, headers=headers)
    assert response.status_code == 422
    assert set(response.json["fields"]) == set(HOSTILE)
    assert "agency_code" in response.json["error"]
    assert snapshot(code) == before
    nested = client.post(url, json={**RECEPTION, "reception_note": {"x": 1}}, headers=headers)
    assert nested.status_code == 422 and snapshot(code) == before
    assert client.post(url, json=RECEPTION, headers=headers).status_code == 200
    assert snapshot(code)["data"]["agency_code"] == before["data"]["agency_code"]


# -- the portal's calls --------------------------------------------------------------------


def portal(client, app, path: str, body: dict):  # noqa: ANN001, ANN201
    return client.post(
        f"/api/portal{path}",
        json=body,
        headers={"X-Portal-Token": app.config["PORTAL_CALLBACK_TOKEN"]},
    )


def online(actors, accepted: bool = True) -> str:
    """An online dossier; accepted: waiting for its fee (status 6)."""
    code = receive_dossier(
        ReceiveDossier("2.000488", "cccd", AN, "Nguyễn Văn An", channel="online"),
        actions.PORTAL,
    )
    if accepted:
        complete(code, "reception", actors["tiepnhan"], RECEPTION)
    return code


def ask_supplement(code: str, actors) -> None:
    complete(
        code,
        "appraisal",
        actors["chuyenvien"],
        {"decision": "supplement", "appraisal_note": "Thiếu", "supplement_request": "CCCD"},
    )


def refused(response, *names: str) -> None:  # noqa: ANN001
    assert response.status_code == 422, response.get_data(as_text=True)
    assert set(names) <= set(response.json["fields"])
    assert all(name in response.json["error"] for name in names)


def test_a_portal_submission_with_extra_keys_registers_nothing(client, app):
    count = dossier_count()
    body = {"procedure_code": "2.000488", "owner_id": AN, "owner_name": "Nguyễn Văn An"}
    # the chosen agency is the applicant's to name (002 §5.a Bước 1; checked in
    # test_portal_agency): every other system field is smuggled
    smuggled = {k: v for k, v in SMUGGLED.items() if k != "agency_code"}
    refused(portal(client, app, "/dossiers", {**body, **smuggled}), *smuggled)
    assert dossier_count() == count
    assert portal(client, app, "/dossiers", body).status_code == 201


def test_a_portal_payment_with_extra_keys_is_refused_and_nothing_changes(client, app, actors):
    code = online(actors)
    before = snapshot(code)
    body = {"amount": before["data"]["fee_amount"], "transaction_id": "GD-1"}
    response = portal(client, app, f"/dossiers/{code}/payment", {**body, **SMUGGLED})
    refused(response, *SMUGGLED)
    assert snapshot(code) == before and before["status"] == 6
    assert portal(client, app, f"/dossiers/{code}/payment", body).status_code == 200
    assert snapshot(code)["status"] == 4


def test_a_portal_supplement_with_extra_keys_is_refused_and_nothing_changes(client, app, actors):
    code = online(actors)
    paid = {"amount": snapshot(code)["data"]["fee_amount"], "transaction_id": "GD-2"}
    assert portal(client, app, f"/dossiers/{code}/payment", paid).status_code == 200
    ask_supplement(code, actors)
    before = snapshot(code)
    body = {"note": "Gửi bổ sung", "documents": []}
    response = portal(client, app, f"/dossiers/{code}/supplement", {**body, **SMUGGLED})
    refused(response, *SMUGGLED)
    assert snapshot(code) == before and before["status"] == 5
    assert portal(client, app, f"/dossiers/{code}/supplement", body).status_code == 200
    after = snapshot(code)
    assert after["status"] == 4 and after["data"]["agency_code"] == before["data"]["agency_code"]


def test_a_portal_withdrawal_with_extra_keys_is_refused_and_nothing_changes(client, app, actors):
    code = online(actors, accepted=False)
    before = snapshot(code)
    body = {"reason": "Tôi không còn nhu cầu"}
    response = portal(client, app, f"/dossiers/{code}/withdraw", {**body, **SMUGGLED})
    refused(response, *SMUGGLED)
    assert snapshot(code) == before
    assert portal(client, app, f"/dossiers/{code}/withdraw", body).json["status"] == 7


# -- the citizen's own screens -------------------------------------------------------------


@pytest.fixture
def citizen(client):  # noqa: ANN201
    """The test client signed in as the citizen who owns the online dossiers."""
    signed = portal_sign_in.sign_in({"sub": "VN-000001", "identifier": AN, "name": "Nguyễn Văn An"})
    with client.session_transaction() as session:
        session["citizen_id"] = signed.id
        session[server_session.CITIZEN] = sessions.start_for_citizen(signed.id)
    return client


def citizen_post(client, code: str, action: str, data: dict, **kwargs):  # noqa: ANN001, ANN201
    page = client.get(f"/citizen/dossiers/{code}").get_data(as_text=True)
    csrf = TOKEN.search(page).group(1)
    return client.post(
        f"/citizen/dossiers/{code}/{action}", data={**data, "csrf_token": csrf}, **kwargs
    )


def shown(response, *names: str) -> None:  # noqa: ANN001
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'role="alert"' in page
    assert all(name in page for name in names)


def test_the_citizens_payment_takes_no_posted_amount_or_variable(citizen, actors):
    code = online(actors)
    before = snapshot(code)
    shown(citizen_post(citizen, code, "pay", {"amount": "1", **SMUGGLED}), "amount", *SMUGGLED)
    assert snapshot(code) == before


def test_the_citizens_supplement_with_extra_fields_is_refused(citizen, client, app, actors):
    code = online(actors)
    paid = {"amount": snapshot(code)["data"]["fee_amount"], "transaction_id": "GD-3"}
    assert portal(client, app, f"/dossiers/{code}/payment", paid).status_code == 200
    ask_supplement(code, actors)
    before = snapshot(code)
    response = citizen_post(citizen, code, "supplement", {"note": "Bổ sung", **SMUGGLED})
    shown(response, *SMUGGLED)
    assert snapshot(code) == before
    assert citizen_post(citizen, code, "supplement", {"note": "Bổ sung"}).status_code == 302
    assert snapshot(code)["status"] == 4


def test_the_citizens_withdrawal_with_extra_fields_is_refused(citizen, actors):
    code = online(actors, accepted=False)
    before = snapshot(code)
    response = citizen_post(citizen, code, "withdraw", {"reason": "Không cần nữa", **SMUGGLED})
    shown(response, *SMUGGLED)
    assert snapshot(code) == before
    # the same withdrawal without the smuggled fields goes through
    assert citizen_post(citizen, code, "withdraw", {"reason": "Không cần nữa"}).status_code == 302
    assert snapshot(code)["status"] == 7


def test_the_citizens_submission_with_extra_fields_registers_nothing(citizen):
    count = dossier_count()
    page = citizen.get("/citizen/submit/2.000488").get_data(as_text=True)
    complete_submission = {"summary": "Cấp phiếu", "csrf_token": TOKEN.search(page).group(1)}

    def send(extra: dict):  # noqa: ANN202
        files = {
            f"file_{type_code}": (io.BytesIO(numbered_pdf(1)), f"{type_code}.pdf")
            for type_code in ("TK.LLTP.01", "KQ.G01.000023")
        }
        data = {**complete_submission, **files, **extra}
        return citizen.post(
            "/citizen/submit/2.000488", data=data, content_type="multipart/form-data"
        )

    shown(send(SMUGGLED), *SMUGGLED)
    assert dossier_count() == count
    # the same submission without the smuggled fields is registered
    sent = send({})
    assert sent.status_code == 302, sent.get_data(as_text=True)
    assert dossier_count() == count + 1

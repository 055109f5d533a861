"""Fees paid online, over real HTTP to the portal's simulated payment platform and status feed
(letter 4725/VPCP-KSTT, 003 §II.1.b; 002 §4.a Bước 1): orders carry the fee codes, the amounts
per code and the agency's treasury account; callbacks settle exactly their order; the portal
holds the fees of every dossier and refuses malformed ones."""

from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import select

from app.integrations.payment import SIGNATURE_HEADER, sign
from app.models import Agency, Dossier, DossierFee, Procedure
from app.services.accounts import sessions
from app.services.citizens import actions, payments, portal_sign_in
from app.services.core.errors import InvalidInput
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from app.storage.db import db
from app.web import server_session
from app.web.citizen_session import SESSION_KEY
from tests.services.helpers import complete

pytestmark = pytest.mark.simulators
RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}
AN = "001090012345"


def online(procedure: str = "2.000488") -> str:
    return receive_dossier(
        ReceiveDossier(procedure, "cccd", AN, "Nguyễn Văn An", channel="online"), actions.PORTAL
    )


def accepted_online(actors) -> str:
    code = online()
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    return code


def status(code: str) -> int:
    with db.transaction() as session:
        return session.scalar(select(Dossier.status).where(Dossier.code == code))


def fee_rows(code: str) -> dict[str, DossierFee]:
    with db.transaction() as session:
        return {
            r.fee_code: r
            for r in session.scalars(select(DossierFee).join(Dossier).where(Dossier.code == code))
        }


def order(app, code: str) -> str:
    with app.test_request_context():
        return payments.start_payment(code, "http://x/back", "http://x/callback").rsplit("/", 1)[1]


def callback(client, app, body: dict):  # noqa: ANN201
    return client.post(
        "/api/payments/callback",
        json=body,
        headers={SIGNATURE_HEADER: sign(body, app.config["PAYMENT_SECRET"])},
    )


def paid_body(code: str, order_id: str, transaction: str = "PAY-1", **more) -> dict:
    return {
        "order_id": order_id,
        "transaction_id": transaction,
        "dossier_code": code,
        "amount": 200_000,
        "status": "paid",
        "receipt_no": "BLDT-0001",
        "fees": [{"code": "P025", "amount": 200_000}],
        **more,
    }


def test_a_payment_order_carries_each_fee_code_its_amount_and_the_treasury_account(
    app, actors, portal_url
):
    code = accepted_online(actors)
    order_id = order(app, code)
    [placed] = requests.get(f"{portal_url}/_sim/orders", timeout=5).json()
    assert placed["amount"] == 200_000
    assert [(f["code"], f["amount"]) for f in placed["fees"]] == [("P025", 200_000)]
    with db.transaction() as session:
        account = session.scalar(
            select(Agency.treasury_account)
            .join(Dossier, Dossier.agency_id == Agency.id)
            .where(Dossier.code == code)
        )
    assert account and placed["payee"]["treasury_account"] == account
    # the citizen sees on the platform's page what each line is and where it is booked
    shown = requests.get(f"{portal_url}/payment/pay/{order_id}", timeout=5).text
    assert "P025" in shown and "200.000 đ" in shown and account in shown


def test_no_order_is_placed_for_an_agency_without_a_treasury_account(app, actors, portal_url):
    code = accepted_online(actors)
    with db.transaction() as session:
        session.scalar(select(Dossier).where(Dossier.code == code)).agency.treasury_account = None
    with pytest.raises(InvalidInput) as refused:
        order(app, code)
    assert "tài khoản kho bạc" in refused.value.message
    assert requests.get(f"{portal_url}/_sim/orders", timeout=5).json() == []


def test_the_platform_refuses_an_order_without_fee_lines_or_payee_account(portal_url):
    base = {"dossier_code": "X", "amount": 10_000, "return_url": "r", "callback_url": "c"}
    lines = [{"code": "P196", "amount": 10_000}]
    cases = [
        {**base, "payee": {"treasury_account": "3511"}},
        {**base, "fees": lines},
        {**base, "fees": [{"code": "phí", "amount": 10_000}], "payee": {"treasury_account": "1"}},
        {**base, "fees": [{"code": "P196", "amount": 9_000}], "payee": {"treasury_account": "1"}},
    ]
    for body in cases:
        answer = requests.post(f"{portal_url}/payment/orders", json=body, timeout=5)
        assert answer.status_code == 400, body


def test_the_callback_settles_its_order_once_and_the_portal_gets_the_fees_again(
    app, client, actors, portal_url, drain
):
    code = accepted_online(actors)
    assert status(code) == 6
    order_id = order(app, code)
    first = callback(client, app, paid_body(code, order_id))
    assert first.status_code == 200 and first.json["duplicate"] is False
    again = callback(client, app, paid_body(code, order_id))  # the platform retries
    assert again.status_code == 200 and again.json["duplicate"] is True
    row = fee_rows(code)["P025"]
    assert (row.state, row.method, row.receipt_no, row.transaction_id) == (
        "paid",
        "online",
        "BLDT-0001",
        "PAY-1",
    )
    assert status(code) == 4
    drain()
    held = requests.get(f"{portal_url}/_sim/fees/{code}", timeout=5).json()["fees"]
    assert [(f["code"], f["amount"], f["state"], f["method"]) for f in held] == [
        ("P025", 200_000, "paid", "online")
    ]
    assert held[0]["receipt_no"] == "BLDT-0001" and held[0]["payer"] == "Nguyễn Văn An"
    assert len(held[0]["paid_at"]) == 14


def test_a_callback_naming_another_dossier_or_other_amounts_is_refused(app, client, actors):
    mine, other = accepted_online(actors), accepted_online(actors)
    order_id = order(app, mine)
    stolen = callback(client, app, paid_body(other, order_id))
    assert stolen.status_code == 409 and status(other) == 6
    wrong_line = paid_body(mine, order_id, fees=[{"code": "P196", "amount": 200_000}])
    assert callback(client, app, wrong_line).status_code == 422
    assert callback(client, app, paid_body(mine, "ORD-never-placed")).status_code == 409
    assert fee_rows(mine)["P025"].state == "online" and status(mine) == 6


def test_an_online_applicant_pays_at_submission_when_the_procedure_says_so(
    app, client, actors, drain, portal_url
):
    """002 §4.a Bước 1: 2.001610 takes the fee with the submission, before reception."""
    code = online("2.001610")
    drain()
    assert payments.payable(code) and status(code) == 1
    order_id = order(app, code)
    body = paid_body(code, order_id, amount=50_000, fees=[{"code": "L044", "amount": 50_000}])
    assert callback(client, app, body).status_code == 200
    assert fee_rows(code)["L044"].state == "paid" and status(code) == 1
    drain()
    held = requests.get(f"{portal_url}/_sim/fees/{code}", timeout=5).json()["fees"]
    assert held[0]["state"] == "paid"  # synced again with the status unchanged
    complete(code, "reception", actors["tiepnhantc"], RECEPTION)
    assert status(code) == 4  # nothing left to pay: no wait for the fee (status 6)


def test_a_procedure_without_payment_at_submission_takes_none_before_reception(app, actors):
    with db.transaction() as session:
        session.scalar(
            select(Procedure).where(Procedure.code == "2.000488")
        ).pay_at_submission = False
    code = online()
    assert not payments.payable(code)


def test_the_portal_refuses_a_status_record_with_a_malformed_fee(portal_url):
    good = {
        "code": "P025",
        "amount": 200_000,
        "state": "paid",
        "method": "cash",
        "payer": "An",
        "paid_at": "20250701093000",
        "receipt_no": "BL-1",
    }
    bad_fees = [
        {**good, "code": "25"},
        {**good, "amount": -1},
        {**good, "amount": "200000"},
        {**good, "receipt_no": ""},
        {**good, "paid_at": "2025-07-01"},
        {**good, "state": "exempt", "exemption_reason": ""},
    ]
    for n, fee in enumerate(bad_fees):
        answer = requests.post(
            f"{portal_url}/api/dossiers/status",
            json={"dossier_code": "D-1", "status": 2, "fees": [fee]},
            headers={"Idempotency-Key": f"fee-check-{n}"},
            timeout=5,
        )
        assert answer.status_code == 400 and "fees" in answer.json()["error"], fee
    answer = requests.post(
        f"{portal_url}/api/dossiers/status",
        json={"dossier_code": "D-1", "status": 2, "fees": [good]},
        headers={"Idempotency-Key": "fee-check-good"},
        timeout=5,
    )
    assert answer.status_code == 200


@pytest.fixture
def citizen(client):  # noqa: ANN201
    """The test client signed in as the citizen who owns the online dossiers."""
    signed = portal_sign_in.sign_in({"sub": "VN-000001", "identifier": AN, "name": "Nguyễn Văn An"})
    with client.session_transaction() as session:
        session[SESSION_KEY] = signed.id
        session[server_session.CITIZEN] = sessions.start_for_citizen(signed.id)
    return client


def test_the_citizen_is_offered_to_pay_at_submission_only_where_the_procedure_says_so(
    citizen, drain, portal_url
):
    business, other = online("2.001610"), online("2.000488")
    drain()
    page = citizen.get(f"/citizen/dossiers/{business}").get_data(as_text=True)
    assert 'id="pay-form"' in page and 'id="citizen-fees"' in page and "50.000 đ" in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    sent = citizen.post(f"/citizen/dossiers/{business}/pay", data={"csrf_token": csrf})
    assert sent.status_code == 302 and sent.headers["Location"].startswith(portal_url)
    page = citizen.get(f"/citizen/dossiers/{other}").get_data(as_text=True)
    assert 'id="pay-form"' not in page and "200.000 đ" in page  # shown, not payable yet
    refused = citizen.post(f"/citizen/dossiers/{other}/pay", data={"csrf_token": csrf})
    assert refused.status_code == 409

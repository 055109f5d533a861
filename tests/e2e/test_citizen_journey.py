"""The citizen's side over real HTTP: the portal's deep link through single sign-on, paying
through the portal's payment platform (signed callback), sending a supplement with a file,
withdrawal refused after acceptance, the public lookup and the closed former portal."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests
from sqlalchemy import select

from app import settings
from app.integrations.payment import SIGNATURE_HEADER, sign
from app.integrations.simulators import serve_in_thread
from app.models import AuditEvent, Document, Dossier
from app.services.citizens import actions, payments
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from app.storage.db import db
from tests.documents.scans import numbered_pdf
from tests.services.helpers import complete

pytestmark = pytest.mark.simulators
RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}
AN, MAI = "001090012345", "033185004321"


@pytest.fixture
def served(app):
    url, stop = serve_in_thread(app)
    yield url
    stop()


def sso(base: str, portal_url: str, identifier: str, start: str) -> tuple[requests.Session, str]:
    """A browser-like session that follows `start` through the portal's sign-in."""
    s = requests.Session()
    answer = s.get(base + start, allow_redirects=False)
    while answer.status_code == 302 and not answer.headers["Location"].startswith(portal_url):
        answer = s.get(urljoin(base, answer.headers["Location"]), allow_redirects=False)
    authorize = answer.headers["Location"]
    page = s.get(authorize).text
    account = re.search(r'<option value="([^"]+)">' + identifier, page).group(1)
    query = {k: v[0] for k, v in parse_qs(urlparse(authorize).query).items()}
    landed = s.post(authorize.split("?")[0], data={**query, "account_id": account})
    return s, landed.url


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def online_dossier(actors) -> str:
    code = receive_dossier(
        ReceiveDossier("2.000488", "cccd", AN, "Nguyễn Văn An", channel="online"),
        actions.PORTAL,
    )
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    return code


def status(code: str) -> int:
    with db.transaction() as session:
        return session.scalar(select(Dossier.status).where(Dossier.code == code))


def test_deep_link_pay_supplement_and_withdraw_refused(served, portal_url, actors):
    code = online_dossier(actors)
    assert status(code) == 6
    # the portal's deep link: not signed in → single sign-on → back on the same dossier
    citizen, landed = sso(served, portal_url, AN, f"/?vnconnect=1&mahoso={code}")
    assert urlparse(landed).path == f"/citizen/dossiers/{code}"
    page = citizen.get(landed).text
    assert "200.000 đ" in page and 'id="pay-form"' in page and 'id="withdraw-form"' not in page

    # pay through the payment platform; its signed callback moves the dossier on
    to_platform = citizen.post(
        f"{served}/citizen/dossiers/{code}/pay", data={"csrf_token": csrf(page)}
    )
    assert to_platform.url.startswith(portal_url + "/payment/pay/")
    back = citizen.post(to_platform.url)
    assert urlparse(back.url).path == f"/citizen/dossiers/{code}"
    assert "đã thanh toán" in back.text and status(code) == 4
    [sent] = requests.get(f"{portal_url}/_sim/payments", timeout=5).json()
    assert sent["response"]["status"] == 200 and sent["request"]["amount"] == 200_000

    # the officer asks for a supplement: the citizen sends it with a file
    complete(
        code,
        "appraisal",
        actors["chuyenvien"],
        {
            "decision": "supplement",
            "appraisal_note": "Thiếu",
            "supplement_request": "Bản chụp CCCD",
        },
    )
    page = citizen.get(f"{served}/citizen/dossiers/{code}").text
    assert "Bản chụp CCCD" in page and 'id="supplement-form"' in page
    bad = citizen.post(
        f"{served}/citizen/dossiers/{code}/supplement",
        data={"csrf_token": csrf(page), "type_code": "KQ.G01.000023"},
        files={"files": ("cccd.pdf", b"not a pdf", "application/pdf")},
    )
    assert bad.status_code == 422 and "không phải PDF" in bad.text and status(code) == 5
    sent = citizen.post(
        f"{served}/citizen/dossiers/{code}/supplement",
        data={"csrf_token": csrf(page), "type_code": "KQ.G01.000023", "note": "Gửi bổ sung"},
        files={"files": ("cccd.pdf", numbered_pdf(1), "application/pdf")},
    )
    assert sent.status_code == 200 and status(code) == 4
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        assert dossier.clock_paused_at is None  # the clock runs again
        [upload] = session.scalars(
            select(Document).where(Document.dossier_id == dossier.id, Document.source == "online")
        ).all()
        assert (upload.type_code, upload.state) == ("KQ.G01.000023", "draft")

    # accepted long ago: withdrawal is not offered, and refused with a message if forced
    refused = citizen.post(
        f"{served}/citizen/dossiers/{code}/withdraw",
        data={"csrf_token": csrf(page), "reason": "Không cần nữa"},
    )
    assert refused.status_code == 409 and "action-error" in refused.text

    # another citizen following the same deep link gets "not found"
    other, landed = sso(served, portal_url, MAI, f"/?vnconnect=1&mahoso={code}")
    assert other.get(landed).status_code == 404


def test_payment_callbacks_replayed_tampered_or_wrong_are_handled(client, actors, app):
    code = online_dossier(actors)
    secret = app.config["PAYMENT_SECRET"]
    with app.test_request_context():
        pay_url = payments.start_payment(code, "http://x/back", "http://x/callback")
    body = {
        "order_id": pay_url.rsplit("/", 1)[1],
        "transaction_id": "PAY-1",
        "dossier_code": code,
        "amount": 200_000,
        "status": "paid",
    }

    def send(payload: dict, signature: str | None = None):  # noqa: ANN202
        return client.post(
            "/api/payments/callback",
            json=payload,
            headers={SIGNATURE_HEADER: signature or sign(payload, secret)},
        )

    assert send(body, "0" * 64).status_code == 403  # tampered
    wrong = {**body, "amount": 5_000}
    answer = send(wrong)
    assert answer.status_code == 422 and "200.000" in answer.json["error"]
    assert send({**body, "dossier_code": "NO-SUCH"}).status_code == 404
    assert status(code) == 6
    first = send(body)
    assert first.status_code == 200 and first.json["duplicate"] is False and status(code) == 4
    again = send(body)  # the platform retries the same callback
    assert again.status_code == 200 and again.json["duplicate"] is True
    with db.transaction() as session:
        paid = session.scalars(select(AuditEvent).where(AuditEvent.kind == "fee_paid")).all()
    assert len(paid) == 1


def test_public_lookup_says_little_and_is_rate_limited(client, actors, app):
    code = online_dossier(actors)
    known = client.get(f"/api/public/lookup?code={code}").json
    unknown = client.get("/api/public/lookup?code=000.00.12.H31-000000-9999").json
    assert known["found"] and known["state"] == "Đang giải quyết"
    assert set(known) == set(unknown) and unknown["found"] is False
    assert "Nguyễn Văn An" not in str(known) and AN not in str(known)
    answers = [client.get(f"/api/public/lookup?code={code}").status_code for _ in range(20)]
    assert answers[-1] == 429 and answers.count(200) == 18


def test_the_former_public_portal_points_to_the_national_portal(client, monkeypatch):
    moved = client.get("/dich-vu-cong/nop-ho-so")
    html = moved.get_data(as_text=True)
    assert moved.status_code == 200
    assert "Từ ngày 01/7/2025, cá nhân, tổ chức sẽ thực hiện dịch vụ công trực tuyến" in html
    assert 'content="10;url=https://dichvucong.gov.vn"' in html
    assert "Từ ngày 01/7/2025" in client.get("/tra-cuu?ma=x").get_data(as_text=True)
    # a deployment that keeps its own pages
    monkeypatch.setattr(settings.current, "PUBLIC_PORTAL_CLOSED", False)
    assert client.get("/dich-vu-cong/nop-ho-so").status_code == 404
    assert "Tra cứu hồ sơ" in client.get("/tra-cuu").get_data(as_text=True)

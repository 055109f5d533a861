"""Citizens hear about their dossier by SMS (gateway simulator) and e-mail (a real SMTP server
on loopback): payment and supplement requests, refusal, result, withdrawal — from Vietnamese
templates pointing to the national portal, retried through the outbox when the gateway fails."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default

import pytest
import requests

from app import settings
from app.services.citizens import actions
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from tests.services.helpers import complete, settle

pytestmark = pytest.mark.simulators
RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}


@pytest.fixture
def channels(app, sms_url, smtp_server, monkeypatch):
    requests.post(f"{sms_url}/_sim/reset", timeout=5)
    address, inbox = smtp_server
    monkeypatch.setattr(settings.current, "SMS_GATEWAY_URL", sms_url)
    monkeypatch.setattr(settings.current, "MAIL_SERVER", address)
    return sms_url, inbox


def online(phone: str | None = "0912345678", email: str | None = "an@example.vn") -> str:
    return receive_dossier(
        ReceiveDossier(
            "2.000488",
            "cccd",
            "001090012345",
            "Nguyễn Văn An",
            phone=phone,
            email=email,
            channel="online",
        ),
        actions.PORTAL,
    )


def sms_sent(url: str) -> list[dict]:
    return requests.get(f"{url}/_sim/received", timeout=5).json()


def test_payment_and_supplement_requests_reach_the_citizen_once(actors, drain, channels, clock):
    sms_url, inbox = channels
    code = online()
    complete(code, "reception", actors["tiepnhan"], RECEPTION)  # status 6: pay the fees
    settle(drain, clock, lambda: sms_sent(sms_url) and inbox.messages)
    [sms] = sms_sent(sms_url)
    assert sms["to"] == "0912345678"
    assert sms["text"] == f"Nop phi, le phi cho ho so {code}. Xem tai https://dichvucong.gov.vn"
    [mail] = [message_from_bytes(m.content, policy=default) for m in inbox.messages]
    assert mail["To"] == "an@example.vn"
    assert mail["Subject"] == f"Nộp phí, lệ phí cho hồ sơ {code}"
    assert "200.000 đồng" in mail.get_content()
    assert "Cổng Dịch vụ công quốc gia: https://dichvucong.gov.vn" in mail.get_content()

    # the gateway fails twice: the supplement request is retried and arrives once
    requests.post(f"{sms_url}/_sim/faults", json={"fail_next": 2, "status": 503}, timeout=5)
    actions.pay(code, 200_000, "PAY-1")
    complete(
        code,
        "appraisal",
        actors["chuyenvien"],
        {"decision": "supplement", "appraisal_note": "Thiếu", "supplement_request": "CCCD"},
    )
    settle(drain, clock, lambda: len(sms_sent(sms_url)) == 2)
    texts = [s["text"] for s in sms_sent(sms_url)]
    assert texts[1].startswith(f"Yeu cau bo sung ho so {code}")


def test_withdrawal_is_confirmed_and_nothing_goes_without_a_contact(actors, drain, channels, clock):
    sms_url, inbox = channels
    code = online(email=None)
    silent = online(phone=None, email=None)
    actions.withdraw(code, "Không còn nhu cầu")
    actions.withdraw(silent, "Không còn nhu cầu")
    settle(drain, clock, lambda: sms_sent(sms_url))
    drain()
    assert [s["text"] for s in sms_sent(sms_url)] == [
        f"Da rut ho so {code}. Xem tai https://dichvucong.gov.vn"
    ]
    assert inbox.messages == []  # no address given

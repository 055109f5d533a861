"""CSRF: every state-changing route refuses a request another site could forge (no token),
the cookie-authenticated /api/* included; the portal's and the payment platform's calls are
authenticated by their own token and signature, never by an officer's cookie."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.models import AuditEvent, Dossier, HumanTask
from app.services.accounts import sessions
from app.services.citizens import portal_sign_in
from app.services.core import queue
from app.storage.db import db
from app.web import server_session
from tests.services.helpers import deliver
from tests.web.helpers import api_headers, login, receive_at_counter

EVIL = {"Origin": "https://evil.example", "Referer": "https://evil.example/page"}
CSRF_MESSAGE = "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ"


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


@pytest.fixture
def pool_task(client) -> str:
    """A reception step waiting in the pool, the officer `tiepnhan` signed in."""
    login(client, "tiepnhan")
    receive_at_counter(client)
    deliver("portal.check_account", {"exists": True})
    with db.transaction() as session:
        return session.scalars(select(HumanTask.id).where(HumanTask.assignee_id.is_(None))).one()


def dossier_count() -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Dossier))


def history() -> list[tuple[int, str]]:
    with db.transaction() as session:
        return session.execute(select(AuditEvent.id, AuditEvent.kind)).all()


def assignee(task_id: str) -> int | None:
    with db.transaction() as session:
        return session.get(HumanTask, task_id).assignee_id


def test_a_cross_site_form_post_to_a_screen_is_refused_and_changes_nothing(client):
    login(client, "tiepnhan")
    before = dossier_count()
    forged = client.post(
        "/counter/new",
        data={
            "procedure_code": "2.000488",
            "owner_id_type": "cccd",
            "owner_id": "001090012345",
            "owner_name": "Nguyễn Văn An",
        },
        headers=EVIL,
    )
    assert forged.status_code == 400 and CSRF_MESSAGE in forged.get_data(as_text=True)
    assert dossier_count() == before
    # the same form from the screen itself (its token, no foreign origin) is received
    receive_at_counter(client)
    assert dossier_count() == before + 1


def test_a_cross_site_claim_through_the_api_is_refused_and_changes_nothing(client, pool_task):
    forged = client.post(f"/api/tasks/{pool_task}/claim", headers=EVIL)
    assert forged.status_code == 400 and CSRF_MESSAGE in forged.get_json()["error"]
    as_form = client.post(
        f"/api/tasks/{pool_task}/claim",
        data={"anything": "1"},
        headers=EVIL,
        content_type="application/x-www-form-urlencoded",
    )
    assert as_form.status_code == 400
    completed = client.post(
        f"/api/tasks/{pool_task}/complete", json={"components_checked": True}, headers=EVIL
    )
    assert completed.status_code == 400
    assert assignee(pool_task) is None
    # the same claim from this session, with its token, goes through
    claimed = client.post(f"/api/tasks/{pool_task}/claim", headers=api_headers(client))
    assert claimed.status_code == 200, claimed.get_data(as_text=True)
    assert assignee(pool_task) is not None


def test_the_api_takes_the_token_in_a_header_and_only_this_sessions_token(client, app, pool_task):
    other = app.test_client()
    login(other, "tiepnhan")
    stolen = client.post(f"/api/tasks/{pool_task}/claim", headers={"X-CSRFToken": "forged"})
    assert stolen.status_code == 400
    elsewhere = client.post(f"/api/tasks/{pool_task}/claim", headers=api_headers(other))
    assert elsewhere.status_code == 400 and assignee(pool_task) is None
    claimed = client.post(f"/api/tasks/{pool_task}/claim", headers=api_headers(client))
    assert claimed.status_code == 200 and assignee(pool_task) is not None


def test_an_officers_cookie_alone_opens_neither_the_portal_api_nor_the_payment_callback(
    client, pool_task
):
    code = receive_at_counter(client)
    headers = {**api_headers(client), **EVIL}
    before = history()
    withdraw = client.post(
        f"/api/portal/dossiers/{code}/withdraw", json={"reason": "forged"}, headers=headers
    )
    assert withdraw.status_code == 403 and withdraw.get_json()["error"]
    paid = client.post(
        "/api/payments/callback",
        json={
            "order_id": "o1",
            "transaction_id": "t1",
            "dossier_code": code,
            "amount": 100000,
            "status": "paid",
        },
        headers=headers,
    )
    assert paid.status_code == 403 and paid.get_json()["error"]
    assert history() == before


def test_every_state_changing_route_refuses_a_request_without_the_token(app):
    """Walks app.url_map: only the portal's and the payment platform's calls (authenticated by
    their own token and signature) go without; a new route cannot forget it. Who may use a
    route is answered first (403), so each route is tried by personas until one may use it."""
    clients = []
    for username in ("quantri", "giamsat", "tiepnhan", "lanhdao", "phantich"):
        clients.append(app.test_client())
        login(clients[-1], username)
    citizen = portal_sign_in.sign_in(
        {"sub": "VN-000001", "identifier": "001090012345", "name": "An"}
    )
    clients.append(app.test_client())
    with clients[-1].session_transaction() as session:
        session["citizen_id"] = citizen.id
        session[server_session.CITIZEN] = sessions.start_for_citizen(citizen.id)
    unsafe = {"POST", "PUT", "PATCH", "DELETE"}
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("portal_api.", "payments_api.")):
            continue
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule)
        for method in sorted(unsafe & set(rule.methods or ())):
            statuses = []
            for client in clients:
                response = client.open(url, method=method, headers=EVIL, data={"x": "1"})
                statuses.append(response.status_code)
                sent_to_sign_in = "login" in response.headers.get("Location", "")
                if response.status_code != 403 and not sent_to_sign_in:  # this persona's route
                    break
            assert statuses[-1] == 400, f"{method} {rule.rule}: {statuses}"
            checked += 1
    assert checked > 30

"""Password guessing is throttled per account and per client address (counters in the real
Redis): a growing wait after each failure, a temporary lock after repeated ones, the same
answer for unknown users, wrong passwords and locks, and every failure and lock audited."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app import create_app, settings
from app.models import AuditEvent
from app.storage.db import db
from tests.web.helpers import PASSWORD, token

ERROR = re.compile(r'<p class="error" role="alert">([^<]+)</p>')


@pytest.fixture
def policy(app, monkeypatch):
    """Set the throttling settings for one test (no wait unless the test asks for one)."""

    def set_(**values: float) -> None:
        for name, value in {"LOGIN_DELAY_BASE": 0, **values}.items():
            monkeypatch.setattr(settings.current, name, value)

    set_()
    return set_


def attempt(client, username: str, password: str, address: str = "10.0.0.1"):  # noqa: ANN201
    client.environ_base["REMOTE_ADDR"] = address
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token(client, "/login")},
    )


def answer(response) -> tuple[int, str]:  # noqa: ANN001
    match = ERROR.search(response.get_data(as_text=True))
    return response.status_code, match.group(1) if match else ""


def signs_in(client, username: str = "tiepnhan", address: str = "10.0.0.1") -> bool:
    response = attempt(client, username, PASSWORD, address)
    if response.status_code == 302:
        client.post("/logout", data={"csrf_token": token(client, "/inbox")})
        return True
    return False


def account_events() -> list[tuple[str, dict]]:
    with db.transaction() as session:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.dossier_id.is_(None)).order_by(AuditEvent.id)
        ).all()
        return [(r.kind, r.data) for r in rows if r.kind.startswith("login.")]


def test_unknown_user_wrong_password_and_locked_account_get_the_same_answer(client, policy):
    policy(LOGIN_ACCOUNT_FAILURES=3)
    unknown = answer(attempt(client, "khongcoai", "whatever"))
    wrong = answer(attempt(client, "tiepnhan", "wrong"))
    attempt(client, "tiepnhan", "wrong")
    attempt(client, "tiepnhan", "wrong")  # the third: locked now
    locked = answer(attempt(client, "tiepnhan", PASSWORD))
    assert unknown == wrong == locked
    assert unknown[0] == 401 and "Sai tên đăng nhập hoặc mật khẩu" in unknown[1]


def test_repeated_failures_lock_the_account_and_a_correct_password_is_refused_during_it(
    client, policy
):
    policy(LOGIN_ACCOUNT_FAILURES=5)
    for _ in range(5):
        assert attempt(client, "tiepnhan", "wrong").status_code == 401
    assert not signs_in(client)
    assert not signs_in(client, address="10.9.9.9")  # the account, wherever the try comes from
    assert signs_in(client, "chuyenvien")  # other accounts are not touched


def test_the_lock_ends_after_its_time(client, policy, clock):
    policy(LOGIN_ACCOUNT_FAILURES=2, LOGIN_LOCK_SECONDS=600)
    clock.freeze()
    attempt(client, "tiepnhan", "wrong")
    attempt(client, "tiepnhan", "wrong")
    assert not signs_in(client)
    clock.advance(599)
    assert not signs_in(client)
    clock.advance(2)
    assert signs_in(client)


def test_a_success_resets_the_accounts_counter(client, policy):
    policy(LOGIN_ACCOUNT_FAILURES=3)
    for _ in range(2):
        attempt(client, "tiepnhan", "wrong")
    assert signs_in(client)
    for _ in range(2):
        attempt(client, "tiepnhan", "wrong")
    assert signs_in(client)


def test_failures_from_one_address_lock_that_address_for_every_account(client, policy):
    policy(LOGIN_ACCOUNT_FAILURES=100, LOGIN_ADDRESS_FAILURES=4)
    for name in ("tiepnhan", "chuyenvien", "khongcoai", "TiepNhan"):
        attempt(client, name, "wrong", address="10.6.6.6")
    assert not signs_in(client, "lanhdao", address="10.6.6.6")
    assert signs_in(client, "lanhdao", address="10.7.7.7")


def test_each_failure_makes_the_next_try_wait_longer(client, policy, clock):
    policy(LOGIN_DELAY_BASE=10, LOGIN_DELAY_MAX=100)
    clock.freeze()
    attempt(client, "tiepnhan", "wrong")
    assert not signs_in(client)  # at once: still waiting, even with the right password
    clock.advance(10.5)
    attempt(client, "tiepnhan", "wrong")  # the second failure: 20 s now
    clock.advance(10.5)
    assert not signs_in(client)
    clock.advance(10)
    assert signs_in(client)


def test_every_failure_and_every_lock_is_audited_without_the_password(client, policy):
    policy(LOGIN_ACCOUNT_FAILURES=2)
    attempt(client, "khongcoai", "secret-guess-1")
    attempt(client, "tiepnhan", "secret-guess-2")
    attempt(client, "tiepnhan", "secret-guess-3")
    attempt(client, "tiepnhan", PASSWORD)
    events = account_events()
    assert [(kind, data["reason"]) for kind, data in events if "reason" in data] == [
        ("login.failed", "unknown"),
        ("login.failed", "password"),
        ("login.failed", "password"),
        ("login.refused", "locked"),
    ]
    [lock] = [data for kind, data in events if kind == "login.locked"]
    assert lock["scope"] == "account" and lock["username"] == "tiepnhan"
    assert all(data["address"] == "10.0.0.1" for _, data in events)
    assert "secret-guess" not in repr(events) and PASSWORD not in repr(events)


def test_a_huge_password_or_username_is_refused_like_any_other(client, policy):
    response = attempt(client, "tiepnhan" * 1000, "x" * 100_000)
    assert answer(response) == answer(attempt(client, "tiepnhan", "wrong"))


def test_behind_a_proxy_the_clients_address_is_counted_not_the_proxys(app, policy):
    policy(LOGIN_ACCOUNT_FAILURES=100, LOGIN_ADDRESS_FAILURES=2)
    proxied = create_app(type("Proxied", (settings.current,), {"PROXY_HOPS": 1})).test_client()
    for client_address in ("203.0.113.5", "203.0.113.5"):
        proxied.environ_base["HTTP_X_FORWARDED_FOR"] = client_address
        attempt(proxied, "tiepnhan", "wrong", address="10.0.0.2")  # 10.0.0.2: the proxy
    proxied.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.7"
    assert signs_in(proxied, "chuyenvien", address="10.0.0.2")
    proxied.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.5"
    assert not signs_in(proxied, "chuyenvien", address="10.0.0.2")


def test_without_redis_sign_in_is_a_clear_503_not_a_500(client, policy, monkeypatch):
    # The throttle cannot be checked: nobody signs in unthrottled, and the officer reads why.
    monkeypatch.setattr(settings.current, "REDIS_URL", "redis://127.0.0.1:9/0")
    response = attempt(client, "tiepnhan", PASSWORD)
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert "tạm thời gián đoạn" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_looking_at_the_login_page_is_no_attempt(client, policy):
    # A HEAD (monitoring probes, link checkers) once ran the sign-in and counted a failure.
    for _ in range(3):
        assert client.head("/login").status_code == 200
        assert client.get("/login").status_code == 200
    assert account_events() == []
    assert signs_in(client)

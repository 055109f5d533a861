"""Logout and a password change end sessions on the server: a replayed cookie gets 401 on
/api/* and the login page on screens; the officer's password change screen."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import settings
from app.models import AuditEvent, LoginSession
from app.storage.db import db
from tests.web.helpers import PASSWORD, login, post, token

NEW_PASSWORD = "mot-cua-2026-an-toan"


@pytest.fixture(autouse=True)
def no_waits(app, monkeypatch):
    """Wrong passwords here are no guessing (throttling has its own tests)."""
    monkeypatch.setattr(settings.current, "LOGIN_DELAY_BASE", 0)


def cookie(client) -> str:  # noqa: ANN001
    return client.get_cookie("session").value


def replay(client, value: str) -> None:  # noqa: ANN001
    client.set_cookie("session", value)


def signed_out(client) -> bool:  # noqa: ANN001
    api = client.get("/api/inbox")
    screen = client.get("/inbox")
    return (
        api.status_code == 401
        and screen.status_code == 302
        and screen.headers["Location"].startswith("/login")
    )


def change(client, current: str, new: str, again: str | None = None):  # noqa: ANN001, ANN201
    return post(
        client,
        "/account/password",
        {"current_password": current, "new_password": new, "new_password_again": again or new},
    )


def can_sign_in(app, password: str, username: str = "tiepnhan") -> bool:  # noqa: ANN001
    fresh = app.test_client()
    response = fresh.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token(fresh, "/login")},
    )
    return response.status_code == 302


def test_a_cookie_replayed_after_logout_is_worth_nothing(client):
    login(client, "tiepnhan")
    kept = cookie(client)
    assert client.get("/api/inbox").status_code == 200
    client.post("/logout", data={"csrf_token": token(client, "/inbox")})
    replay(client, kept)
    assert signed_out(client)


def test_a_session_ends_on_the_server_after_its_lifetime(client, monkeypatch, clock):
    monkeypatch.setattr(settings.current, "SESSION_LIFETIME_HOURS", 1)
    clock.freeze()
    login(client, "tiepnhan")
    clock.advance(3599)
    assert not signed_out(client)
    clock.advance(2)
    assert signed_out(client)


def test_a_password_change_ends_the_officers_other_sessions_and_keeps_this_one(client, app):
    other = app.test_client()
    login(client, "tiepnhan")
    login(other, "tiepnhan")
    before_change = cookie(client)
    changed = change(client, PASSWORD, NEW_PASSWORD)
    assert changed.status_code == 302
    assert client.get("/inbox").status_code == 200  # this browser goes on, on a fresh session
    assert signed_out(other)
    replay(other, before_change)
    assert signed_out(other)
    assert not can_sign_in(app, PASSWORD)
    assert can_sign_in(app, NEW_PASSWORD)
    with db.transaction() as session:
        [event] = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "password.changed")
        ).all()
        assert event.dossier_id is None and event.data["sessions_ended"] == 2
        assert NEW_PASSWORD not in repr(event.data)


def test_a_wrong_current_password_is_refused_with_a_message(client, app):
    login(client, "tiepnhan")
    refused = change(client, "not-the-password", NEW_PASSWORD)
    assert refused.status_code == 422
    assert "Mật khẩu hiện tại không đúng" in refused.get_data(as_text=True)
    assert can_sign_in(app, PASSWORD) and not can_sign_in(app, NEW_PASSWORD)


@pytest.mark.parametrize(
    ("new", "again", "message"),
    [
        ("short-pw", "short-pw", "ít nhất 12 ký tự"),
        (PASSWORD, PASSWORD, "ít nhất 12 ký tự"),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "không khớp"),
        ("x" * 300, "x" * 300, "dài quá"),
    ],
)
def test_a_weak_or_mistyped_new_password_is_refused(client, app, new, again, message):
    login(client, "chuyenvien")
    refused = change(client, PASSWORD, new, again)
    assert refused.status_code == 422 and message in refused.get_data(as_text=True)
    assert can_sign_in(app, PASSWORD, "chuyenvien")


def test_the_username_in_any_case_is_no_password(client, app, monkeypatch):
    monkeypatch.setattr(settings.current, "PASSWORD_MIN_LENGTH", 8)
    login(client, "chuyenvien")
    refused = change(client, PASSWORD, "ChuyenVien")
    assert refused.status_code == 422 and "trùng tên đăng nhập" in refused.get_data(as_text=True)


def test_a_password_change_needs_the_csrf_token(client, app):
    login(client, "tiepnhan")
    forged = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
        headers={"Origin": "https://evil.example"},
    )
    assert forged.status_code == 400
    assert can_sign_in(app, PASSWORD)


def test_the_page_frame_links_the_password_change_screen(client):
    login(client, "tiepnhan")
    assert 'href="/account/password"' in client.get("/inbox").get_data(as_text=True)
    page = client.get("/account/password").get_data(as_text=True)
    assert "Mật khẩu hiện tại" in page and "Nhập lại mật khẩu mới" in page


def test_the_password_change_screen_needs_a_signed_in_officer(client):
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_deletes_only_this_session(client, app):
    other = app.test_client()
    login(client, "tiepnhan")
    login(other, "tiepnhan")
    client.post("/logout", data={"csrf_token": token(client, "/inbox")})
    assert other.get("/api/inbox").status_code == 200
    with db.transaction() as session:
        assert len(session.scalars(select(LoginSession.id)).all()) == 1


def test_wrong_current_passwords_count_as_guesses_and_lock_the_change(client, app, monkeypatch):
    monkeypatch.setattr(settings.current, "LOGIN_ACCOUNT_FAILURES", 2)
    login(client, "tiepnhan")
    change(client, "guess-1", NEW_PASSWORD)
    change(client, "guess-2", NEW_PASSWORD)
    held = change(client, PASSWORD, NEW_PASSWORD)
    assert held.status_code == 422 and "chờ ít phút" in held.get_data(as_text=True)
    with db.transaction() as session:
        kinds = session.scalars(
            select(AuditEvent.kind).where(AuditEvent.dossier_id.is_(None)).order_by(AuditEvent.id)
        )
        assert list(kinds) == [
            "password.failed",
            "password.failed",
            "login.locked",
            "password.refused",
        ]

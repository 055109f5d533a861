"""Every response carries the security headers; session cookies are HttpOnly, SameSite=Lax and
Secure in production; a cookie signed with a formerly built-in key is nobody's session."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select

from app import create_app
from app.installation import SECRET_SETTINGS
from app.models import User
from app.services.accounts import sessions
from app.storage.db import db
from app.web.access import PUBLIC, allow
from app.web.server_session import OFFICER
from config import DevelopmentConfig, ProductionConfig
from tests.web.helpers import login, receive_at_counter

SAFE = {name: f"{name.lower()}-" + "y" * 40 for name in SECRET_SETTINGS}


def assert_secured(response, hsts: bool = False) -> None:  # noqa: ANN001
    headers = response.headers
    csp = {
        part.split(" ", 1)[0]: part.split(" ", 1)[1]
        for part in headers["Content-Security-Policy"].split("; ")
    }
    assert csp["script-src"] == "'self'"  # no inline code, no eval, no other host
    assert "unsafe" not in csp["default-src"] and csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'" and csp["base-uri"] == "'self'"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert ("Strict-Transport-Security" in headers) is hsts
    assert "Server" not in headers


def test_pages_api_answers_files_redirects_and_errors_all_carry_the_headers(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/_test/boom")
    @allow(PUBLIC)
    def boom():  # noqa: ANN202
        raise RuntimeError("an unexpected failure")

    assert_secured(client.get("/login"))  # an HTML page
    assert_secured(client.get("/inbox"))  # a redirect to the login
    assert client.get("/inbox").status_code == 302
    assert_secured(client.get("/no/such/page"))  # 404 page
    assert_secured(client.get("/api/no/such"))  # 404 as JSON
    assert_secured(client.post("/login", data={"username": "x"}))  # 400: no CSRF token
    assert_secured(client.get("/_test/boom"))  # 500
    assert client.get("/_test/boom").status_code == 500
    css = client.get("/static/css/app.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert_secured(css)
    script = client.get("/static/js/diagram.js")  # nosniff: scripts need a script type
    assert script.mimetype in ("text/javascript", "application/javascript")
    assert_secured(script)
    login(client, "tiepnhan")
    inbox = client.get("/api/inbox")
    assert inbox.status_code == 200 and inbox.is_json
    assert_secured(inbox)


def test_pdf_downloads_keep_their_type_under_nosniff(client):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    receipt = client.get(f"/dossiers/{code}/slips/01.pdf")
    assert receipt.status_code == 200 and receipt.mimetype == "application/pdf"
    assert receipt.data.startswith(b"%PDF")
    assert_secured(receipt)


def test_forms_may_be_answered_only_here_or_at_the_payment_platform(app, client):
    csp = client.get("/login").headers["Content-Security-Policy"]
    form_action = re.search(r"form-action ([^;]+)", csp).group(1).split()
    portal = app.config["PAYMENT_URL"] or app.config["PORTAL_URL"]
    assert form_action == ["'self'", portal.rstrip("/")]


def test_the_session_cookie_is_http_only_and_same_site_lax(client):
    login(client, "tiepnhan")
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert not cookie.secure  # tests run over plain HTTP


@pytest.fixture
def production_app(app):
    settings = {k: app.config[k] for k in ("DATABASE_URL", "REDIS_URL", "FILE_STORE", "PKI_DIR")}
    return create_app(type("Prod", (ProductionConfig,), {**settings, **SAFE}))


def test_production_cookies_are_secure_and_responses_ask_for_https(production_app):
    client = production_app.test_client()
    login(client, "tiepnhan")
    cookie = client.get_cookie("session")
    assert cookie.secure and cookie.http_only and cookie.same_site == "Lax"
    page = client.get("/login")
    assert_secured(page, hsts=True)
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"


def _forged_session(secret_key: str, user_id: int) -> str:
    """A Flask-Login session for `user_id` holding a live server-side session token, signed as
    the app would sign it with that key."""
    forger = Flask("forger")
    forger.secret_key = secret_key
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    with db.transaction() as session:
        token = sessions.start(session, user_id=user_id)
    return serializer.dumps({"_user_id": str(user_id), "_fresh": True, OFFICER: token})


def test_a_cookie_signed_with_the_old_built_in_key_is_nobodys_session(app, tmp_path):
    keys = ("DATABASE_URL", "REDIS_URL", "FILE_STORE", "PKI_DIR")
    dev = create_app(
        type(
            "Dev",
            (DevelopmentConfig,),
            {
                **{k: app.config[k] for k in keys},
                **{name: "" for name in SECRET_SETTINGS},
                "SECRETS_FILE": str(tmp_path / "secrets" / "installation.json"),
            },
        )
    )
    with db.transaction() as session:
        admin = session.scalar(select(User).where(User.username == "quantri")).id
    client = dev.test_client()
    client.set_cookie("session", _forged_session("dev-secret-change-me", admin))
    refused = client.get("/admin/calendar")
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    # the same forgery with this installation's key would work: the check above is real
    client.set_cookie("session", _forged_session(dev.config["SECRET_KEY"], admin))
    assert client.get("/admin/calendar").status_code == 200

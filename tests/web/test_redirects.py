"""One safe-redirect helper for every `next`, Referer and form-supplied target: only paths of
this site survive; whatever a browser could read as another site becomes the fallback."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from app.models import HumanTask
from app.services.core import queue
from app.storage.db import db
from app.web.redirects import safe_target
from tests.services.helpers import deliver
from tests.web.helpers import PASSWORD, login, post, receive_at_counter, token

FALLBACK = "/inbox"
HOSTILE = [
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "/\x00/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "//evil.example",
    "///evil.example",
    "////evil.example/inbox",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%5Cevil.example",
    "/%5c%5cevil.example",
    "/%255C%255Cevil.example",
    "/%25252F%25252Fevil.example",
    "/%0d%0aSet-Cookie:%20x=1",
    "http://evil.example",
    "https://evil.example/inbox",
    "HTTPS://evil.example",
    "https:evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " //evil.example",
    "http://localhost@evil.example/",
    "http://localhost:5000/inbox",
    "//localhost/inbox",
    "inbox",
    "",
]


# The helper needs a request (to know this site's address), not the whole application.
BARE = Flask(__name__)


@pytest.mark.parametrize("target", HOSTILE)
def test_a_target_that_may_leave_the_site_becomes_the_fallback(target):
    with BARE.test_request_context("/", base_url="http://localhost"):
        assert safe_target(target, FALLBACK) == FALLBACK


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        ("/dossiers?x=1", "/dossiers?x=1"),
        ("/dossiers?q=Nguy%E1%BB%85n&page=2", "/dossiers?q=Nguy%E1%BB%85n&page=2"),
        ("/tasks/abc#form", "/tasks/abc#form"),
        ("http://localhost/dossiers?x=1", "/dossiers?x=1"),
        ("http://localhost", "/"),
    ],
)
def test_a_path_of_this_site_is_kept(target, kept):
    with BARE.test_request_context("/", base_url="http://localhost"):
        assert safe_target(target, FALLBACK) == kept


def test_login_follows_a_local_next_and_never_another_site(client):
    for hostile in ("/%09/evil.example", "//evil.example", "/\\evil.example", "https:evil.example"):
        client.get("/login")
        response = client.post(
            "/login",
            query_string={"next": hostile},
            data={
                "username": "tiepnhan",
                "password": PASSWORD,
                "csrf_token": token(client, "/login"),
            },
        )
        assert response.status_code == 302 and response.headers["Location"] == "/inbox"
        client.post("/logout", data={"csrf_token": token(client, "/inbox")})
    good = client.post(
        "/login?next=/dossiers%3Fx%3D1",
        data={"username": "tiepnhan", "password": PASSWORD, "csrf_token": token(client, "/login")},
    )
    assert good.headers["Location"] == "/dossiers?x=1"


def test_language_switch_goes_back_to_a_page_of_this_site_only(client):
    login(client, "tiepnhan")
    back = client.get("/lang/en", headers={"Referer": "http://localhost/dossiers?x=1"})
    assert back.headers["Location"] == "/dossiers?x=1"
    away = client.get("/lang/vi", headers={"Referer": "http://evil.example/phish"})
    assert away.headers["Location"] == "/inbox"
    sneaky = client.get("/lang/vi", headers={"Referer": "http://localhost//evil.example"})
    assert sneaky.headers["Location"] == "/inbox"


def test_a_form_supplied_next_cannot_send_the_officer_elsewhere(client, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)
    login(client, "tiepnhan")
    receive_at_counter(client)
    deliver("portal.check_account", {"exists": True})
    with db.transaction() as session:
        task_id = session.scalars(select(HumanTask.id)).first()
    claimed = post(client, f"/tasks/{task_id}/claim", {"next": "/%09/evil.example"}, "/inbox")
    # the unsafe target is dropped: claiming opens the step itself ("Nhận và xử lý")
    assert claimed.status_code == 302 and claimed.headers["Location"] == f"/tasks/{task_id}"

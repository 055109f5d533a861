"""Driving the app over HTTP like a browser: CSRF tokens from pages, logins, form posts."""

from __future__ import annotations

import json
import re

from flask.testing import FlaskClient

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "demo1234"


def token(client: FlaskClient, url: str) -> str:
    page = client.get(url)
    match = TOKEN.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def login(client: FlaskClient, username: str) -> None:
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token(client, "/login")},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def api_headers(client: FlaskClient) -> dict[str, str]:
    """What a signed-in client sends with each POST to /api/*: the CSRF token in a header."""
    return {"X-CSRFToken": client.get("/api/csrf-token").get_json()["csrf_token"]}


def logout(client: FlaskClient) -> None:
    client.post("/logout", data={"csrf_token": token(client, "/inbox")})


def post(client: FlaskClient, url: str, data: dict, page: str | None = None):  # noqa: ANN201
    return client.post(url, data={**data, "csrf_token": token(client, page or url)})


def receive_at_counter(
    client: FlaskClient,
    owner_id: str = "001090012345",
    owner_name: str = "Nguyễn Văn An",
    procedure_code: str = "2.000488",
) -> str:
    response = post(
        client,
        "/counter/new",
        {
            "procedure_code": procedure_code,
            "owner_id_type": "cccd",
            "owner_id": owner_id,
            "owner_name": owner_name,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[-1]


def task_id_in(html: str, title: str) -> str:
    match = re.search(r'href="/tasks/([0-9a-f-]{36})">' + re.escape(title) + "<", html)
    assert match, f"no task link «{title}»"
    return match.group(1)


def post_model_json(client: FlaskClient, url: str, body: dict):  # noqa: ANN201 - a response
    """A JSON POST from the model editor (its CSRF token taken from the models page)."""
    return client.post(
        url,
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-CSRFToken": token(client, "/models")},
    )

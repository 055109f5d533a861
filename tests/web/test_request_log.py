"""Request logs: a request id per request (returned as X-Request-ID), the officer's login id and
the dossier code on every event, and no citizen's personal data in INFO logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator

import pytest

from app import logs
from tests.services.helpers import PORTAL_ACCOUNT
from tests.web.helpers import login, receive_at_counter


@pytest.fixture
def events() -> Iterator[Callable[[], list[dict]]]:
    """Every event logged at INFO or above so far, as the JSON lines a collector reads."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


def access_events(stream: list[dict]) -> list[dict]:
    return [e for e in stream if e["logger"] == "app.access"]


def test_a_safe_request_id_from_the_caller_is_answered_and_logged(client):
    response = client.get("/login", headers={"X-Request-ID": "lb-7f3a.91"})
    assert response.headers["X-Request-ID"] == "lb-7f3a.91"


@pytest.mark.parametrize(
    "offered", ["a\r\nX-Injected: 1", "x" * 200, "id with spaces", "\u2028", '"},{"level":"x']
)
def test_an_unsafe_request_id_is_replaced_and_never_reaches_the_log(app, offered):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    logging.getLogger("app.access").addHandler(handler)
    try:
        # as a raw WSGI value: a proxy may pass on what a client library would refuse to send
        response = app.test_client().get("/login", environ_overrides={"HTTP_X_REQUEST_ID": offered})
    finally:
        logging.getLogger("app.access").removeHandler(handler)
    answered = response.headers["X-Request-ID"]
    assert answered != offered and len(answered) == 32 and answered.isalnum()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["request_id"] == answered
    assert offered not in stream.getvalue()


def test_every_response_carries_a_request_id_even_without_one_offered(client):
    first = client.get("/login").headers["X-Request-ID"]
    second = client.get("/login").headers["X-Request-ID"]
    assert first != second


def test_events_of_a_dossier_route_carry_the_officer_login_and_the_dossier_code(client, events):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    response = client.get(f"/dossiers/{code}", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 200
    client.get("/inbox")  # the next request starts with a clean context
    stream = access_events(events())
    page = [e for e in stream if e.get("request_id") == "req-42"]
    assert len(page) == 1
    assert page[0]["user"] == "tiepnhan" and page[0]["dossier"] == code
    assert page[0]["message"] == "GET /dossiers/<code> 200 " + page[0]["message"].split()[-1]
    assert "dossier" not in stream[-1] and "instance" not in stream[-1]
    assert stream[-1]["request_id"] != "req-42" and stream[-1]["user"] == "tiepnhan"


def test_a_search_query_string_is_not_logged(client, events):
    login(client, "tiepnhan")
    client.get("/inbox?q=Nguy%E1%BB%85n+V%C4%83n+An+001090012345")
    text = json.dumps(events(), ensure_ascii=False)
    assert "001090012345" not in text and "Nguyễn" not in text


@pytest.mark.simulators
def test_a_counter_path_logs_no_name_identity_number_phone_or_address(client, events, drain):
    login(client, "tiepnhan")
    code = receive_at_counter(
        client, owner_id=PORTAL_ACCOUNT["identifier"], owner_name=PORTAL_ACCOUNT["full_name"]
    )
    drain()  # the account check at the portal (simulator), on the real worker
    assert client.get(f"/dossiers/{code}").status_code == 200
    client.get("/inbox")
    text = json.dumps(events(), ensure_ascii=False)
    assert code in text  # the dossier code is the handle the logs carry
    for personal in (
        PORTAL_ACCOUNT["full_name"],
        PORTAL_ACCOUNT["identifier"],
        PORTAL_ACCOUNT["phone"],
        PORTAL_ACCOUNT["permanent_address"],
        "Hàng Bài",
    ):
        assert personal not in text, personal

"""The HTTP client helper takes the environment's proxies and CA bundle once, when it is made,
as requests would take them on every call (a deployment behind a proxy reaches the national
services through it; NO_PROXY still exempts hosts)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests.sessions

from app.integrations import http
from app.integrations.errors import IntegrationError
from app.integrations.http import HttpClient

ENVIRONMENT = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
)


class _Echo(BaseHTTPRequestHandler):
    """Answers every GET with the request target it was sent: an absolute URL when the
    request came through it as a proxy, a path when it was asked directly."""

    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        body = json.dumps({"target": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def echo() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def environment(monkeypatch) -> Iterator[pytest.MonkeyPatch]:
    """A clean proxy environment, and the per-process reading of it forgotten before and after
    (no other test inherits what this one set)."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    http._environment.cache_clear()
    yield monkeypatch
    http._environment.cache_clear()


def test_the_environments_proxy_carries_the_calls(environment, echo):
    environment.setenv("HTTP_PROXY", echo)
    client = HttpClient("http://csdl-quoc-gia.invalid", timeout=2)
    # the proxy was asked for the absolute URL: the call went through it
    assert client.get("/api/citizens/001090012345") == {
        "target": "http://csdl-quoc-gia.invalid/api/citizens/001090012345"
    }


def test_no_proxy_exempts_a_host(environment, echo):
    environment.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    environment.setenv("NO_PROXY", "127.0.0.1")
    assert HttpClient(echo, timeout=2).get("/api/x") == {"target": "/api/x"}


def test_without_a_proxy_a_call_goes_straight_to_the_service(environment, echo):
    assert HttpClient(echo, timeout=2).get("/api/x") == {"target": "/api/x"}


def test_the_environment_is_read_when_the_client_is_made_not_on_every_call(environment, echo):
    client = HttpClient(echo, timeout=2)

    def read_again(*args: object, **kwargs: object) -> dict:
        raise AssertionError("the environment was read again for a call")

    environment.setattr(requests.sessions, "get_environ_proxies", read_again)
    environment.setattr(requests.sessions, "get_netrc_auth", read_again)
    environment.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # set later: not taken
    assert [client.get("/api/x") for _ in range(3)] == [{"target": "/api/x"}] * 3


def test_a_proxy_that_is_down_is_a_retryable_failure(environment, echo):
    environment.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    with pytest.raises(IntegrationError) as err:
        HttpClient("http://cong-dvcqg.invalid", timeout=2).get("/api/accounts")
    assert err.value.retryable


def test_the_environments_ca_bundle_checks_the_services_certificates(environment, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    environment.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    assert HttpClient("https://cong-dvcqg.invalid", timeout=2).session.verify == str(bundle)
    http._environment.cache_clear()
    environment.delenv("REQUESTS_CA_BUNDLE")
    assert HttpClient("https://cong-dvcqg.invalid", timeout=2).session.verify is True

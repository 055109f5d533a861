"""The one HTTP client helper: JSON in and out, errors classified as retryable or not."""

from __future__ import annotations

import json
import time
from functools import lru_cache
from typing import Any

import requests

from app.integrations.errors import IntegrationError

RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@lru_cache(maxsize=64)
def _environment(base_url: str) -> tuple[tuple[tuple[str, str], ...], str | bool]:
    """The proxies and the CA bundle the environment names for `base_url` (HTTP_PROXY,
    HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE), read once per process: requests
    reads them again on every request (it walks os.environ: about a fifth of a call's client
    CPU). The environment of a running process does not change; a restart reads it again."""
    found = requests.Session().merge_environment_settings(base_url, {}, None, None, None)
    return tuple(sorted(found["proxies"].items())), found["verify"]


class HttpClient:
    def __init__(self, base_url: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        # The environment's proxies and CA bundle as read once (`_environment`), then not read
        # again per request; no ~/.netrc either: credentials come from the settings.
        proxies, verify = _environment(self.base_url)
        self.session.trust_env = False
        self.session.proxies = dict(proxies)
        self.session.verify = verify

    def get(
        self, path: str, *, params: dict[str, Any] | None = None, allow_404: bool = False
    ) -> Any:
        return self._call("GET", path, params=params, allow_404=allow_404)

    def get_bytes(self, path: str, params: dict[str, Any] | None = None) -> bytes:
        response = self._send("GET", path, params=params)
        return response.content

    def get_capped(self, path: str, max_bytes: int) -> tuple[Any, str]:
        """GET a JSON document read at most `max_bytes` into memory; returns (body, ETag)."""
        response = self._send("GET", path, stream=True)
        try:
            declared = int(response.headers.get("Content-Length") or 0)
            if declared > max_bytes:
                raise IntegrationError(
                    f"GET {path}: {declared} bytes, more than the {max_bytes} allowed",
                    retryable=False,
                )
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise IntegrationError(
                        f"GET {path}: more than the {max_bytes} bytes allowed", retryable=False
                    )
                chunks.append(chunk)
        finally:
            response.close()
        try:
            return json.loads(b"".join(chunks)), response.headers.get("ETag", "")
        except (ValueError, RecursionError) as exc:  # not JSON, or nested beyond reason
            raise IntegrationError(f"GET {path}: response is not JSON", retryable=True) from exc

    def get_file(
        self, path: str, *, params: dict[str, Any], max_bytes: int, content_type: str
    ) -> tuple[bytes, dict[str, str]]:
        """A file and its response headers, read in chunks: refused (not retryable) when the
        answer is a redirect, of another content type or over `max_bytes`; retryable when the
        whole transfer takes longer than the timeout (a source trickling bytes)."""
        url = f"{self.base_url}{path}"
        where = f"GET {path}"
        try:
            response = self.session.get(
                url, params=params, timeout=self.timeout, stream=True, allow_redirects=False
            )
        except requests.Timeout as exc:
            message = f"{where}: timed out after {self.timeout}s"
            raise IntegrationError(message, retryable=True) from exc
        except requests.ConnectionError as exc:
            raise IntegrationError(f"{where}: cannot connect", retryable=True) from exc
        with response:
            if response.is_redirect or 300 <= response.status_code < 400:
                raise IntegrationError(
                    f"{where}: redirected to {response.headers.get('Location', '?')[:200]}",
                    retryable=False,
                    status=response.status_code,
                )
            if response.status_code >= 400:
                raise IntegrationError(
                    f"{where}: HTTP {response.status_code} {_error_text(response)}",
                    retryable=response.status_code in RETRYABLE_STATUSES,
                    status=response.status_code,
                )
            kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if kind != content_type:
                raise IntegrationError(
                    f"{where}: content type {kind or 'none'}, not {content_type}", retryable=False
                )
            return _read_bounded(response, where, max_bytes, self.timeout), dict(response.headers)

    def post(self, path: str, body: dict[str, Any], *, idempotency_key: str | None = None) -> Any:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        return self._call("POST", path, json=body, headers=headers)

    def _call(self, method: str, path: str, *, allow_404: bool = False, **kwargs: Any) -> Any:
        response = self._send(method, path, allow_404=allow_404, **kwargs)
        if response is None:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise IntegrationError(
                f"{method} {path}: response is not JSON",
                retryable=True,
                status=response.status_code,
            ) from exc

    def _send(
        self, method: str, path: str, *, allow_404: bool = False, **kwargs: Any
    ) -> requests.Response | None:
        url = f"{self.base_url}{path}"
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.Timeout as exc:
            raise IntegrationError(
                f"{method} {path}: timed out after {self.timeout}s", retryable=True
            ) from exc
        except requests.ConnectionError as exc:
            raise IntegrationError(f"{method} {path}: cannot connect", retryable=True) from exc
        if response.status_code == 404 and allow_404:
            return None
        if response.status_code >= 400:
            raise IntegrationError(
                f"{method} {path}: HTTP {response.status_code} {_error_text(response)}",
                retryable=response.status_code in RETRYABLE_STATUSES,
                status=response.status_code,
            )
        return response


def _read_bounded(response: requests.Response, where: str, max_bytes: int, timeout: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise IntegrationError(f"{where}: {declared} bytes, over {max_bytes}", retryable=False)
    deadline = time.monotonic() + timeout
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise IntegrationError(f"{where}: over {max_bytes} bytes", retryable=False)
            if time.monotonic() > deadline:
                raise IntegrationError(
                    f"{where}: transfer took longer than {timeout}s", retryable=True
                )
            chunks.append(chunk)
    except requests.RequestException as exc:
        raise IntegrationError(f"{where}: transfer broken off ({exc})", retryable=True) from exc
    return b"".join(chunks)


def _error_text(response: requests.Response) -> str:
    try:
        return str(response.json().get("error", ""))[:300]
    except ValueError:
        return response.text[:300]

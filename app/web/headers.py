"""Security headers on every response: pages, API answers, files, redirects and errors alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response


def content_security_policy(config: Mapping[str, Any]) -> str:
    """The page policy: scripts only from our own files (no inline code, no eval), no plugins,
    never inside another site's frame, forms posted only here or to the payment platform."""
    payment = _origin(config.get("PAYMENT_URL") or config.get("PORTAL_URL") or "")
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        # bpmn-js, dmn-js and the properties panel position and colour diagram elements through
        # style attributes they write themselves: inline styles (never scripts) are allowed.
        "style-src": "'self' 'unsafe-inline'",
        # the viewers draw their logo and some markers from data: URLs
        "img-src": "'self' data:",
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        # a citizen's payment form is answered with a redirect to the payment platform
        "form-action": " ".join(filter(None, ("'self'", payment))),
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def security_headers(config: Mapping[str, Any]) -> dict[str, str]:
    """The headers every response carries under `config`; HSTS only where HSTS_MAX_AGE is set
    (production)."""
    headers = {
        "Content-Security-Policy": content_security_policy(config),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
    max_age = int(config.get("HSTS_MAX_AGE") or 0)
    if max_age > 0:
        headers["Strict-Transport-Security"] = f"max-age={max_age}"
    return headers


def init_app(app: Flask) -> None:
    headers = security_headers(app.config)

    @app.after_request
    def _secure(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""

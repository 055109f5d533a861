"""Per-request log context and the one access event per request (app.logs).

Each request gets a request id (the caller's `X-Request-ID` when it is a short safe token, a new
one otherwise), returned in the `X-Request-ID` response header; the signed-in officer's login
id and, on `/dossiers/<code>` routes, the dossier code are bound for every event logged while
the request runs. The access event names the route pattern and the path without its query
string: searches carry names and identity numbers there.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request
from flask_login import current_user

from app import logs

log = logging.getLogger("app.access")
# Probes and scrapes come every few seconds: logged at DEBUG, never at INFO.
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
HEADER = "X-Request-ID"


def _begin() -> None:
    logs.clear()
    g.request_id = logs.request_id(request.headers.get(HEADER))
    g.request_started = time.perf_counter()
    logs.set_field("request_id", g.request_id)
    if request.endpoint in (None, "static") or request.path in QUIET_PATHS:
        return
    rule = request.url_rule.rule if request.url_rule is not None else ""
    if "/dossiers/<code>" in rule and request.view_args:
        logs.set_field("dossier", request.view_args.get("code"))
    user = current_user
    if getattr(user, "is_authenticated", False) and hasattr(user, "username"):
        logs.set_field("user", user.username)


def _finish(response: Response) -> Response:
    response.headers[HEADER] = g.get("request_id") or logs.request_id(None)
    started = g.get("request_started")
    elapsed_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    level = logging.DEBUG if request.path in QUIET_PATHS else logging.INFO
    if log.isEnabledFor(level):
        log.log(
            level,
            "%s %s %s %sms",
            request.method,
            request.url_rule.rule if request.url_rule is not None else request.path,
            response.status_code,
            elapsed_ms,
        )
    return response


def _teardown(_: BaseException | None) -> None:
    logs.clear()


def init_app(app: Flask) -> None:
    """Bind the log context at the start of each request and log its end."""
    app.before_request(_begin)
    app.after_request(_finish)
    app.teardown_request(_teardown)

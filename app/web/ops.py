"""What operators and load balancers ask a web process: `/healthz` (the process answers, no
I/O), `/readyz` (the database, Redis, the file store and the schema are usable: 200, or 503
naming what is not) and `/metrics` (Prometheus text, for the scraper only). Every request's
count and latency by route and status is recorded here too."""

from __future__ import annotations

import os
import time

from flask import Blueprint, Flask, Response, g, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from app import metrics
from app.services.core import health, monitoring
from app.web.access import METRICS, PUBLIC, allow

bp = Blueprint("ops", __name__)
# Paths a load balancer polls every few seconds: kept out of the access log (gunicorn.conf.py).
PROBES = ("/healthz", "/readyz")
NO_STORE = {"Cache-Control": "no-store"}


@bp.get("/healthz")
@allow(PUBLIC)
def healthz():  # noqa: ANN201
    return jsonify(status="ok"), 200, NO_STORE


@bp.get("/readyz")
@allow(PUBLIC)
def readyz():  # noqa: ANN201
    checks = health.readiness()
    failing = [c.name for c in checks if not c.ok]
    body = {
        "status": "ok" if not failing else "failing",
        "failing": failing,
        "checks": {c.name: _answer(c) for c in checks},
    }
    return jsonify(body), 503 if failing else 200, NO_STORE


def _answer(check: health.Check) -> dict[str, object]:
    return {"ok": check.ok, "detail": check.detail} if check.detail else {"ok": check.ok}


@bp.get("/metrics")
@allow(METRICS)
def metrics_text() -> Response:
    state = CollectorRegistry()
    state.register(monitoring.StateCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # every process of this machine (web workers, RQ workers, scheduler) wrote its files there
        processes = CollectorRegistry()
        MultiProcessCollector(processes)
        body = generate_latest(processes) + generate_latest(state)
    else:
        body = generate_latest(REGISTRY) + generate_latest(state)
    return Response(body, mimetype=CONTENT_TYPE_LATEST, headers=NO_STORE)


def _started() -> None:
    g.metrics_started = time.perf_counter()


def _answered(response: Response) -> Response:
    started = g.pop("metrics_started", None)
    if started is None:
        return response
    # the URL rule, never the path: one series per route, whatever ids or junk a client sends
    route = request.url_rule.rule if request.url_rule is not None else "(unmatched)"
    method = request.method if request.method in _METHODS else "OTHER"
    labels = (method, route, str(response.status_code))
    metrics.REQUESTS.labels(*labels).inc()
    metrics.REQUEST_SECONDS.labels(*labels).observe(time.perf_counter() - started)
    return response


_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))


def init_app(app: Flask) -> None:
    """Time every request (first in, last out) and serve the three routes."""
    app.before_request_funcs.setdefault(None, []).insert(0, _started)
    app.after_request(_answered)
    app.register_blueprint(bp)

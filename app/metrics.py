"""The process's own Prometheus instruments (giám sát): what web, worker and scheduler count
and time as it happens. What the database and Redis already know (outbox lag, open incidents,
steps by deadline, queue depth) is read at scrape time instead (app/services/core/monitoring.py).

Under gunicorn and the worker pool the processes share `PROMETHEUS_MULTIPROC_DIR` (set before
any of them starts, scripts/run.sh): each writes its own files there and `/metrics` adds them
up. prometheus_client reads that variable when this module is imported.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

PREFIX = "gqtthc"
# Seconds: from a cheap page to a slow report, an RQ wait of minutes, an engine pass.
_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
_WAIT = (0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900)

REQUESTS = Counter(
    f"{PREFIX}_http_requests_total",
    "HTTP requests answered, by route (the URL rule, not the path) and status",
    ("method", "route", "status"),
)
REQUEST_SECONDS = Histogram(
    f"{PREFIX}_http_request_duration_seconds",
    "Time to answer an HTTP request, by route and status",
    ("method", "route", "status"),
    buckets=_LATENCY,
)
JOB_WAIT_SECONDS = Histogram(
    f"{PREFIX}_rq_job_wait_seconds",
    "Time an RQ job waited in its queue, from enqueue to the start of its run",
    ("queue",),
    buckets=_WAIT,
)
JOB_RUN_SECONDS = Histogram(
    f"{PREFIX}_rq_job_run_seconds",
    "Time an RQ job ran, by queue and outcome (finished, failed)",
    ("queue", "outcome"),
    buckets=_WAIT,
)
DELIVERIES = Counter(
    f"{PREFIX}_outbox_deliveries_total",
    "Outbox calls made to an operator (portal, warehouse...), by the row's state after the call",
    ("operator", "outcome"),
)
ENGINE_CYCLE_SECONDS = Histogram(
    f"{PREFIX}_engine_cycle_seconds",
    "Time of one engine run (the process advanced after a start, completion, result or timer)",
    buckets=_LATENCY,
)
DOSSIERS_RECEIVED = Counter(
    f"{PREFIX}_dossiers_received_total",
    "Dossiers received (committed), by channel",
    ("channel",),
)
DOSSIERS_FINISHED = Counter(
    f"{PREFIX}_dossiers_finished_total",
    "Dossiers whose process came to its end (committed)",
)

"""gunicorn settings for `make run` and deployments:
`gunicorn -c scripts/gunicorn.conf.py 'app:create_app()'`.

- No `Server:` header: what software and version answers is nobody else's business.
- The configuration's secrets are checked once, in the master, before any worker starts: in
  production an unsafe secret stops gunicorn with one message instead of every worker failing
  to boot in turn.
"""

from __future__ import annotations

import os
import sys

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _without_server(self: wsgi.Response) -> list[str]:
    return [line for line in _default_headers(self) if not line.startswith("Server:")]


wsgi.Response.default_headers = _without_server


def on_starting(server: object) -> None:
    """Refuse to start (exit status 1) when the configuration's secrets are unsafe."""
    import config as config_module
    from app.installation import InsecureConfiguration, resolve

    try:
        resolve(config_module.load())
    except InsecureConfiguration as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(1) from None


# gunicorn's own error log in the application's format (app/logs.py, LOG_FORMAT): one event
# per line with the others. `scripts/run.sh` writes no gunicorn access log (a deployment that
# wants one passes --access-logfile; the probes are filtered from it below): the
# application logs each request itself, with its request id (app/web/request_log.py).
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "app": {
            "()": "app.logs.TextFormatter"
            if os.environ.get("LOG_FORMAT") == "text"
            else "app.logs.JsonFormatter"
        }
    },
    "handlers": {"stderr": {"class": "app.logs.StderrHandler", "formatter": "app"}},
    # the application's processes add their own root handler (app.logs.setup)
    "root": {"level": "INFO", "handlers": []},
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}


def child_exit(server: object, worker: object) -> None:
    """A web worker ended: drop its live-gauge files from the shared metrics folder."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]


class _WithoutProbes:
    """Access-log filter: the load balancer's /healthz and /readyz polls are not logged."""

    def filter(self, record: object) -> bool:
        args = getattr(record, "args", None)
        path = args.get("U", "") if isinstance(args, dict) else ""
        return path not in ("/healthz", "/readyz")


def post_fork(server: object, worker: object) -> None:
    """Each worker's access logger drops the probes (the master's config holds no logger)."""
    import logging

    logging.getLogger("gunicorn.access").addFilter(_WithoutProbes())

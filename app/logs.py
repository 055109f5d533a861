"""Structured logs for every process (web, worker, scheduler, gunicorn): one event per line.

`setup(fmt)` installs one handler on the root logger writing either JSON lines (`LOG_FORMAT=json`,
production and `make run`) or readable text (development). Each event carries what the process
knows about the work in hand, from context variables: the request id, the user's login id, the
dossier code and the process instance id. The web layer binds them per request, worker jobs from
their payload (`bind`). Personal data (names, identity numbers, phones, addresses) never goes
into a log message: the dossier code is the handle an operator searches by.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

FIELDS = ("request_id", "user", "dossier", "instance")
_context: dict[str, ContextVar[str | None]] = {
    name: ContextVar(f"log_{name}", default=None) for name in FIELDS
}
# A request id from outside is kept only when it is a short token of safe characters.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_HANDLER_NAME = "gqtthc"


def current() -> dict[str, str]:
    """The context fields set in this thread or task (request id, user, dossier, instance)."""
    return {name: value for name, var in _context.items() if (value := var.get()) is not None}


@contextmanager
def bind(**fields: object) -> Iterator[None]:
    """Add context fields (request_id, user, dossier, instance) to the logs of the block."""
    tokens = [
        (_context[name], _context[name].set(None if value is None else str(value)))
        for name, value in fields.items()
    ]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def set_field(name: str, value: object) -> None:
    """Set one context field until the context ends (the web layer's per-request binding)."""
    _context[name].set(None if value is None else str(value))


def clear() -> None:
    """Forget every context field (the start and end of a request)."""
    for var in _context.values():
        var.set(None)


def request_id(offered: str | None) -> str:
    """The request id to use: the one offered when it is a short safe token, else a new one."""
    if offered and _SAFE_REQUEST_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object per line. `ensure_ascii` escapes every control and line-separator
    character (U+2028 included), so nothing a user or a header sends can start a new line."""

    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, object] = {
            "ts": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **current(),
        }
        event.setdefault("process", record.process)
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            event["exception"] = record.exc_text
        return json.dumps(event, ensure_ascii=True, default=str)


def _one_line(text: str) -> str:
    """`text` with every control, format and line/paragraph separator character escaped
    (Vietnamese letters kept as they are)."""
    return "".join(
        c.encode("unicode_escape").decode("ascii")
        if unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp")
        else c
        for c in text
    )


class TextFormatter(logging.Formatter):
    """Readable lines for development; the context fields follow the message, and control
    characters anywhere are shown escaped so one event stays one line."""

    def format(self, record: logging.LogRecord) -> str:
        context = " ".join(f"{k}={v}" for k, v in current().items())
        line = f"{_timestamp(record)} {record.levelname} {record.name}: {record.getMessage()}"
        if context:
            line = f"{line} [{context}]"
        if record.exc_info:
            line = f"{line} | {self.formatException(record.exc_info)}"
        return _one_line(line)


def formatter(fmt: str) -> logging.Formatter:
    """The formatter for LOG_FORMAT `fmt` ("json" or "text")."""
    return TextFormatter() if fmt == "text" else JsonFormatter()


class StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time of each event (a test's capture, a
    redirected stream), never to a stream closed since the handler was made."""

    @property
    def stream(self):  # noqa: ANN201
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def setup(fmt: str = "json", level: str = "INFO") -> None:
    """Send every logger's events to stderr in `fmt`; replaces this module's own handler when
    called again, leaves other handlers (pytest's) alone."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = StderrHandler()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(formatter(fmt))
    root.addHandler(handler)
    root.setLevel(level)
    # SpiffWorkflow logs every task state change at INFO: a dozen lines per step in the log
    logging.getLogger("spiff").setLevel(logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # RQ logs four lines per job at INFO (taken, started, OK, completed): 120 lines a second at
    # 30 jobs a second. Each job is counted and timed in /metrics (gqtthc_rq_job_*); a job that
    # fails is still logged (ERROR), as is RQ's warning.
    logging.getLogger("rq.worker").setLevel(logging.WARNING)


_KNOWN_FAILURES = ("timed out", "cannot connect", "not JSON", "redirected", "content type", "bytes")


def failure(exc: BaseException) -> str:
    """How a call failed, for a log line, without the text of the error: a remote answer or a
    path can carry identity numbers and names (the whole message stays on the outbox row)."""
    status = getattr(exc, "status", None)
    text = str(exc)
    kind = next((word for word in _KNOWN_FAILURES if word in text), None)
    parts = [type(exc).__name__]
    if status is not None:
        parts.append(f"HTTP {status}")
    if kind is not None:
        parts.append(kind)
    return " ".join(parts)

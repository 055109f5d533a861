"""Structured logs (app/logs.py): one event per line, whatever the message holds."""

from __future__ import annotations

import io
import json
import logging

import pytest

from app import logs

HOSTILE = 'x\nFAKE {"level": "ERROR"}\r\n\u2028\u2029\x1b[31m\x00\ttab'


def emit(formatter: logging.Formatter, message: str, *args: object) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger("tests.logs")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(message, *args)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    return stream.getvalue()


def test_a_json_event_is_one_line_with_time_level_logger_message_and_context():
    with logs.bind(request_id="abc123", user="tiepnhan", dossier="000.00.01.H31-250101-0001"):
        out = emit(logs.JsonFormatter(), "outbox %s failed", 7)
    assert out.count("\n") == 1
    event = json.loads(out)
    assert event["level"] == "WARNING" and event["logger"] == "tests.logs"
    assert event["message"] == "outbox 7 failed"
    assert event["ts"].endswith("Z") and "T" in event["ts"]
    assert event["request_id"] == "abc123" and event["user"] == "tiepnhan"
    assert event["dossier"] == "000.00.01.H31-250101-0001"


@pytest.mark.parametrize("formatter", [logs.JsonFormatter(), logs.TextFormatter()])
def test_line_breaks_and_control_characters_never_start_a_new_line(formatter):
    with logs.bind(user=HOSTILE):
        out = emit(formatter, "input: %s", HOSTILE)
    assert len(out.splitlines()) == 1  # splitlines also splits on U+2028, U+2029, \x1c-\x1e
    assert not any(ord(c) < 0x20 for c in out.rstrip("\n"))
    if isinstance(formatter, logs.JsonFormatter):
        event = json.loads(out)
        assert event["message"] == f"input: {HOSTILE}" and event["user"] == HOSTILE


def test_an_exception_travels_inside_the_same_line():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger("tests.logs.exc")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("crashed")
    logger.removeHandler(handler)
    assert stream.getvalue().count("\n") == 1
    assert "ValueError: boom" in json.loads(stream.getvalue())["exception"]


def test_the_context_ends_with_its_block():
    with logs.bind(request_id=None, user=None, dossier=None, instance=None):
        with logs.bind(dossier="A", instance=1):
            with logs.bind(dossier="B"):
                assert logs.current() == {"dossier": "B", "instance": "1"}
            assert logs.current() == {"dossier": "A", "instance": "1"}
        assert logs.current() == {}


@pytest.mark.parametrize("offered", ["abc-123", "3f2a9c1e.req:7", "A" * 64])
def test_a_short_safe_request_id_is_kept(offered):
    assert logs.request_id(offered) == offered


@pytest.mark.parametrize(
    "offered",
    [None, "", "a b", "abc\nINFO forged", "x" * 65, "<script>", "id;rm -rf", "ab\u2028cd", "é"],
)
def test_any_other_request_id_is_replaced_by_a_new_one(offered):
    made = logs.request_id(offered)
    assert made != offered and len(made) == 32 and made.isalnum()


def test_a_failed_call_is_logged_by_its_kind_and_status_never_by_its_text():
    from app.integrations.errors import IntegrationError

    exc = IntegrationError(
        "GET /citizens/001090012345: HTTP 404 Nguyễn Văn An 0912345678", retryable=False, status=404
    )
    assert logs.failure(exc) == "IntegrationError HTTP 404"
    slow = IntegrationError("GET /citizens/001090012345: timed out after 2s", retryable=True)
    assert logs.failure(slow) == "IntegrationError timed out"

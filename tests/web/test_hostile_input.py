"""No 500 from bad input: every route, with hostile values in each path and query parameter
and a handful of hostile bodies, answers 4xx (or the page it would anyway), never 5xx, and
nothing is logged as an exception.

Each request goes as every persona the route's edge lets through (per tests/web/
test_access_table.py) and as an anonymous caller; refused personas never reach the view, so
their answer does not depend on the values. In tests Flask re-raises a view's exception, so an
unhandled one fails the walk with its type."""

from __future__ import annotations

import io
import logging
import re
import zipfile
from urllib.parse import quote

import pytest

from tests.web.test_access_table import ROWS, is_json, routes

HUGE = str(10**30)
# Hostile values for a path or query parameter (a bounded set, not random runs).
VALUES = (HUGE, "-1", "0", "Đơn-Ωμέγα-漢字²", "\x00", "a" * 3000, "../../etc/passwd")
# The query parameters each view reads (grep request.args / int_arg / page_arg in app/web).
QUERY = {
    "/": ("mahoso", "vnconnect"),
    "/inbox": ("page",),
    "/api/inbox": ("page",),
    "/dossiers": ("q", "page"),
    "/admin/calendar": ("year",),
    "/admin/calendar/<int:override_id>/delete": ("year",),
    "/admin/reorganisation/<int:plan_id>": ("page",),
    "/catalogs/<kind>": ("code",),
    "/documents/<int:document_id>/file": ("original",),
    "/dossiers/<code>/reuse": ("type_code",),
    "/models/<process_id>/edit": ("revision",),
    "/models/migrate": ("source", "target"),
    "/models/diff": ("old", "new"),
    "/supervisor/statistics": ("start", "end", "format"),
    "/supervisor/tasks": ("state", "procedure", "element", "assignee", "sort", "page"),
    "/citizen/dossiers/<code>": ("status",),
    "/citizen/login": ("next",),
    "/login": ("next",),
    "/tra-cuu": ("ma",),
    "/api/public/lookup": ("code",),
}
EVERY_PAGE = ("lang",)  # read by the translation layer on every request
# The fields the views read from forms (grep request.form in app/web), all set to HUGE.
FORM_FIELDS = {
    name: HUGE
    for name in (
        "year",
        "day",
        "kind",
        "version_id",
        "source",
        "target",
        "user_id",
        "declared_pages",
        "paper_count",
        "new_day",
        "to_agency",
        "reason",
        "note",
        "comment",
        "process_id",
        "type_code",
        "fingerprint",
        "plan_json",
        "plan_text",
        "cutover_at",
        "name",
        "amount",
        "code",
        "page",
    )
}
PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def through_the_edge(key: str) -> list[str]:
    """The personas the route's edge lets through, and an anonymous caller."""
    passing = [p for p, seen in ROWS[key].items() if seen not in ("login", "clogin", "401", "403")]
    return sorted({*passing, "anon"})


def path_with(world, rule, name: str, value: str) -> str:  # noqa: ANN001
    real = {**world.values, **world.overrides.get(rule.rule, {})}

    def fill(match: re.Match) -> str:
        given = value if match.group(1) == name else str(real[match.group(1)])
        return (
            quote(given, safe="")
            if ":" not in match.group(0) or "path:" not in match.group(0)
            else quote(given, safe="/")
        )

    return PARAMETER.sub(fill, rule.rule)


def send(world, persona: str, method: str, path: str, **body):  # noqa: ANN001, ANN003, ANN201
    client = world.clients[persona]
    headers = {"X-CSRFToken": world.tokens[persona], **body.pop("headers", {})}
    return client.open(path, method=method, headers=headers, **body)


def check(failures: list[str], label: str, world, *request, **body) -> None:  # noqa: ANN001, ANN003
    """Send one request; note a 5xx or an exception that escaped the app."""
    try:
        response = send(world, *request, **body)
    except Exception as exc:  # noqa: BLE001 - an unhandled exception is exactly the finding
        failures.append(f"{label}: raised {type(exc).__name__}: {str(exc)[:120]}")
        return
    if response.status_code >= 500:
        failures.append(f"{label}: {response.status_code}")


def keys_without_session_end() -> list[str]:
    return [k for k in ROWS if k not in ("POST /logout", "POST /citizen/logout")]


def hostile_requests(world, key: str, rule):  # noqa: ANN001, ANN201
    """(persona, path) pairs: each path parameter as every persona through the edge (what
    they may see differs), each query parameter as one of them and an anonymous caller (the
    edge does not read the query), `lang` once."""
    passing = through_the_edge(key)
    one = [next((p for p in passing if p != "anon"), "anon"), "anon"]
    for name in rule.arguments:
        for value in VALUES:
            for persona in passing:
                yield persona, f"{name}={value[:20]!r}", path_with(world, rule, name, value)
    queries = [(n, sorted(set(one))) for n in QUERY.get(rule.rule, ())]
    if key.startswith("GET "):
        queries += [(n, one[:1]) for n in EVERY_PAGE]
    for name, personas in queries:
        for value in VALUES:
            for persona in personas:
                path = f"{world.path(rule)}?{name}={quote(value, safe='')}"
                yield persona, f"?{name}={value[:20]!r}", path


def test_hostile_path_and_query_values_never_give_a_5xx(world, caplog):
    caplog.set_level(logging.ERROR)
    failures: list[str] = []
    present = routes(world.app)
    for key in keys_without_session_end():
        method, _ = key.split(" ", 1)
        rule = present[key]
        data = {"json": {}} if method == "POST" and is_json(rule) else {}
        for persona, what, path in hostile_requests(world, key, rule):
            check(failures, f"{key} as {persona}, {what}", world, persona, method, path, **data)
    assert failures == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def _bad_crc_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("model.bpmn", "<definitions/>" * 20)
    data = bytearray(buffer.getvalue())
    start = data.index(b"<definitions/>")
    data[start] ^= 0xFF  # the member's bytes no longer match its CRC-32
    return bytes(data)


JSON_BODIES = {
    "depth 10,000": _nested(10_000),
    "5 MB": b'{"comment": "' + b"x" * (5 * 1024 * 1024) + b'"}',
    "a list": b"[1, 2, 3]",
    "a string": b'"files"',
    "wrong types": (
        b'{"files": {"a.bpmn": 5}, "kind": ["script"], "source": {"a": 1}, "schema": 1e999,'
        b' "comment": null, "amount": 1000000000000000000000000000000, "revision": -1,'
        b' "base_version_id": 100000000000000000000000000000, "documents": "x", "reason": 7}'
    ),
    "not JSON": b"{'files': nope",
}


def test_hostile_bodies_are_refused_with_a_4xx(world, caplog):
    caplog.set_level(logging.ERROR)
    failures: list[str] = []
    present = routes(world.app)
    for key in keys_without_session_end():
        if not key.startswith("POST "):
            continue
        rule = present[key]
        for persona in through_the_edge(key):
            path = world.path(rule)
            if is_json(rule):
                for name, body in JSON_BODIES.items():
                    label = f"{key} as {persona}, {name}"
                    headers = {"Content-Type": "application/json"}
                    check(failures, label, world, persona, "POST", path, data=body, headers=headers)
            else:
                label = f"{key} as {persona}, huge numbers"
                check(failures, label, world, persona, "POST", path, data=FORM_FIELDS)
    assert failures == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize(
    ("name", "data"),
    [("bad CRC", _bad_crc_zip()), ("not a zip", b"PK\x03\x04 this is not a zip at all")],
)
def test_a_broken_zip_is_refused_with_422_and_a_message(world, name, data):
    for persona in ("ana", "adm"):
        response = send(
            world,
            persona,
            "POST",
            "/models/import",
            data={"bundle": (io.BytesIO(data), "bundle.zip"), "process_id": "counter_dossier"},
            content_type="multipart/form-data",
        )
        assert response.status_code == 422, name
        assert "zip" in response.get_data(as_text=True)


def test_json_too_deep_or_too_large_is_refused_with_400_or_413_and_a_message(world):
    deep = send(
        world,
        "ana",
        "POST",
        "/models/check-code",
        data=_nested(100),
        headers={"Content-Type": "application/json"},
    )
    assert deep.status_code == 400 and "lồng quá sâu" in deep.get_json()["error"]
    large = send(
        world,
        "ana",
        "POST",
        "/models/check-code",
        data=JSON_BODIES["5 MB"],
        headers={"Content-Type": "application/json"},
    )
    assert large.status_code == 413 and "quá lớn" in large.get_json()["error"]


def test_huge_or_negative_ids_in_paths_are_404_and_in_queries_422(world):
    client = world.clients["ana"]
    assert client.get(f"/models/versions/{HUGE}.zip").status_code == 404
    assert client.get("/models/versions/-1.zip").status_code == 404
    assert client.get("/models/versions/0.zip").status_code == 404
    assert client.get(f"/models/diff?old={HUGE}&new=1").status_code == 422
    assert client.get("/dossiers?page=-3").status_code == 422

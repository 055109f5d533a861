"""One language at a time: every page an officer or a citizen may open reads in English under
`?lang=en` (no Vietnamese letter outside the data the page shows), every error page too, the
English catalog holds every message the code, the templates and the shipped models mark, and
the Vietnamese pages carry no English navigation."""

from __future__ import annotations

import io
import json
import re
import unicodedata
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask import Flask
from sqlalchemy import JSON, String, Text, select
from werkzeug.datastructures import MultiDict

from app import settings
from app.integrations.simulators.national import DEMO_RECORDS as NATIONAL_RECORDS
from app.integrations.simulators.portal_tthc_data import catalogue as national_catalogue
from app.models.base import Base
from app.storage.db import db
from app.web import forms, i18n
from app.web.documents import verdict_text
from app.web.i18n_extract import extract_bpmn
from tests.web.access_world import PERSONAS
from tests.web.test_access_table import ROWS, is_json, routes

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
EXTRACTED = ("app", "templates", "bpmn", "worker")
# Letters only Vietnamese writes among the languages of this system: đ and any Latin letter
# carrying a diacritic (English text has none of them).
VIETNAMESE_ONLY = frozenset("đĐ")
# Attributes a reader sees or hears (tooltips, placeholders, screen readers).
VISIBLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
FORMS = sorted((ROOT / "bpmn" / "forms").glob("*.schema.json"))


def is_vietnamese_letter(char: str) -> bool:
    """True for đ/Đ and for a Latin letter with a diacritic (ă, ê, ơ, ư, ạ, ế …)."""
    if char in VIETNAMESE_ONLY:
        return True
    if not char.isalpha() or char.isascii():
        return False
    base = unicodedata.normalize("NFD", char)
    return base[0].isascii() and base[0].isalpha() and len(base) > 1


def vietnamese_bits(text: str) -> list[str]:
    """The words of `text` written with a Vietnamese letter."""
    return [w for w in re.findall(r"\w+", text) if any(is_vietnamese_letter(c) for c in w)]


class _VisibleText(HTMLParser):
    """The text a reader sees: text nodes outside script/style, and the visible attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        self.chunks.extend(v for k, v in attrs if k in VISIBLE_ATTRIBUTES and v)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden = max(self._hidden - 1, 0)

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.chunks.append(data.strip())


def visible_chunks(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    return parser.chunks


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def shipped_messages() -> set[str]:
    """Every msgid the code, the templates and the shipped models mark for translation."""
    return {message for message, _ in extracted()}


def data_values() -> list[str]:
    """The strings stored in the database (names, notes, titles given by people), longest
    first. A stored copy of a shipped message (a step title from a shipped model, a status's
    name kept in an audit event) is not data: the screen must translate it."""
    shipped = shipped_messages()
    found: set[str] = set()
    with db.transaction() as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
            if not columns:
                continue
            for row in session.execute(select(*columns)):
                for value in row:
                    found.update(s.strip() for s in _strings(value) if vietnamese_bits(s))
    found.add(settings.current.PROVINCE_NAME)  # the province's own name, shown in page titles
    # what the portal's national catalogue says (names, sectors, executing levels) is its data,
    # shown as the portal wrote it on the diff before it is applied
    found.update(s.strip() for s in _strings(national_catalogue()) if vietnamese_bits(s))
    # what the national databases hold for a citizen (issuer, names) is their data, shown on
    # the reuse panel as the database wrote it (002 §5.b Bước 2)
    found.update(s.strip() for s in _strings(NATIONAL_RECORDS) if vietnamese_bits(s))
    return sorted((v for v in found if v not in shipped), key=len, reverse=True)


def untranslated(html: str, data: list[str]) -> list[str]:
    """The visible chunks of `html` still holding Vietnamese once the data values are out."""
    left = []
    for chunk in visible_chunks(html):
        for value in data:
            if value in chunk:
                chunk = chunk.replace(value, " ")
        if vietnamese_bits(chunk):
            left.append(chunk)
    return left


def _pages() -> list[tuple[str, str]]:
    """(persona, "GET path") for every HTML page the table says the persona may open."""
    return [
        (persona, key)
        for key, outcomes in ROWS.items()
        for persona in PERSONAS
        if key.startswith("GET ") and outcomes[persona] == "ok" and "static" not in key
    ]


@pytest.fixture(scope="module")
def data(world) -> list[str]:
    with world.app.app_context():
        return data_values()


@pytest.mark.slow
@pytest.mark.parametrize(("persona", "key"), _pages())
def test_every_page_reads_in_english_outside_data_values(world, data, persona, key):
    rule = routes(world.app)[key]
    if is_json(rule):
        pytest.skip("JSON, not a page")
    path = world.path(rule)
    response = world.clients[persona].get(path, query_string={"lang": "en"})
    if response.status_code != 200 or response.mimetype != "text/html":
        pytest.skip(f"{path}: {response.status_code} {response.mimetype}, not a page")
    left = untranslated(response.get_data(as_text=True), data)
    assert left == [], f"{persona} GET {path}?lang=en shows Vietnamese: {left}"


def _error_pages(world) -> dict[str, Any]:
    """One response per error status, each asked for in English."""
    rec, task = world.clients["rec"], world.values["task_id"]
    en = {"lang": "en"}
    post = {"csrf_token": world.tokens["rec"]}
    return {
        "404": rec.get("/no-such-page", query_string=en),
        "404 dossier": rec.get("/dossiers/KHONG-CO", query_string=en),
        "403": rec.get("/admin/calendar", query_string=en),
        "409": rec.post(f"/tasks/{task}/unclaim", data=post, query_string=en),
        "422": rec.post("/counter/new", data=post, query_string=en),
        "400 csrf": rec.post("/counter/new", data={}, query_string=en),
    }


@pytest.mark.slow
def test_every_error_page_reads_in_english(world, data):
    pages = _error_pages(world)
    for name, response in pages.items():
        assert str(response.status_code) == name.split()[0], f"{name}: {response.status_code}"
    failures = {
        name: left
        for name, response in pages.items()
        if (left := untranslated(response.get_data(as_text=True), data))
    }
    assert failures == {}, f"error pages showing Vietnamese in English mode: {failures}"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/api/tasks/no-such-task/claim", {}, 404),  # a service's error
        ("/api/tasks/{task}/complete", [1], 422),  # the web layer's own
    ],
)
def test_an_error_as_json_is_text_in_the_readers_language(world, path, body, status):
    response = world.clients["rec"].post(
        path.format(task=world.values["task_id"]),
        json=body,
        headers={"X-CSRFToken": world.tokens["rec"]},
        query_string={"lang": "en"},
    )
    answer = response.get_json()
    assert response.status_code == status, answer
    assert isinstance(answer["error"], str) and answer["error"]
    assert vietnamese_bits(answer["error"]) == [], answer


@pytest.mark.slow
def test_the_vietnamese_pages_show_no_english_navigation(world):
    rec = world.clients["rec"]
    rec.get("/lang/vi")
    inbox = " ".join(visible_chunks(rec.get("/inbox").get_data(as_text=True)))
    dossier = world.path(routes(world.app)["GET /dossiers/<code>"])
    page = " ".join(visible_chunks(rec.get(dossier).get_data(as_text=True)))
    for english in ("Inbox", "Dossiers", "Receive", "Log out", "Change password"):
        assert english not in inbox
    assert "Hộp công việc" in inbox and "Đăng xuất" in inbox
    for english in ("Processing steps", "Processing log", "Procedure", "Received on"):
        assert english not in page
    assert "Các bước xử lý" in page and "Nhật ký xử lý" in page


@pytest.mark.slow
def test_the_english_pages_show_the_english_navigation(world):
    rec = world.clients["rec"]
    inbox = " ".join(visible_chunks(rec.get("/inbox?lang=en").get_data(as_text=True)))
    rec.get("/lang/vi")
    assert "Inbox" in inbox and "Log out" in inbox
    assert "Hộp công việc" not in inbox


def extracted() -> list[tuple[str, str]]:
    """(msgid, file) for every message Babel's extraction finds, with the project's mapping."""
    with (TRANSLATIONS / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "_l": None}
    found = []
    for folder in EXTRACTED:
        for filename, _lineno, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map, options_map, keywords=keywords
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found.append((msgid, f"{folder}/{filename}"))
    return found


def test_the_english_catalog_holds_every_marked_message():
    with (TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    missing: dict[str, list[str]] = {}
    for msgid, where in extracted():
        entry = catalog.get(msgid)
        if entry is None or not entry.string or entry.fuzzy:
            missing.setdefault(where, []).append(msgid)
    count = sum(len(v) for v in missing.values())
    assert missing == {}, f"{count} messages without English, by file: {missing}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hộp công việc", ["Hộp", "công", "việc"]),
        ("Đăng xuất", ["Đăng", "xuất"]),
        ("Inbox · Sign out — 12/05/2026 ≠ ×", []),
        ("Phòng Hành chính tư pháp", ["Phòng", "Hành", "chính", "tư", "pháp"]),
    ],
)
def test_the_scan_finds_vietnamese_words_and_only_them(text, expected):
    assert vietnamese_bits(text) == expected


def _bare_app() -> Flask:
    """Only the translation layer: enough to render a form in a language."""
    app = Flask(__name__)
    i18n.init_app(app)
    return app


@pytest.mark.parametrize("schema_file", FORMS, ids=lambda p: p.name)
def test_every_shipped_form_renders_in_english(schema_file):
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    with _bare_app().test_request_context("/?lang=en"):
        fields = forms.fields(schema)
        errors = forms.parse(schema, MultiDict({n: "x" for n in schema["properties"]}))[1]
    shown = [f.label for f in fields] + [f.help for f in fields] + list(errors.values())
    shown += [title for f in fields for _, title in f.options]
    assert fields and [t for t in shown if vietnamese_bits(t)] == []


def test_every_shipped_step_title_and_lane_has_english():
    app = _bare_app()
    for model in sorted((ROOT / "bpmn").glob("*.bpmn")):
        with model.open("rb") as handle:
            names = [message for _, _, message, _ in extract_bpmn(handle, None, None, None)]
        with app.test_request_context("/?lang=en"):
            assert names and [n for n in names if vietnamese_bits(i18n.tr(n))] == [], model.name


def test_a_label_outside_the_catalog_shows_as_written():
    schema = {"properties": {"ghi_chu": {"type": "integer", "title": "Ghi chú riêng của tỉnh"}}}
    with _bare_app().test_request_context("/?lang=en"):
        [field] = forms.fields(schema)
        errors = forms.parse(schema, MultiDict({"ghi_chu": "abc"}))[1]
    assert field.label == "Ghi chú riêng của tỉnh"
    assert errors == {"ghi_chu": "«Ghi chú riêng của tỉnh» must be a whole number"}


def test_a_model_declaring_a_doctype_is_refused_by_the_extractor():
    hostile = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x/>'
    with pytest.raises(ValueError, match="DOCTYPE"):
        list(extract_bpmn(io.BytesIO(hostile), None, None, None))


def test_a_signature_verdict_reads_in_english():
    verdict = {
        "state": "valid",
        "signer": "Sở Tư pháp",
        "signed_at": "2026-11-30T03:00:00+00:00",
        "message": "Chữ ký hợp lệ: Sở Tư pháp, ký lúc 30/11/2026 10:00:00; …",
    }
    with _bare_app().test_request_context("/?lang=en"):
        shown = verdict_text(verdict)
    assert shown == (
        "Valid signature: Sở Tư pháp, signed at 30/11/2026 10:00:00; "
        "the content has not changed since signing"
    )

"""The administrator's, analyst's and citizen's screens in one language: every message they
show has its English in the catalog, and in English mode their content reads in English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from app import settings
from tests.web.helpers import login

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "app/translations/en/LC_MESSAGES/messages.po"
TEMPLATES = [
    *(ROOT / "templates").glob("admin_*.html"),
    *(ROOT / "templates").glob("catalog_*.html"),
    *(ROOT / "templates").glob("reorganisation*.html"),
    *(ROOT / "templates").glob("models*.html"),
    *(ROOT / "templates").glob("citizen_*.html"),
    *(ROOT / "templates").glob("public_*.html"),
    *(
        ROOT / "templates" / name
        for name in ("modeler.html", "_catalog_nav.html", "_reorg_nav.html", "_date_input.html")
    ),
]
MODULES = [
    ROOT / "app/web" / f"{name}.py"
    for name in (
        "admin",
        "catalogs",
        "catalog_sync",
        "reorganisation",
        "models",
        "modeler",
        "citizen",
        "public",
        "formatting",
    )
]
KEYWORDS = {"_": None, "_l": None, "gettext": None, "ngettext": (1, 2)}
VIETNAMESE = re.compile(
    r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.IGNORECASE
)


def _messages(path: Path) -> list[str | tuple[str, ...]]:
    method = "python" if path.suffix == ".py" else "jinja2"
    return [m[1] for m in extract_from_file(method, str(path), keywords=KEYWORDS)]


@pytest.mark.parametrize("path", TEMPLATES + MODULES, ids=lambda p: p.name)
def test_every_message_of_the_screen_has_its_english(path):
    with CATALOG.open("rb") as po:
        catalog = read_po(po)
    messages = _messages(path)
    assert messages, f"{path.name} shows no message through gettext"
    untranslated = []
    for message in messages:
        key = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(key)
        strings = entry.string if entry else None
        if not strings or (isinstance(strings, tuple) and not all(strings)):
            untranslated.append(key)
    assert not untranslated, f"run pybabel extract/update and translate: {untranslated}"


def _main(html: str) -> str:
    """The page's own content: what the base around it shows is another page's concern."""
    return html[html.index("<main>") : html.index("</main>")]


def _vietnamese_words(html: str) -> list[str]:
    """Words with Vietnamese letters, place names aside (they keep their spelling in English)."""
    text = re.sub(r"<[^>]+>", " ", html).replace("Hưng Yên", "")
    return [w for w in text.split() if VIETNAMESE.search(w)]


@pytest.mark.parametrize("page", ["/admin/calendar?year=2026", "/admin/reorganisation"])
def test_administration_pages_read_in_english(client, page):
    login(client, "quantri")
    html = client.get(f"{page}{'&' if '?' in page else '?'}lang=en").get_data(as_text=True)
    assert _vietnamese_words(_main(html)) == []


def test_the_former_portal_notice_reads_in_english(client):
    html = client.get("/dich-vu-cong/nop-ho-so?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "From 1 July 2025" in html
    assert '<a href="https://dichvucong.gov.vn">https://dichvucong.gov.vn</a>' in html
    assert '<span id="seconds">10</span> seconds' in html
    assert _vietnamese_words(_main(html)) == []


def test_the_citizen_welcome_reads_in_english(client, monkeypatch):
    # a deployment that keeps its own public pages (closed, /citizen/welcome is the notice)
    monkeypatch.setattr(settings.current, "PUBLIC_PORTAL_CLOSED", False)
    html = client.get("/citizen/welcome?lang=en").get_data(as_text=True)
    assert "Online public services" in html
    assert _vietnamese_words(html[html.index("<header") :]) == []

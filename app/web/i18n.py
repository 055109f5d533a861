"""Translation layer: Vietnamese is the source language; English comes from a catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, has_request_context, request, session
from flask_babel import Babel, get_locale
from flask_babel import gettext as _gettext

from app.domain.roles import ROLE_LABELS_VI

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def tr(value: Any) -> str:
    """A shipped text kept as data (a status's name, a role, a step title or a form label of
    a shipped model) in the reader's language; a text the catalog does not hold (an analyst's
    new model, a name typed by someone) shows as written."""
    written = "" if value is None else str(value)
    return _gettext(written) if written.strip() else written


def role_label(code: str | None) -> str:
    """A role's name in the reader's language (the code itself when it names no role)."""
    return tr(ROLE_LABELS_VI.get(code or "", code or ""))


def select_locale() -> str:
    """The reader's language; Vietnamese outside a request (the CLI, a worker, a job)."""
    if not has_request_context():
        return "vi"
    chosen = request.args.get("lang") or session.get("lang")
    return chosen if chosen in ("vi", "en") else "vi"


def compile_catalogs() -> None:
    """Build each .mo from its .po when missing or older (the .mo files are not in git)."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp.replace(mo_path)


def init_app(app: Flask) -> None:
    compile_catalogs()
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["current_language"] = lambda: str(get_locale() or "vi")
    app.jinja_env.filters["tr"] = tr

    @app.before_request
    def _remember_language() -> None:
        if request.args.get("lang") in ("vi", "en"):
            session["lang"] = request.args["lang"]

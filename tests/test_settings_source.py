"""One configuration source: project settings are read from `app.settings.current`.

`app.bootstrap.configure` sets it in every process (web, worker, scheduler, CLI), so a setting
reads the same with or without a Flask application. Flask and its extensions still read their
own keys (SECRET_KEY, SESSION_COOKIE_*, REMEMBER_COOKIE_*, MAX_CONTENT_LENGTH, BABEL_*, WTF_*)
from `app.config`, filled from the same class by `create_app`; the project's code reads none.
The portal simulator is a separate Flask application with its own keys and is left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

from app import settings
from config import ROOT

SCANNED = ("app", "worker")
SEPARATE_APPS = (ROOT / "app" / "integrations" / "simulators",)
FLASK_OBJECTS = {"current_app", "app", "application"}


def _is_flask_config(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "config"
        and isinstance(node.value, ast.Name)
        and node.value.id in FLASK_OBJECTS
    )


def flask_config_reads(source: str) -> list[int]:
    """Lines reading a key of `current_app.config` / `app.config` (`[...]` or `.get(...)`);
    filling it (`from_object`, `setdefault` of Flask's own keys) is not reading a setting."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        subscript = (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and _is_flask_config(node.value)
        )
        get = (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and _is_flask_config(node.func.value)
        )
        if subscript or get:
            lines.append(node.lineno)
    return sorted(lines)


def _project_files() -> list[Path]:
    files = [p for folder in SCANNED for p in sorted((ROOT / folder).rglob("*.py"))]
    return [p for p in files if not any(p.is_relative_to(s) for s in SEPARATE_APPS)]


def test_the_detector_finds_every_way_of_reading_flasks_config():
    planted = (
        "from flask import current_app\n"
        "a = current_app.config['REDIS_URL']\n"
        "b = current_app.config.get('RQ_QUEUE')\n"
        "def f(app):\n"
        "    return app.config['PROXY_HOPS']\n"
        "c = settings.current.REDIS_URL\n"
        "app.config.from_object(Config)\n"
        "app.config['SYSTEM_URL'] = 'http://x'\n"
    )
    assert flask_config_reads(planted) == [2, 3, 5]


def test_no_project_code_reads_settings_from_flasks_config():
    files = _project_files()
    assert any(p.name == "jobs.py" for p in files) and any(p.parts[-2] == "services" for p in files)
    found = [
        f"{p.relative_to(ROOT)}:{line}"
        for p in files
        for line in flask_config_reads(p.read_text(encoding="utf-8"))
    ]
    assert found == [], "read project settings from app.settings.current instead"


def test_the_app_and_the_process_share_one_configuration(app):
    assert app.config["RQ_QUEUE"] == settings.current.RQ_QUEUE
    assert app.config["SECRET_KEY"] == settings.current.SECRET_KEY

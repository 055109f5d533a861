"""HTTT GQTTHC: the one-stop system (hệ thống thông tin giải quyết thủ tục hành chính)."""

from __future__ import annotations

from flask import Flask

import config as config_module
from app import bootstrap
from config import ROOT, Config


def create_app(config: type[Config] | None = None) -> Flask:
    """The application factory: configure, then register the web layer and the CLI.
    Raises app.installation.InsecureConfiguration in production with unsafe secrets."""
    cfg = bootstrap.configure(config or config_module.load())
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(cfg)

    from app import cli, web

    web.register(app)
    cli.register(app)
    return app

"""Wiring for any process (web, worker, scheduler, CLI): configuration and the database."""

from __future__ import annotations

from app import installation, settings
from app.storage.db import db
from config import Config


def configure(config: type[Config]) -> type[Config]:
    """Set up this process with `config`, its secrets completed (app.installation.resolve:
    production refuses unsafe ones); returns the configuration in force."""
    config = installation.resolve(config)
    settings.current = config
    db.configure(config.DATABASE_URL)
    return config


def ensure_configured() -> None:
    """Configure from the environment unless this process was configured already."""
    if db.engine is None:
        import config as config_module

        configure(config_module.load())

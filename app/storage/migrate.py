"""Running Alembic migrations programmatically (the schema is created by Alembic only)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config as AlembicConfig

from app.storage.db import normalise_url
from config import ROOT


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)

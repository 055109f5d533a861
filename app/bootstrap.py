"""Wiring for any process (web, worker, scheduler, CLI): configuration and the database."""

from __future__ import annotations

from app import installation, logs, settings
from app.engine import limits
from app.storage.db import db
from config import Config


def configure(config: type[Config]) -> type[Config]:
    """Set up this process with `config`, its secrets completed (app.installation.resolve:
    production refuses unsafe ones); returns the configuration in force."""
    config = installation.resolve(config)
    settings.current = config
    logs.setup(config.LOG_FORMAT, config.LOG_LEVEL)
    limits.configure(script_limits(config))
    db.configure(config.DATABASE_URL)
    return config


def script_limits(config: type[Config]) -> limits.Limits:
    """The engine's hard limits on scripts and operations, from the configuration."""
    return limits.Limits(
        cpu_seconds=config.SCRIPT_CPU_SECONDS,
        max_int_bits=config.SCRIPT_MAX_INT_BITS,
        max_items=config.SCRIPT_MAX_ITEMS,
        max_string=config.SCRIPT_MAX_STRING,
        max_memory=int(config.SCRIPT_MAX_MEMORY_MB * 1024 * 1024),
        max_steps=config.SCRIPT_MAX_STEPS,
        engine_max_steps=config.ENGINE_MAX_STEPS,
        engine_cpu_seconds=config.ENGINE_CPU_SECONDS,
    )


def ensure_configured() -> None:
    """Configure from the environment unless this process was configured already."""
    if db.engine is None:
        import config as config_module

        configure(config_module.load())

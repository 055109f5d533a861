"""`flask seed-demo`: the demo officers share a published password, so production never seeds."""

from __future__ import annotations

from sqlalchemy import func, select

import config
from app import settings
from app.models import User
from app.storage.db import db


def test_production_settings_turn_demo_data_off():
    assert config.ProductionConfig.DEMO_DATA is False
    assert config.DevelopmentConfig.DEMO_DATA is True


def test_seed_demo_is_refused_and_creates_no_account_where_demo_data_is_off(app, monkeypatch):
    with db.transaction() as session:
        before = session.scalar(select(func.count()).select_from(User))
    monkeypatch.setattr(settings.current, "DEMO_DATA", False)
    with app.app_context():  # as `flask` itself runs every command
        result = app.test_cli_runner().invoke(args=["seed-demo", "--officers", "3"])
    assert result.exit_code != 0
    assert "DEMO_DATA" in result.output
    assert "demo1234" not in result.output
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(User)) == before

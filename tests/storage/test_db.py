"""The database handle: URLs, after-commit hooks, rollback."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.storage.db import Database, after_commit, normalise_url


def test_plain_postgresql_urls_use_the_psycopg3_driver():
    assert normalise_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalise_url("postgres://h/db") == "postgresql+psycopg://h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_after_commit_hooks_run_only_when_the_transaction_commits(tmp_path):
    database = Database()
    database.configure(f"sqlite:///{tmp_path / 'x.db'}")
    ran: list[str] = []
    with database.transaction() as session:
        session.execute(text("CREATE TABLE t (v INTEGER)"))
        after_commit(session, lambda: ran.append("committed"))
    with pytest.raises(RuntimeError, match="fail half-way"), database.transaction() as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        after_commit(session, lambda: ran.append("rolled back"))
        raise RuntimeError("fail half-way")
    with database.transaction() as session:
        assert session.execute(text("SELECT count(*) FROM t")).scalar() == 0
    assert ran == ["committed"]

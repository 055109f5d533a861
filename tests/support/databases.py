"""The `database_url` of tests that run on SQLite and on a real PostgreSQL server: a module (or
a conftest) imports it, and its tests run once on each."""

from __future__ import annotations

import pytest

from tests.conftest import _postgres_url, _sqlite_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, sqlite_template, tmp_path) -> str:
    if request.param == "sqlite":
        return _sqlite_url(sqlite_template, tmp_path)
    return _postgres_url(request.getfixturevalue("pg_server"))

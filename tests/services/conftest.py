"""Service tests run on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from tests.support.databases import database_url  # noqa: F401 - a fixture: both databases

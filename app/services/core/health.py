"""Readiness (sẵn sàng phục vụ): can this process serve now? The database answers, Redis
answers, the file store takes and gives back a file, and the schema is at the newest
migration. Each check is short and bounded by a timeout; a load balancer asks every few
seconds, so the migration check (the one that reads Alembic's scripts) is kept a few seconds."""

from __future__ import annotations

import os
import threading
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from redis import Redis
from sqlalchemy import text

from app import settings
from app.storage.db import db

# A readiness answer on the schema is reused this long (seconds): a deploy is seen in time.
MIGRATIONS_CACHE_SECONDS = 5.0
REDIS_TIMEOUT = 1.0
PROBE_CONTENT = b"readyz"


@dataclass(frozen=True)
class Check:
    """One part's answer: its name, whether it is usable, and why not (never a secret)."""

    name: str
    ok: bool
    detail: str = ""


def readiness() -> list[Check]:
    """Every part this process needs, checked now (the schema at most every few seconds)."""
    return [_database(), _redis(), _file_store(), _migrations()]


def _failed(name: str, exc: BaseException) -> Check:
    # The exception's type only: its text may carry a host name, a user or a path.
    return Check(name, False, type(exc).__name__)


def _database() -> Check:
    try:
        if db.engine is None:
            return Check("database", False, "not configured")
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            # Ended with a COMMIT, not the pool's ROLLBACK: the probe's connection is one of
            # the pool's, and psycopg forgets every statement prepared on a connection that
            # rolls back (DEALLOCATE ALL): a probe every few seconds would have PostgreSQL
            # plan the services' statements afresh.
            connection.commit()
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        return _failed("database", exc)
    return Check("database", True)


def _redis() -> Check:
    try:
        client = Redis.from_url(
            settings.current.REDIS_URL,
            socket_connect_timeout=REDIS_TIMEOUT,
            socket_timeout=REDIS_TIMEOUT,
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # noqa: BLE001
        return _failed("redis", exc)
    return Check("redis", True)


def _file_store() -> Check:
    """Write, read back and remove a small file beside the stored documents (the folder is
    made if missing, as the store itself does on its first document: a fresh installation is
    ready; one that cannot make it is not)."""
    root = Path(settings.current.FILE_STORE)
    probe = root / f".readyz-{os.getpid()}-{uuid.uuid4().hex}"
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(PROBE_CONTENT)
        try:
            if probe.read_bytes() != PROBE_CONTENT:
                return Check("file_store", False, "read back differs")
        finally:
            probe.unlink(missing_ok=True)
    except Exception as exc:  # noqa: BLE001
        return _failed("file_store", exc)
    return Check("file_store", True)


_migrations_lock = threading.Lock()
_migrations_seen: tuple[float, str, Check] | None = None


def _migrations() -> Check:
    """The database's Alembic revision is the scripts' head (answer kept a few seconds)."""
    global _migrations_seen
    url = settings.current.DATABASE_URL
    with _migrations_lock:
        seen = _migrations_seen
        fresh = seen is not None and time.monotonic() - seen[0] < MIGRATIONS_CACHE_SECONDS
        if seen is not None and fresh and seen[1] == url:
            return seen[2]
        check = _schema_check()
        _migrations_seen = (time.monotonic(), url, check)
        return check


def _schema_check() -> Check:
    from alembic.runtime.migration import MigrationContext

    try:
        if db.engine is None:
            return Check("migrations", False, "not configured")
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
            connection.commit()  # as in _database: the prepared statements are kept
    except Exception as exc:  # noqa: BLE001
        return _failed("migrations", exc)
    heads = _script_heads()
    if current != heads:
        found, wanted = ", ".join(sorted(current)) or "none", ", ".join(sorted(heads))
        return Check("migrations", False, f"database at {found}, code at {wanted}")
    return Check("migrations", True)


@lru_cache(maxsize=1)
def _script_heads() -> frozenset[str]:
    """The revisions the code expects (its scripts do not change while it runs)."""
    from alembic.script import ScriptDirectory

    from app.storage.migrate import alembic_config

    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())

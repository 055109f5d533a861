"""The database handle and the one transaction helper every service uses."""

from __future__ import annotations

import select
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, event, exc
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

AfterCommit = Callable[[], None]


class Database:
    """Holds the engine and session factory; `transaction()` is the unit of work."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None

    def configure(self, url: str) -> None:
        url = normalise_url(url)
        if self.engine is not None and self.engine.url.render_as_string(False) == url:
            return
        if self.engine is not None:
            self.engine.dispose()
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine is not None and self.engine.dialect.name == "sqlite"

    def session(self) -> Session:
        if self._sessions is None:
            raise RuntimeError("database not configured")
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Run the block in one transaction; after-commit hooks run only if it committed."""
        session = self.session()
        session.info["after_commit"] = []
        try:
            yield session
            for hook in session.info.pop("before_commit", []):
                hook(session)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            hooks: list[AfterCommit] = session.info.pop("after_commit", [])
            session.close()
        for hook in hooks:
            hook()


def before_commit(session: Session, hook: Callable[[Session], None]) -> None:
    """Run `hook(session)` at the end of the block, inside the transaction, before COMMIT."""
    session.info.setdefault("before_commit", []).append(hook)


def hold(session: Session, row: object) -> None:
    """Keep a loaded row in the session for the rest of its transaction. The identity map
    holds rows weakly: once nothing refers to a row, a later `session.get` or lazy load of it
    reads it from the database again. Only for a row the transaction does not change with a
    Core UPDATE (as the projection writes a dossier's status): the held copy would not see it."""
    session.info.setdefault("held", []).append(row)


def after_commit(session: Session, hook: AfterCommit) -> None:
    """Run `hook` once the session's transaction has committed (never on rollback)."""
    session.info.setdefault("after_commit", []).append(hook)


# psycopg's prepared statements per connection: a statement run this many times on a connection
# is prepared on its next run; at most PREPARED_MAX are kept (psycopg's defaults: 5 and 100;
# a worker runs ~150 distinct statements).
PREPARE_THRESHOLD = 2
PREPARED_MAX = 200


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    # A connection PostgreSQL dropped while it sat in the pool (a restart, a failover, an idle
    # timeout, pg_terminate_backend) is noticed when taken from the pool and replaced, instead of
    # failing the next request: see _dropped_while_idle (no round trip, unlike pool_pre_ping).
    # connect_timeout: a database that drops packets (a network partition, a host gone) fails a
    # new connection after 10 s instead of the kernel's TCP timeout, so /readyz and requests
    # answer; a `connect_timeout` in the URL's query wins.
    connect_args = {} if "connect_timeout=" in url else {"connect_timeout": 10}
    engine = create_engine(
        url,
        pool_recycle=1800,
        pool_size=10,
        max_overflow=20,
        pool_use_lifo=True,  # see _prepared_sooner
        connect_args=connect_args,
    )
    event.listen(engine, "checkout", _dropped_while_idle)
    event.listen(engine, "connect", _prepared_sooner)
    return engine


def _prepared_sooner(dbapi_connection, _record) -> None:  # noqa: ANN001
    """Have psycopg prepare a statement on its third run on a connection (not its sixth),
    keeping up to PREPARED_MAX of them. A prepared statement is parsed once per connection,
    not on every run; what the services run per dossier (about 130 statements, most a few
    times) reached the sixth run late, on connections the pool handed out in turn. The pool
    is LIFO for the same reason: a worker's or a request's next transaction takes the
    connection that was just used, whose statements are prepared, instead of the one that
    waited longest (bench/throughput.py, in turns: PostgreSQL's CPU a dossier ~10 % less)."""
    dbapi_connection.prepare_threshold = PREPARE_THRESHOLD
    dbapi_connection.prepared_max = PREPARED_MAX


def _dropped_while_idle(dbapi_connection, _record, _proxy) -> None:  # noqa: ANN001
    """Refuse a pooled connection that the server has closed (the pool then opens a new one).

    An idle connection has nothing to read: when PostgreSQL ends a session (shutdown, restart,
    a terminated backend) it sends its last message and closes the socket, which makes the
    socket readable. Looking costs one poll of the socket, where pool_pre_ping's SELECT 1 cost
    a round trip and the server's work on every checkout (~70 a dossier in the workers). A
    silent network failure is not seen here (nor quickly by a ping): the statement fails and
    the pool is invalidated as for any disconnect."""
    if dbapi_connection.closed or dbapi_connection.broken:
        raise exc.DisconnectionError("connection closed")
    readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
    if readable:
        raise exc.DisconnectionError("the server closed the connection while it was idle")


def normalise_url(url: str) -> str:
    """`postgresql://…` (as most tools write it) means the psycopg 3 driver here."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
    # Let SQLAlchemy issue BEGIN itself so that writers serialise (BEGIN IMMEDIATE below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(connection) -> None:  # noqa: ANN001
    # SQLite has no row locks: taking the write lock at BEGIN avoids upgrade deadlocks.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


db = Database()


def _sqlite_from_hint(self, table, text: str | None) -> str | None:  # noqa: ANN001
    """A table hint (`select.with_hint(table, "INDEXED BY ix", "sqlite")`) written after the
    table's name, as SQLite reads it; SQLAlchemy's SQLite dialect drops table hints."""
    return text


# SQLite's planner has no statistics on a fresh database and may read a filter's index where a
# narrow scope's partial index holds a few thousand rows (app/services/dossiers/task_pages.py).
SQLiteCompiler.get_from_hint_text = _sqlite_from_hint  # type: ignore[method-assign]

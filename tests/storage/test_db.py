"""The database handle: URLs, after-commit hooks, rollback."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

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


@pytest.fixture
def postgres(request) -> Database:
    from tests.conftest import _postgres_url

    database = Database()
    database.configure(_postgres_url(request.getfixturevalue("pg_server")))
    yield database
    database.engine.dispose()


def _backend_pid(database: Database) -> int:
    with database.transaction() as session:
        return session.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(database: Database, pid: int) -> None:
    """End a session from another connection, outside the pool under test."""
    other = create_engine(database.engine.url, poolclass=NullPool)
    with other.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    other.dispose()


def test_a_pooled_connection_the_server_dropped_is_replaced_not_failed(postgres):
    # three pooled connections, all ended by the server (what a restart does to them)
    sessions = [postgres.session() for _ in range(3)]
    pids = [s.execute(text("SELECT pg_backend_pid()")).scalar_one() for s in sessions]
    for session in sessions:
        session.close()
    for pid in pids:
        _terminate(postgres, pid)
    time.sleep(0.2)
    for _ in range(3):  # the next transactions find the dropped ones and open new ones
        assert _backend_pid(postgres) not in pids


def test_a_healthy_pooled_connection_is_kept_and_costs_no_round_trip(postgres, tmp_path):
    first = _backend_pid(postgres)
    with postgres.transaction() as session:
        raw = session.connection().connection.dbapi_connection
    wire = tmp_path / "wire.log"
    with open(wire, "w") as handle:
        raw.pgconn.trace(handle.fileno())  # libpq's log of every protocol message
        for _ in range(5):
            assert _backend_pid(postgres) == first
        raw.pgconn.untrace()
    lines = [line for line in wire.read_text().splitlines() if "\tF\t" in f"\t{line}"]
    sent = [
        line.split("\t")[-1].lower() for line in lines if "\tQuery\t" in line or "\tParse\t" in line
    ]
    # the five transactions' own statements (prepared: parsed once, then bound and run), and
    # no liveness query (SELECT 1) per checkout
    assert sent, "the wire log recorded nothing"
    assert [s for s in sent if not any(w in s for w in ("pg_backend_pid", "begin", "commit"))] == []
    runs = [line for line in lines if "\tBind\t" in line or ("\tQuery\t" in line and "pid" in line)]
    assert len(runs) == 5


def _prepared_here(connection) -> int:  # noqa: ANN001
    return connection.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements").scalar()


def test_the_readiness_probe_keeps_what_its_connection_prepared(postgres, monkeypatch):
    from app.services.core import health

    monkeypatch.setattr(health, "db", postgres)
    with postgres.engine.connect() as connection:
        for _ in range(6):  # psycopg prepares a statement on its fifth run
            connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        connection.commit()
        first = connection.connection.dbapi_connection
    assert health._database().ok
    health._schema_check()
    with postgres.engine.connect() as connection:
        assert connection.connection.dbapi_connection is first  # the probes' connection
        assert _prepared_here(connection) >= 1
        connection.commit()
    # what the probes did before: ended by the pool's ROLLBACK, which drops them all
    with postgres.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    with postgres.engine.connect() as connection:
        assert _prepared_here(connection) == 0
        connection.commit()


def test_a_statement_is_prepared_on_its_third_run_on_the_connection_just_used(postgres):
    first, second = postgres.engine.connect(), postgres.engine.connect()
    assert first.connection.dbapi_connection is not second.connection.dbapi_connection
    used = second.connection.dbapi_connection
    first.close()
    second.close()  # given back last
    # the connection given back last is the one handed out next (its statements are prepared)
    for _ in range(3):  # psycopg's default: prepared on the sixth
        with postgres.engine.connect() as connection:
            assert connection.connection.dbapi_connection is used
            connection.execute(text("SELECT count(*) FROM pg_class WHERE relpages >= 0")).one()
            connection.commit()
    with postgres.engine.connect() as connection:
        prepared = connection.exec_driver_sql(
            "SELECT statement FROM pg_prepared_statements"
        ).scalars()
        assert any("relpages" in statement for statement in prepared)
        connection.commit()

"""Fixtures: real SQLite/PostgreSQL databases, a real Redis, the simulators over real HTTP.

Every test gets a fresh database copied from a template that is migrated (Alembic) and seeded
(demo data) once per session.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select

import config as config_module
from app import bootstrap, create_app
from app.domain.clock import set_clock, utcnow
from app.models import User
from app.services.core import queue
from app.services.core.actors import Actor
from app.services.process_models.demo import seed_demo
from app.storage.db import db
from app.storage.migrate import upgrade
from tests.support.servers import PostgresServer, start_postgres, start_redis
from worker import scheduler

# This process is a test environment: the in-process simulators take their secrets from
# TestConfig, like the app under test (app.installation.shared_secrets).
os.environ["APP_ENV"] = "test"
BPMN_DIR = str(config_module.ROOT / "bpmn")
_counter = itertools.count()
# One file store and one demo CA for the test session (files are content-addressed).
FILE_STORE = tempfile.mkdtemp(prefix="gqtthc-files-")
PKI_DIR = tempfile.mkdtemp(prefix="gqtthc-pki-")


def _prepare(url: str, redis_url: str) -> None:
    upgrade(url)
    bootstrap.configure(_config(url, redis_url, "http://127.0.0.1:9", "http://127.0.0.1:9"))
    seed_demo(BPMN_DIR)
    db.engine.dispose()


def _config(
    url: str,
    redis_url: str,
    portal: str,
    warehouse: str,
    national: str = "http://127.0.0.1:9",
    business_registry: str = "http://127.0.0.1:9",
    e_authentication: str = "http://127.0.0.1:9",
) -> type[config_module.Config]:
    return type(
        "TestRunConfig",
        (config_module.TestConfig,),
        {
            "DATABASE_URL": url,
            "REDIS_URL": redis_url,
            "PORTAL_URL": portal,
            "WAREHOUSE_URL": warehouse,
            "NATIONAL_DB_URL": national,
            "SECTOR_DB_DKKD_URL": business_registry,
            "E_AUTHENTICATION_URL": e_authentication,
            "RQ_QUEUE": "gqtthc-test",
            "HTTP_TIMEOUT": 2.0,
            "FILE_STORE": FILE_STORE,
            "PKI_DIR": PKI_DIR,
        },
    )


@pytest.fixture(scope="session")
def redis_server():
    server = start_redis()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory, redis_server) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    _prepare(f"sqlite:///{path}", redis_server.url)
    return path


@pytest.fixture(scope="session")
def pg_server(redis_server):
    server = start_postgres()
    server.run("CREATE DATABASE gqtthc_template")
    _prepare(server.url("gqtthc_template"), redis_server.url)
    yield server
    server.stop()


def _sqlite_url(template: Path, tmp_path: Path) -> str:
    path = tmp_path / "test.db"
    shutil.copy(template, path)
    return f"sqlite:///{path}"


def _postgres_url(server: PostgresServer) -> str:
    """A fresh database copied from the template, dropped once the test is over."""
    name = f"t{next(_counter)}"
    server.run(f"CREATE DATABASE {name} TEMPLATE gqtthc_template")
    _TEST_DATABASES.append((server, name))
    return server.url(name)


# The databases the running test asked for: ~10 MB each, over 400 a run. Kept, they filled
# /tmp with gigabytes and took the server's teardown ~30 s to delete.
_TEST_DATABASES: list[tuple[PostgresServer, str]] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):  # noqa: ANN001
    yield  # the test's fixtures (its app, its workers) have let go of the database
    while _TEST_DATABASES:
        server, name = _TEST_DATABASES.pop()
        if server.process.poll() is None:  # not stopped by the session's end
            server.run(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def database_url(sqlite_template, tmp_path) -> str:
    """SQLite by default; tests/services overrides this to run on both databases."""
    return _sqlite_url(sqlite_template, tmp_path)


@pytest.fixture(scope="session")
def portal_url() -> Iterator[str]:
    from app.integrations.simulators import serve_in_thread
    from app.integrations.simulators.portal import create_portal_simulator

    url, stop = serve_in_thread(create_portal_simulator())
    yield url
    stop()


@pytest.fixture(scope="session")
def warehouse_url() -> Iterator[str]:
    from app.integrations.simulators import serve_in_thread
    from app.integrations.simulators.warehouse import create_warehouse_simulator

    url, stop = serve_in_thread(create_warehouse_simulator())
    yield url
    stop()


@pytest.fixture(scope="session")
def national_url() -> Iterator[str]:
    from app.integrations.simulators import serve_in_thread
    from app.integrations.simulators.national import create_national_simulator

    url, stop = serve_in_thread(create_national_simulator())
    yield url
    stop()


@pytest.fixture(scope="session")
def business_registry_url() -> Iterator[str]:
    from app.integrations.simulators import serve_in_thread
    from app.integrations.simulators.business_registry import create_business_registry_simulator

    url, stop = serve_in_thread(create_business_registry_simulator())
    yield url
    stop()


def _business_registry(request) -> str:  # noqa: ANN001
    """The sector database simulator (ĐKKD), reset, for tests marked `simulators`."""
    if request.node.get_closest_marker("simulators") is None:
        return "http://127.0.0.1:9"
    url = request.getfixturevalue("business_registry_url")
    requests.post(f"{url}/_sim/reset", timeout=5).raise_for_status()
    return url


@pytest.fixture(scope="session")
def e_authentication_url() -> Iterator[str]:
    from app.integrations.simulators import serve_in_thread
    from app.integrations.simulators.e_authentication import create_e_authentication_simulator

    url, stop = serve_in_thread(create_e_authentication_simulator())
    yield url
    stop()


def _e_authentication(request) -> str:  # noqa: ANN001
    """The managing agencies' e-authentication simulator, reset, for tests marked
    `simulators`."""
    if request.node.get_closest_marker("simulators") is None:
        return "http://127.0.0.1:9"
    url = request.getfixturevalue("e_authentication_url")
    requests.post(f"{url}/_sim/reset", timeout=5).raise_for_status()
    return url


@pytest.fixture
def simulators(request) -> tuple[str, str, str]:
    """The simulators (portal, warehouse, national DB), reset. Tests marked `simulators` (or
    whose folder conftest asks for them) get the real ones; others get addresses where
    nothing listens."""
    if request.node.get_closest_marker("simulators") is None:
        return "http://127.0.0.1:9", "http://127.0.0.1:9", "http://127.0.0.1:9"
    urls = (
        request.getfixturevalue("portal_url"),
        request.getfixturevalue("warehouse_url"),
        request.getfixturevalue("national_url"),
    )
    for url in urls:
        requests.post(f"{url}/_sim/reset", timeout=5).raise_for_status()
    return urls


@pytest.fixture
def app(request, database_url, redis_server, simulators):
    portal, warehouse, national = simulators
    Redis.from_url(redis_server.url).flushdb()
    registry = _business_registry(request)
    eauth = _e_authentication(request)
    application = create_app(
        _config(
            database_url,
            redis_server.url,
            portal,
            warehouse,
            national,
            registry,
            e_authentication=eauth,
        )
    )
    yield application
    if db.engine is not None:
        db.engine.dispose()
        db.engine = None


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def actors(app) -> dict[str, Actor]:
    """The seeded officers, by username, as service-layer actors."""
    with db.transaction() as session:
        return {u.username: Actor.of(u) for u in session.scalars(select(User))}


@pytest.fixture
def drain(app, redis_server) -> Callable[..., int]:
    """Run the real RQ worker (in this process) and the scheduler until nothing is left."""

    def run(max_rounds: int = 50) -> int:
        connection = Redis.from_url(redis_server.url)
        # every queue of the workers, the waited calls' first (app.services.core.queue.all_names)
        rq_queues = [Queue(name, connection=connection) for name in queue.all_names()]
        done = 0
        for _ in range(max_rounds):
            before = sum(q.count for q in rq_queues)
            if before:
                SimpleWorker(rq_queues, connection=connection).work(burst=True)
                done += before
            scheduler.tick()
            if sum(q.count for q in rq_queues) == 0:
                return done
        return done

    return run


class FrozenClock:
    """Sets what `utcnow()` answers for the code under test; `advance` lets time pass on it
    instead of sleeping. The fixture gives the system clock back afterwards."""

    def __init__(self) -> None:
        self.moment: datetime | None = None

    def set(self, moment: datetime | None) -> None:
        self.moment = moment
        set_clock((lambda: self.moment) if moment else None)

    def freeze(self) -> datetime:
        """Stop the clock at the current moment (the system's, if not frozen yet)."""
        if self.moment is None:
            self.set(utcnow())
        return self.moment

    def advance(self, seconds: float) -> datetime:
        """Move the frozen clock `seconds` on (freezing it first if need be)."""
        self.set(self.freeze() + timedelta(seconds=seconds))
        return self.moment


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    yield FrozenClock()
    set_clock(None)


@pytest.fixture
def portal_received(portal_url) -> Callable[[], list[dict]]:
    def get() -> list[dict]:
        return requests.get(f"{portal_url}/_sim/received", timeout=5).json()

    return get


class SmtpInbox:
    """What a real SMTP server on loopback (aiosmtpd) received."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield f"127.0.0.1:{port}", inbox
    controller.stop()


@pytest.fixture(scope="session")
def sms_url() -> Iterator[str]:
    from app.integrations.simulators import serve_in_thread
    from app.integrations.simulators.sms import create_sms_simulator

    url, stop = serve_in_thread(create_sms_simulator())
    yield url
    stop()

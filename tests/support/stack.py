"""A whole local stack for scripts (benchmarks): PostgreSQL and Redis started, a database
migrated and seeded with the demo data, the app configured to use them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text

import config as config_module
from app import bootstrap
from app.services.process_models.demo import seed_demo
from app.storage.db import db
from app.storage.migrate import upgrade
from tests.support.servers import start_postgres, start_redis


def app_environment(app, **extra: str) -> dict[str, str]:  # noqa: ANN001
    """The environment a child process (a worker, a `flask` command) needs to use the same
    database, Redis, simulators and files as the test's app."""
    keys = ("DATABASE_URL", "REDIS_URL", "RQ_QUEUE", "PORTAL_URL", "WAREHOUSE_URL")
    keys += ("SECTOR_DB_DKKD_URL",)
    return {
        **os.environ,
        "APP_ENV": "test",
        **{key: app.config[key] for key in keys},
        "FILE_STORE": app.config["FILE_STORE"],
        "PKI_DIR": app.config["PKI_DIR"],
        **extra,
    }


def empty_queues(app) -> None:  # noqa: ANN001
    """Drop what an earlier test left on the workers' queues (a job left there would hold a
    worker at shutdown)."""
    from redis import Redis
    from rq import Queue

    from app.services.core import queue

    connection = Redis.from_url(app.config["REDIS_URL"])
    for name in queue.all_names():
        Queue(name, connection=connection).empty()


@contextmanager
def seeded_postgres(extra_officers: int = 0, **settings: object) -> Iterator[str]:
    """Yields the database URL; everything is stopped and removed afterwards. `settings`
    override the configuration (e.g. PORTAL_URL); the Redis URL is in `app.settings`."""
    pg, redis = start_postgres(), start_redis()
    try:
        admin = create_engine(pg.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE bench"))
        admin.dispose()
        url = pg.url("bench")
        upgrade(url)
        bootstrap.configure(
            type(
                "BenchConfig",
                (config_module.Config,),
                {"DATABASE_URL": url, "REDIS_URL": redis.url, **settings},
            )
        )
        seed_demo(str(config_module.ROOT / "bpmn"), extra_officers=extra_officers)
        yield url
    finally:
        if db.engine is not None:
            db.engine.dispose()
        pg.stop()
        redis.stop()

"""Restarts lose nothing (issue 20): the stack `make run` starts (PostgreSQL, Redis without
persistence, the simulators, gunicorn, the warm worker pool, the scheduler) is killed with
SIGKILL in the middle of a burst of dossiers (web, every worker process, scheduler and Redis at
once) and started again; every dossier finishes and every status reaches the portal once and
in order. PostgreSQL dropping every connection under load costs no more than the requests in
flight."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from bench.throughput_stack import ROOT, Stack
from tests.support.servers import _wait_port, free_port
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.fault]

DOSSIERS = 20
THREADS = 4
# A row a killed worker had claimed is taken up again after this (the default, 60 s, is a
# deployment's; the test waits less).
CLAIM_TIMEOUT = "5"


def children(pid: int) -> set[int]:
    """Every descendant of a process (the pool's warm workers, gunicorn's workers)."""
    found: set[int] = set()
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return found
    for task in tasks:
        try:
            direct = {int(p) for p in (task / "children").read_text().split()}
        except FileNotFoundError:
            continue
        for child in direct:
            found |= {child, *children(child)}
    return found


def sigkill_tree(process: subprocess.Popen) -> None:
    """SIGKILL a process and all its descendants at once (as a machine losing power would)."""
    for pid in [process.pid, *children(process.pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=10)


class Running:
    """The stack with the web process, and what the test needs to kill and restart."""

    def __init__(self, stack: Stack, log_dir: Path) -> None:
        self.stack = stack
        self.log_dir = log_dir
        self.web_port = free_port()
        self.web: subprocess.Popen | None = None
        self.redis_port = int(stack.env["REDIS_URL"].rsplit(":", 1)[1].split("/")[0])
        self.redis: subprocess.Popen | None = None
        url = stack.env["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://")
        self.db = create_engine(url, pool_pre_ping=True)

    def start_web(self) -> None:
        """run.sh's gunicorn line (two workers), on a free port."""
        argv = [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            "scripts/gunicorn.conf.py",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{self.web_port}",
            "app:create_app()",
        ]
        self.web = self.stack._spawn(argv, f"web-{time.monotonic_ns()}")
        _wait_port(self.web_port, timeout=120)

    def restart_redis(self) -> None:
        """A new, empty Redis on the same port (run.sh's: no persistence)."""
        binary = "redis-server"
        self.redis = subprocess.Popen(  # noqa: S603
            [binary, "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.stack.exits.callback(self.redis.terminate)
        _wait_port(self.redis_port)

    def redis_pid(self) -> int:
        out = subprocess.run(
            ["redis-cli", "-p", str(self.redis_port), "info", "server"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return int(re.search(r"process_id:(\d+)", out).group(1))

    def scalar(self, sql: str, **params: object) -> object:
        with self.db.connect() as connection:
            return connection.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params: object) -> list:
        with self.db.connect() as connection:
            return list(connection.execute(text(sql), params))

    def python(self, code: str) -> None:
        """Run `code` in a process configured as the workers are (to call a service)."""
        subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=self.stack.env, check=True, timeout=120
        )


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    log_dir = tmp_path_factory.mktemp("restarts-logs")
    stack = Stack(durable=False, profile_dir=None, log_dir=log_dir)
    stack.env["OUTBOX_CLAIM_TIMEOUT"] = CLAIM_TIMEOUT
    stack.env["WORKER_PROCESSES"] = "2"
    try:
        running = Running(stack, log_dir)
        stack.start_workers()
        running.start_web()
        yield running
    finally:
        stack.close()


def start_driver(running: Running, out: Path) -> subprocess.Popen:
    argv = [sys.executable, str(ROOT / "bench" / "throughput_driver.py"), "--path", "counter"]
    argv += ["--count", str(DOSSIERS), "--threads", str(THREADS), "--out", str(out)]
    log = open(running.log_dir / "driver.log", "wb")  # noqa: SIM115 - closed at exit
    running.stack.exits.callback(log.close)
    driver = subprocess.Popen(  # noqa: S603
        argv, cwd=ROOT, env=running.stack.env, stdout=log, stderr=subprocess.STDOUT
    )
    running.stack.exits.callback(lambda: driver.poll() is None and driver.kill())
    wait_until(lambda: Path(f"{out}.ready").exists(), timeout=120, what="the driver ready")
    Path(f"{out}.go").touch()
    return driver


def web_requests(running: Running, stop: threading.Event, outcomes: list[int | str]) -> None:
    """An officer reloading the inbox as fast as the web answers (a connection refused while
    the web is down is recorded as "down")."""
    base = f"http://127.0.0.1:{running.web_port}"
    session = requests.Session()
    signed_in = False
    while not stop.is_set():
        try:
            if not signed_in:
                answer = login(session, base)
                signed_in = answer == 302
                if not signed_in:
                    outcomes.append(answer)
                    time.sleep(0.1)
                    continue
            response = session.get(f"{base}/inbox", timeout=30, allow_redirects=False)
            outcomes.append(response.status_code)
            if response.status_code == 302:  # the sign-in is gone: sign in again
                session.cookies.clear()
                signed_in = False
        except (requests.ConnectionError, requests.Timeout):
            outcomes.append("down")
            time.sleep(0.05)


def login(session: requests.Session, base: str) -> int:
    page = session.get(f"{base}/login", timeout=30)
    if page.status_code != 200:
        return page.status_code
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{base}/login",
        data={"csrf_token": token, "username": "chuyenvien", "password": "demo1234"},
        timeout=30,
        allow_redirects=False,
    )
    return answer.status_code


def test_sigkill_of_web_workers_scheduler_and_redis_mid_burst_loses_no_dossier_or_status(
    running, tmp_path
):
    out = tmp_path / "driver.json"
    stop = threading.Event()
    outcomes: list[int | str] = []
    reloads = threading.Thread(target=web_requests, args=(running, stop, outcomes), daemon=True)
    reloads.start()
    driver = start_driver(running, out)
    # the middle of the burst: some dossiers received, none of the later ones yet
    wait_until(
        lambda: running.scalar("select count(*) from dossier") >= DOSSIERS // 3,
        timeout=120,
        what="a third of the dossiers received",
    )
    redis_pid = running.redis_pid()
    sigkill_tree(running.web)
    sigkill_tree(running.stack.workers)
    sigkill_tree(running.stack.scheduler)
    os.kill(redis_pid, signal.SIGKILL)
    killed_at = running.scalar("select count(*) from dossier")
    time.sleep(2)  # officers go on receiving while nothing delivers (Redis is down)
    running.restart_redis()
    running.stack.start_workers()
    running.start_web()
    driver.wait(timeout=240)
    stop.set()
    reloads.join(timeout=60)

    result = json.loads(out.read_text())
    assert result["errors"] == []
    assert len(result["codes"]) == DOSSIERS
    assert killed_at < DOSSIERS, "the kill came after the burst: nothing was tested"

    def undelivered() -> int:
        return running.scalar("select count(*) from outbox where state in ('pending', 'running')")

    wait_until(lambda: undelivered() == 0, timeout=90, what="every outbox row delivered")
    incidents = running.rows("select id from incident where resolved_at is null")
    print(f"killed after {killed_at} dossiers; incidents left: {len(incidents)}")
    # an incident a killed worker left (none expected) must clear on a supervisor's Retry
    for (incident_id,) in incidents:
        running.python(
            "from app.bootstrap import ensure_configured; ensure_configured()\n"
            "from app.services.core import outbox\n"
            "from app.services.core.actors import SYSTEM\n"
            f"outbox.retry_incident({incident_id}, SYSTEM)\n"
        )
    wait_until(lambda: undelivered() == 0, timeout=90, what="every outbox row delivered")
    assert running.scalar("select count(*) from outbox where state = 'incident'") == 0

    finished = running.scalar(
        "select count(*) from dossier where code = any(:codes) and finished_at is not null",
        codes=result["codes"],
    )
    assert finished == DOSSIERS
    portal = running.stack.env["PORTAL_URL"]
    assert requests.get(f"{portal}/_sim/order", timeout=30).json()["out_of_order"] == []
    received = requests.get(f"{portal}/_sim/received", timeout=30).json()
    keys = [r["idempotency_key"] for r in received]
    assert len(keys) == len(set(keys))
    for code in result["codes"]:
        sent = [r for r in received if r["body"]["dossier_code"] == code]
        rows = running.rows(
            "select o.id from outbox o join dossier d on d.id = o.dossier_id "
            "where d.code = :code and o.operator = 'portal.sync_status' order by o.id",
            code=code,
        )
        # every status the dossier went through, once each, in the order it was made
        assert [r["idempotency_key"] for r in sent] == [f"outbox-{row.id}" for row in rows]
        final = running.scalar("select status from dossier where code = :code", code=code)
        assert sent[-1]["body"]["status"] == final
    # the web answered again after its restart, and never with a 500
    assert 200 in outcomes[outcomes.index("down") :] if "down" in outcomes else 200 in outcomes
    assert 500 not in outcomes


def test_postgresql_dropping_every_connection_under_load_costs_only_requests_in_flight(
    running,
):
    stop = threading.Event()
    outcomes: list[int | str] = []
    threads = [
        threading.Thread(target=web_requests, args=(running, stop, outcomes), daemon=True)
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    wait_until(lambda: outcomes.count(200) >= 20, timeout=60, what="the inbox answering")
    for _ in range(3):  # what a restart of PostgreSQL does to every process's connections
        running.scalar(
            "select count(pg_terminate_backend(pid)) from pg_stat_activity "
            "where pid <> pg_backend_pid() and backend_type = 'client backend'"
        )
        seen = len(outcomes)
        wait_until(
            lambda seen=seen: outcomes[seen:].count(200) >= 10,
            timeout=60,
            what="the inbox answering again",
        )
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    print(f"inbox: {len(outcomes)} requests, {outcomes.count(503)} 503, {outcomes.count(500)} 500")
    # at most the requests in flight at each drop (4 threads, 3 drops) fail, each with a 503
    # (try again), never a 500
    assert outcomes.count(500) == 0
    assert outcomes.count(503) <= 4 * 3
    assert outcomes[-10:] == [200] * 10

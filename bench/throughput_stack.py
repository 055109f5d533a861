"""The system `bench/throughput.py` measures, started as `make run` starts it (scripts/run.sh):
a throwaway PostgreSQL (durable: fsync and synchronous_commit on, as a deployment; or fast:
both off, as the test servers), Redis, every simulator, `flask db-upgrade | seed-demo |
init-pki`, the worker line and the scheduler line of run.sh with run.sh's environment."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from tests.support.servers import (
    PostgresServer,
    _as_postgres_user,
    _wait_accepting,
    free_port,
    pg_binary,
    start_redis,
)
from tests.support.servers import _wait_port as wait_port

ROOT = Path(__file__).resolve().parents[1]
RUN_SH = ROOT / "scripts" / "run.sh"
QUEUE = "bench-throughput"
START_TIMEOUT = 120  # seconds a simulator may take to listen on a loaded machine
# run.sh's simulators: (name, the setting that points at it); the SMTP sink is started apart.
SIMULATORS = (
    ("portal", "PORTAL_URL"),
    ("warehouse", "WAREHOUSE_URL"),
    ("national", "NATIONAL_DB_URL"),
    ("sms", "SMS_GATEWAY_URL"),
    ("business_registry", "SECTOR_DB_DKKD_URL"),
    ("e_authentication", "E_AUTHENTICATION_URL"),
)


def run_sh_command(subcommand: str) -> list[str]:
    """The `$BIN/python -m worker <subcommand> …` line of scripts/run.sh, as argv."""
    for line in RUN_SH.read_text().splitlines():
        match = re.match(rf"\s*\$BIN/python -m worker {subcommand}\b([^>&]*)", line)
        if match:
            return [sys.executable, "-m", "worker", subcommand, *shlex.split(match.group(1))]
    raise SystemExit(f"no `python -m worker {subcommand}` line in scripts/run.sh")


def start_postgres(durable: bool) -> PostgresServer:
    """A throwaway server; `durable`: fsync, synchronous_commit and full_page_writes on (the
    PostgreSQL defaults a deployment keeps), otherwise all three off (the test servers)."""
    directory = Path(tempfile.mkdtemp(prefix="bench-throughput-pg-"))
    data = directory / "data"
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    initdb = [pg_binary("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
    subprocess.run(  # nosec B603 # the server's own binary, fixed arguments
        _as_postgres_user([*initdb, "-E", "UTF8", "--locale=C.UTF-8"]),
        check=True,
        capture_output=True,
    )
    port = free_port()
    switch = "on" if durable else "off"
    options = {
        "listen_addresses": "127.0.0.1",
        "unix_socket_directories": str(directory),
        "fsync": switch,
        "synchronous_commit": switch,
        "full_page_writes": switch,
        "max_connections": "200",
    }
    argv = [pg_binary("postgres"), "-D", str(data), "-p", str(port)]
    for name, value in options.items():
        argv += ["-c", f"{name}={value}"]
    process = subprocess.Popen(  # nosec B603 # the server's own binary, fixed arguments
        _as_postgres_user(argv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_port(port)
    _wait_accepting(port)
    return PostgresServer(port, directory, process)


class Stack:
    """Everything started, and stopped in reverse order by `close()`."""

    def __init__(self, durable: bool, profile_dir: Path | None, log_dir: Path) -> None:
        self.exits = ExitStack()
        self.log_dir = log_dir
        self.durable = durable
        self.workers: subprocess.Popen | None = None
        self.scheduler: subprocess.Popen | None = None
        try:
            self._start(profile_dir)
        except BaseException:
            self.exits.close()
            raise

    def _start(self, profile_dir: Path | None) -> None:
        pg = self.pg = start_postgres(self.durable)
        self.exits.callback(pg.stop)
        redis = start_redis()
        self.exits.callback(redis.stop)
        files = Path(tempfile.mkdtemp(prefix="bench-throughput-files-"))
        self.exits.callback(shutil.rmtree, files, ignore_errors=True)
        # run.sh's environment: APP_ENV=development, its URLs, this installation's secrets
        self.env = {
            **os.environ,
            "APP_ENV": "development",
            "DATABASE_URL": pg.url("postgres"),
            "REDIS_URL": redis.url,
            "RQ_QUEUE": QUEUE,
            "SECRETS_FILE": str(files / "secrets" / "installation.json"),
            "FILE_STORE": str(files / "files"),
            "PKI_DIR": str(files / "pki"),
            "PYTHONPATH": str(ROOT),
        }
        for _, setting in SIMULATORS:
            self.env[setting] = f"http://127.0.0.1:{free_port()}"
        self.env["MAIL_SERVER"] = f"127.0.0.1:{free_port()}"
        self.env["SYSTEM_URL"] = "http://127.0.0.1:5000"
        if profile_dir is not None:
            self.env["WORKER_PROFILE_DIR"] = str(profile_dir)
        for name, setting in SIMULATORS:
            port = self.env[setting].rsplit(":", 1)[1]
            self._spawn(
                [sys.executable, "-m", "app.integrations.simulators", name, "--port", port], name
            )
        mail_port = self.env["MAIL_SERVER"].rsplit(":", 1)[1]
        sink = [sys.executable, "-m", "app.integrations.simulators.smtp_sink"]
        self._spawn([*sink, "--port", mail_port, "--dir", str(files / "mail")], "smtp")
        for _, setting in SIMULATORS:
            wait_port(int(self.env[setting].rsplit(":", 1)[1]), timeout=START_TIMEOUT)
        wait_port(int(mail_port), timeout=START_TIMEOUT)
        flask = [sys.executable, "-m", "flask", "--app", "app"]
        for command in ("db-upgrade", "seed-demo", "init-pki"):
            subprocess.run(  # nosec B603 # run.sh's own setup commands
                [*flask, command], cwd=ROOT, env=self.env, check=True, capture_output=True
            )
        self.worker_command = run_sh_command("work")
        self.scheduler_command = run_sh_command("scheduler")

    def _spawn(self, argv: list[str], name: str) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 - closed at exit
        self.exits.callback(log.close)
        process = subprocess.Popen(  # nosec B603 # this Python, run.sh's commands
            argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.exits.callback(_stop, process)
        return process

    def start_workers(self) -> None:
        """run.sh's worker line and scheduler line, with its environment."""
        self.workers = self._spawn(self.worker_command, "worker")
        self.scheduler = self._spawn(self.scheduler_command, "scheduler")

    def stop_workers(self) -> None:
        """Stop the scheduler, then the workers (their warm shutdown writes the profiles)."""
        for process in (self.scheduler, self.workers):
            if process is not None:
                _stop(process)

    def alive(self) -> bool:
        return all(p is not None and p.poll() is None for p in (self.workers, self.scheduler))

    def close(self) -> None:
        self.exits.close()


def _stop(process: subprocess.Popen, timeout: float = 60) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    deadline = time.time() + timeout
    while process.poll() is None and time.time() < deadline:
        time.sleep(0.1)
    if process.poll() is None:
        process.kill()
        process.wait()

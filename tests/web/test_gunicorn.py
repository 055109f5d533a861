"""The app as `make run` serves it: a real gunicorn with scripts/gunicorn.conf.py."""

from __future__ import annotations

import os
import socket
import subprocess

import pytest
import requests

from app.installation import SECRET_SETTINGS
from config import ROOT
from tests.support.stack import app_environment
from tests.support.waiting import wait_until

GUNICORN = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "scripts/gunicorn.conf.py"]

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answer(url: str, server: subprocess.Popen) -> requests.Response | None:
    """The server's answer, or None while nothing listens yet; fails if the server died."""
    if server.poll() is not None:
        pytest.fail(f"gunicorn exited: {server.communicate(timeout=30)[1].decode()[-3000:]}")
    try:
        return requests.head(url, timeout=60)
    except requests.ConnectionError:
        return None


def test_gunicorn_answers_with_the_security_headers_and_without_naming_itself(app):
    port = _free_port()
    server = subprocess.Popen(
        [*GUNICORN, "--workers", "1", "--bind", f"127.0.0.1:{port}", "app:create_app()"],
        cwd=ROOT,
        env=app_environment(app),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        # the master listens at once; the answer waits for a worker to boot
        url = f"http://127.0.0.1:{port}/login"
        response = wait_until(lambda: _answer(url, server), timeout=60, what="gunicorn answering")
        if response.status_code != 200:
            server.terminate()
            pytest.fail(
                f"gunicorn: {response}\n{server.communicate(timeout=30)[1].decode()[-3000:]}"
            )
        assert "Server" not in response.headers
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_gunicorn_in_production_refuses_default_secrets_before_any_worker(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in SECRET_SETTINGS}
    env.update(APP_ENV="production", SECRET_KEY="dev-secret-change-me")
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.db'}"
    refused = subprocess.run(
        [*GUNICORN, "--bind", f"127.0.0.1:{_free_port()}", "app:create_app()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 1
    assert "SECRET_KEY là giá trị mặc định" in refused.stderr
    assert all(name in refused.stderr for name in SECRET_SETTINGS)
    assert "Booting worker" not in refused.stderr


def test_gunicorn_adds_up_its_workers_metrics_and_keeps_probes_out_of_the_access_log(app, tmp_path):
    port, folder, access = _free_port(), tmp_path / "metrics", tmp_path / "access.log"
    folder.mkdir()
    server = subprocess.Popen(
        [*GUNICORN, "--workers", "2", "--bind", f"127.0.0.1:{port}"]
        + ["--access-logfile", str(access), "app:create_app()"],
        cwd=ROOT,
        env=app_environment(app, PROMETHEUS_MULTIPROC_DIR=str(folder)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answer(f"{base}/healthz", server), timeout=60, what="gunicorn")
        # new connections each time: both workers answer some of them
        for _ in range(40):
            assert requests.get(f"{base}/healthz", timeout=30).status_code == 200
        assert requests.get(f"{base}/readyz", timeout=30).status_code == 200
        text = requests.get(f"{base}/metrics", timeout=30).text
        line = 'gqtthc_http_requests_total{method="GET",route="/healthz",status="200"}'
        counted = [row for row in text.splitlines() if row.startswith(line)]
        assert counted and float(counted[0].split()[-1]) >= 40
        answered_by = {path.name.split("_")[-1] for path in folder.glob("counter_*.db")}
        assert len(answered_by) >= 2, "every worker writes its own file"
        requests.get(f"{base}/login", timeout=30)
        wait_until(lambda: "/login" in access.read_text(), timeout=10, what="the access log")
        logged = access.read_text()
        assert "/healthz" not in logged and "/readyz" not in logged
    finally:
        server.terminate()
        server.wait(timeout=30)

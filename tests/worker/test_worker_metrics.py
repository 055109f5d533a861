"""The worker command's metrics: its forks write to the shared multiprocess folder and the
supervisor serves them (WORKER_METRICS_PORT) for a machine that runs no web process."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from config import ROOT
from tests.services.helpers import open_task, receive
from tests.support.stack import app_environment, empty_queues
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.simulators]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def scraped(port: int) -> dict[str, float]:
    """Each sample's name → its value summed over labels (empty when nothing answers)."""
    try:
        text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    except requests.ConnectionError:
        return {}
    totals: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            totals[sample.name] = totals.get(sample.name, 0.0) + sample.value
    return totals


def test_the_worker_pool_serves_its_job_and_delivery_metrics(app, actors, tmp_path):
    empty_queues(app)
    port = free_port()
    folder = tmp_path / "metrics"  # its own: every *.db file in it is read as metrics
    folder.mkdir()
    env = app_environment(
        app,
        WORKER_PROCESSES="2",
        WORKER_METRICS_PORT=str(port),
        PROMETHEUS_MULTIPROC_DIR=str(folder),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "worker", "work"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: scraped(port) != {}, timeout=60, what="the metrics port")
        assert scraped(port).get("gqtthc_rq_job_run_seconds_count", 0) == 0
        code = receive(actors["tiepnhan"])
        wait_until(lambda: open_task(code, "reception"), timeout=60, what="the reception step")
        wait_until(
            lambda: scraped(port).get("gqtthc_outbox_deliveries_total", 0) >= 1,
            timeout=30,
            what="a delivery counted",
        )
        after = scraped(port)
        assert after["gqtthc_rq_job_run_seconds_count"] >= 1
        assert after["gqtthc_rq_job_wait_seconds_count"] >= 1
        assert after["gqtthc_engine_cycle_seconds_count"] >= 1
    finally:
        process.terminate()
        process.wait(timeout=30)

"""Health, readiness and metrics: what a load balancer and Prometheus ask of a web process."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families
from redis import Redis
from rq import Queue
from sqlalchemy import create_engine

from app import settings
from app.models import Agency
from app.services.core import health, queue
from app.storage.db import db
from tests.services.helpers import receive
from worker.measured import MeasuredWorker


def scrape(client, **kwargs) -> dict[tuple[str, tuple], float]:  # noqa: ANN001
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def total(samples: dict, name: str, **labels: str) -> float:
    return sum(
        value
        for (sample, sample_labels), value in samples.items()
        if sample == name and labels.items() <= dict(sample_labels).items()
    )


def test_healthz_answers_without_touching_anything(client, monkeypatch):
    monkeypatch.setattr(db, "engine", None)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_lists_every_check_when_all_are_usable(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["failing"] == []
    assert set(response.json["checks"]) == {"database", "redis", "file_store", "migrations"}
    assert all(check["ok"] for check in response.json["checks"].values())


def test_readyz_is_503_naming_redis_when_redis_is_down(client, monkeypatch):
    monkeypatch.setattr(settings.current, "REDIS_URL", "redis://127.0.0.1:1/0")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["failing"] == ["redis"]
    assert "127.0.0.1" not in response.get_data(as_text=True)


def test_readyz_is_503_naming_the_database_when_it_is_unreachable(client, monkeypatch, tmp_path):
    gone = create_engine(f"sqlite:///{tmp_path}/no-such-dir/x.db")
    monkeypatch.setattr(db, "engine", gone)
    monkeypatch.setattr(health, "_migrations_seen", None)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["failing"] == ["database", "migrations"]


def test_a_fresh_installation_whose_file_store_has_no_folder_yet_is_ready(
    client, monkeypatch, tmp_path
):
    # `make run` on a new machine: no document stored yet, so var/files does not exist
    monkeypatch.setattr(settings.current, "FILE_STORE", str(tmp_path / "var" / "files"))
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json["checks"]["file_store"]["ok"] is True


def test_readyz_is_503_when_the_file_store_cannot_be_written(client, monkeypatch, tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    monkeypatch.setattr(settings.current, "FILE_STORE", str(not_a_folder))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["failing"] == ["file_store"]


def test_readyz_is_503_when_the_schema_is_behind_the_code(client, monkeypatch):
    monkeypatch.setattr(health, "_migrations_seen", None)
    monkeypatch.setattr(health, "_script_heads", lambda: frozenset({"9999"}))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["failing"] == ["migrations"]
    assert "9999" in response.json["checks"]["migrations"]["detail"]


def test_metrics_with_a_token_set_answers_only_that_bearer_token(client, monkeypatch):
    monkeypatch.setattr(settings.current, "METRICS_TOKEN", "s3cret-token")
    assert client.get("/metrics").status_code == 401
    for header in (
        "Bearer wrong",
        "Basic s3cret-token",
        "Bearer " + "A" * 20000,
        "Bearer s3cret-token-and-more",
        "Bearer \x00",
        "s3cret-token",
    ):
        assert client.get("/metrics", headers={"Authorization": header}).status_code == 401
    scrape(client, headers={"Authorization": "Bearer s3cret-token"})


def test_metrics_without_a_token_serve_loopback_only_and_never_through_a_proxy(client):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 401
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    assert client.get("/metrics", headers=forwarded).status_code == 401
    assert client.get("/metrics").status_code == 200


def test_path_tricks_around_the_endpoints_get_a_clear_4xx(client):
    outside = {"REMOTE_ADDR": "10.1.2.3"}
    for path in ("/metrics/", "/metrics/../metrics%00", "/%2e%2e/metrics", "/readyz/x", "/Metrics"):
        status = client.get(path, environ_base=outside).status_code
        assert 400 <= status < 500, path


@pytest.mark.simulators
def test_metrics_move_when_a_dossier_goes_through(app, client, actors, redis_server):
    client.get("/healthz")
    before = scrape(client)
    code = receive(actors["tiepnhan"])
    assert code
    received = scrape(client)
    name = "gqtthc_dossiers_received_total"
    assert total(received, name) == total(before, name) + 1
    engine = "gqtthc_engine_cycle_seconds_count"
    assert total(received, engine) > total(before, engine)
    assert total(received, "gqtthc_outbox_rows", state="pending") >= 1
    assert total(received, "gqtthc_rq_queue_depth") >= 1
    assert total(received, "gqtthc_outbox_oldest_undelivered_age_seconds") >= 0
    requests = "gqtthc_http_requests_total"
    assert total(received, requests, route="/healthz", status="200") >= 1
    assert total(received, requests, route="/metrics", status="200") > total(
        before, requests, route="/metrics", status="200"
    )
    assert total(received, "gqtthc_scrape_error") == 0

    connection = Redis.from_url(redis_server.url)
    MeasuredWorker(
        [Queue(name, connection=connection) for name in queue.all_names()], connection=connection
    ).work(burst=True)
    delivered = scrape(client)
    deliveries = "gqtthc_outbox_deliveries_total"
    assert total(delivered, deliveries) > total(received, deliveries)
    assert total(delivered, "gqtthc_rq_job_wait_seconds_count") > total(
        received, "gqtthc_rq_job_wait_seconds_count"
    )
    assert total(delivered, "gqtthc_rq_job_run_seconds_count", outcome="finished") >= 1
    assert total(delivered, "gqtthc_rq_queue_depth") == 0
    assert total(delivered, "gqtthc_steps_open") > total(before, "gqtthc_steps_open")


def test_the_last_sweep_gauge_appears_once_the_scheduler_swept(app, client):
    from worker import scheduler

    assert total(scrape(client), "gqtthc_scheduler_last_sweep_timestamp_seconds") == 0
    scheduler.tick()
    assert total(scrape(client), "gqtthc_scheduler_last_sweep_timestamp_seconds") > 0


def test_a_scrape_reports_a_source_that_does_not_answer_instead_of_failing(client, monkeypatch):
    monkeypatch.setattr(settings.current, "REDIS_URL", "redis://127.0.0.1:1/0")
    samples = scrape(client)
    assert total(samples, "gqtthc_scrape_error", source="redis") == 1
    assert total(samples, "gqtthc_scrape_error", source="database") == 0


RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}


def test_a_dossier_that_ends_is_counted_finished_and_its_overdue_step_counted_by_agency(
    client, actors, clock
):
    from datetime import datetime

    from app.domain.status import VN_TZ
    from app.services.deadlines import overdue
    from tests.services.helpers import complete, deliver, open_task

    before = scrape(client)
    clock.set(datetime(2026, 11, 25, 9, tzinfo=VN_TZ))
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    agency_id = open_task(code, "reception").agency_id
    with db.transaction() as session:
        agency = session.get(Agency, agency_id).code
    clock.set(datetime(2026, 11, 26, 9, tzinfo=VN_TZ))
    overdue.sweep()
    late = scrape(client)
    overdue_steps = total(late, "gqtthc_steps_open", deadline="overdue")
    assert overdue_steps == total(before, "gqtthc_steps_open", deadline="overdue") + 1
    assert total(late, "gqtthc_steps_open", agency=agency, deadline="overdue") >= 1

    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    complete(code, "appraisal", actors["chuyenvien"], {"decision": "refuse", "appraisal_note": "x"})
    complete(code, "refusal_approval", actors["lanhdao"], {"refusal_decision": "approve"})
    after = scrape(client)
    finished = "gqtthc_dossiers_finished_total"
    assert total(after, finished) == total(before, finished) + 1
    assert total(after, "gqtthc_steps_open", deadline="overdue") == overdue_steps - 1

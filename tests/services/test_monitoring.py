"""The gauges /metrics reads at scrape time, and readiness, on both databases."""

from __future__ import annotations

from app.services.core import health, monitoring
from tests.services.helpers import deliver, receive


def gauges() -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in monitoring.StateCollector().collect()
        for sample in family.samples
    }


def test_a_received_dossier_shows_an_undelivered_call_then_an_open_step(app, actors, clock):
    clock.freeze()
    empty = gauges()
    assert empty[("gqtthc_outbox_rows", (("state", "pending"),))] == 0
    assert empty[("gqtthc_scrape_error", (("source", "database"),))] == 0
    receive(actors["tiepnhan"])
    clock.advance(90)
    waiting = gauges()
    assert waiting[("gqtthc_outbox_rows", (("state", "pending"),))] >= 1
    assert waiting[("gqtthc_outbox_oldest_undelivered_age_seconds", ())] >= 90
    deliver("portal.check_account", {"exists": True})
    opened = gauges()
    steps = {labels: v for (name, labels), v in opened.items() if name == "gqtthc_steps_open"}
    assert sum(steps.values()) == 1
    assert dict(next(iter(steps))).get("deadline") == "on_time"
    assert opened[("gqtthc_incidents_open", ())] == 0


def test_readiness_passes_on_a_migrated_database(app, monkeypatch):
    monkeypatch.setattr(health, "_migrations_seen", None)
    assert [c for c in health.readiness() if not c.ok] == []

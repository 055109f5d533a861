"""A call given up on goes into its process as a BPMN error, as the model tests send it: the
model's error path when an error event catches it, an incident for supervisors otherwise."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.integrations.errors import IntegrationError
from app.models import AuditEvent, HumanTask, Incident, OutboxMessage
from app.services.core import outbox, queue
from app.services.dossiers import service_calls
from app.storage.db import db
from app.web.history import describe
from tests.services.helpers import receive, use_test_model
from worker.jobs import error_code


@pytest.fixture(autouse=True)
def failing_call_model(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)
    use_test_model("failing_call")


def give_up(actors, status: int) -> tuple[int, str]:
    """A dossier whose warehouse call failed for good with `status`: (row id, new state)."""
    receive(actors["tiepnhan"])
    with db.transaction() as session:
        row_id = session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.operator == "warehouse.list_documents")
        )
    assert outbox.claim(row_id) is not None
    code = error_code(IntegrationError(f"HTTP {status}", retryable=False, status=status))
    state = outbox.record_failure(
        row_id,
        f"HTTP {status}",
        retryable=False,
        on_give_up=lambda session, row: service_calls.route_failure(session, row, code),
    )
    return row_id, state


def counts() -> tuple[int, list[str]]:
    with db.transaction() as session:
        incidents = session.scalar(select(func.count()).select_from(Incident))
        steps = session.scalars(select(HumanTask.element_id).where(HumanTask.state == "open"))
        return incidents, list(steps)


def test_a_failure_the_model_catches_takes_its_error_path_and_raises_no_incident(actors):
    row_id, state = give_up(actors, 503)
    assert state == "resumed"
    assert counts() == (0, ["by_hand"])
    with db.transaction() as session:
        row = session.get(OutboxMessage, row_id)
        assert (row.state, row.last_error) == ("done", "HTTP 503")
        kinds = session.scalars(select(AuditEvent.kind).order_by(AuditEvent.id)).all()
        assert "service_call_failed" in kinds and "incident_raised" not in kinds
        failed = session.scalar(select(AuditEvent).where(AuditEvent.kind == "service_call_failed"))
        shown = describe({"kind": failed.kind, "data": failed.data})
    assert shown == "Lỗi khi tra cứu giấy tờ trong Kho DL, theo đường xử lý lỗi: HTTP 503"


def test_a_failure_no_error_event_catches_is_an_incident_and_the_call_keeps_waiting(actors):
    row_id, state = give_up(actors, 504)
    assert state == "incident"
    assert counts() == (1, [])
    with db.transaction() as session:
        assert session.get(OutboxMessage, row_id).state == "incident"

"""receive_dossier: a code, an instance, its first steps, all in one transaction."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError

from app.models import AuditEvent, Dossier, OutboxMessage, ProcessInstance
from app.services.core import queue
from app.services.core.errors import Forbidden, InvalidInput, NotFound
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from app.storage.db import db
from tests.services.helpers import deliver, receive, use_test_model

CODE = re.compile(r"^000\.00\.12\.H31-\d{6}-(\d{4})$")


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def test_received_dossier_gets_agency_day_sequence_code(actors):
    first, second = receive(actors["tiepnhan"]), receive(actors["tiepnhan"])
    assert CODE.match(first)[1] == "0001" and CODE.match(second)[1] == "0002"


def test_receipt_writes_instance_status_audit_and_outbox_together(actors):
    code = receive(actors["tiepnhan"])
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        instance = session.scalar(
            select(ProcessInstance).where(ProcessInstance.dossier_id == dossier.id)
        )
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        kinds = session.scalars(select(AuditEvent.kind).order_by(AuditEvent.id)).all()
    assert dossier.status == 1 and instance.version == 1 and instance.state
    assert [(r.operator, r.state) for r in rows] == [
        ("portal.sync_status", "pending"),
        ("portal.check_account", "pending"),
    ]
    assert rows[0].params["status"] == 1 and rows[0].params["dossier_code"] == code
    assert rows[1].task_id is not None
    assert kinds[:2] == ["dossier_received", "status_changed"]


def test_concurrent_receipts_get_distinct_consecutive_codes(actors):
    codes: list[str] = []
    errors: list[Exception] = []

    def work() -> None:
        try:
            codes.append(receive(actors["tiepnhan"]))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(int(CODE.match(c)[1]) for c in codes) == list(range(1, 13))


def test_bad_identifier_is_refused_with_field_messages_and_nothing_written(actors):
    with pytest.raises(InvalidInput) as err:
        receive_dossier(ReceiveDossier("2.000488", "cccd", "12345", "A"), actors["tiepnhan"])
    assert set(err.value.fields) == {"owner_id", "owner_name"}
    with db.transaction() as session:
        assert session.scalar(select(func.count(Dossier.id))) == 0


def test_unknown_procedure_is_not_found(actors):
    with pytest.raises(NotFound):
        receive_dossier(
            ReceiveDossier("9.999999", "cccd", "001090012345", "Nguyễn Văn An"), actors["tiepnhan"]
        )


def test_only_reception_officers_receive(actors):
    with pytest.raises(Forbidden):
        receive(actors["chuyenvien"])


def test_a_failing_start_leaves_no_dossier_and_a_voided_number_is_logged_with_its_reason(actors):
    # The model's first script divides by zero after the code and dossier row were written.
    use_test_model("broken_start")
    with pytest.raises(InvalidInput, match="division by zero"):
        receive(actors["tiepnhan"])
    with db.transaction() as session:
        assert session.scalar(select(func.count(Dossier.id))) == 0
        used = session.execute(text("SELECT coalesce(max(last_value), 0) FROM dossier_sequence"))
        voided = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "dossier_code_voided")
        ).all()
    if db.is_sqlite:
        # writers serialise on SQLite: the number is taken in the receipt's own transaction
        # and given back with it
        assert used.scalar() == 0 and voided == []
        return
    # PostgreSQL hands the number out in a transaction of its own: it is gone, and the audit
    # says which one and why, for the supervisor
    assert used.scalar() == 1
    assert len(voided) == 1 and voided[0].dossier_id is None
    assert voided[0].data["sequence"] == 1 and CODE.match(voided[0].data["code"])[1] == "0001"
    assert "division by zero" in voided[0].data["reason"]
    assert voided[0].actor_id == actors["tiepnhan"].id


def test_a_refused_receipt_takes_no_number(actors):
    with pytest.raises(Forbidden):
        receive(actors["chuyenvien"])
    with pytest.raises(InvalidInput):
        receive_dossier(ReceiveDossier("2.000488", "cccd", "12", "An"), actors["tiepnhan"])
    assert CODE.match(receive(actors["tiepnhan"]))[1] == "0001"


@pytest.mark.postgres
def test_a_receipt_does_not_wait_for_another_still_open_at_the_same_agency(actors):
    if db.is_sqlite:
        pytest.skip("SQLite serialises every writer")
    inside, released = threading.Event(), threading.Event()
    done: dict[str, str] = {}

    def slow_attach(session, dossier) -> None:  # noqa: ANN001
        inside.set()
        released.wait(20)

    def first() -> None:
        done["first"] = receive_dossier(
            ReceiveDossier("2.000488", "cccd", "001090012345", "Nguyễn Văn An"),
            actors["tiepnhan"],
            attach=slow_attach,
        )

    def second() -> None:
        done["second"] = receive(actors["tiepnhan"])

    slow = threading.Thread(target=first)
    slow.start()
    assert inside.wait(20)
    quick = threading.Thread(target=second)
    quick.start()
    quick.join(15)
    finished_while_first_open = not quick.is_alive()
    released.set()
    slow.join(20)
    quick.join(20)
    assert finished_while_first_open
    assert CODE.match(done["first"])[1] == "0001" and CODE.match(done["second"])[1] == "0002"


def test_audit_log_refuses_updates_and_deletes(actors):
    receive(actors["tiepnhan"])
    with db.transaction() as session:
        kinds = session.scalars(select(AuditEvent.kind).order_by(AuditEvent.id)).all()
    assert kinds  # there are rows to change: the refusal below is the trigger's, not "no row"
    for statement in ("UPDATE audit_event SET kind = 'x'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"), db.transaction() as session:
            session.execute(text(statement))
    with db.transaction() as session:
        assert session.scalars(select(AuditEvent.kind).order_by(AuditEvent.id)).all() == kinds


def test_a_receipt_writes_the_new_instance_once_with_its_first_state(actors):
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001, ANN002
        statements.append(" ".join(statement.split()).lower())

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        code = receive(actors["tiepnhan"])
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    writes = [s for s in statements if "process_instance" in s and not s.startswith("select")]
    assert len(writes) == 1 and writes[0].startswith("insert")
    with db.transaction() as session:
        instance = session.scalar(select(ProcessInstance).join(Dossier).where(Dossier.code == code))
        assert instance.version == 1 and instance.status == "running"
        assert instance.state  # the state the process started with, not a placeholder
    # the next step loads it and saves version 2, as after any receipt
    assert deliver("portal.check_account", {"exists": True, "account": {}}) == ["resumed"]
    with db.transaction() as session:
        assert (
            session.scalar(select(ProcessInstance.version).where(ProcessInstance.id == instance.id))
            == 2
        )

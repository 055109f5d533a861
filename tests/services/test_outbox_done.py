"""Marking an outbox row done (`outbox.mark_done`): one guarded UPDATE … RETURNING on the
session's connection; the session's own copy of the row shows what was written without
reading the row again, and a row that is not running is refused and left as it was."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from app.models import OutboxMessage
from app.services.core import outbox, queue
from app.services.core.errors import Conflict
from app.storage.db import db


@pytest.fixture
def running(app, monkeypatch) -> int:
    """A portal sync row claimed by a worker (nothing enqueued)."""
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)
    with db.transaction() as session:
        row_id = outbox.add_tracked(session, "portal.sync_status", {"code": "x"}, dossier_id=None)
    assert outbox.claim(row_id) is not None
    return row_id


def test_the_sessions_copy_of_the_row_shows_it_done_without_a_second_read(running):
    sent: list[str] = []

    def seen(conn, cursor, statement, *args: object) -> None:  # noqa: ANN001
        sent.append(statement)

    with db.transaction() as session:
        held = session.get(OutboxMessage, running)
        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            done = outbox.mark_done(session, running, {"ok": True})
            assert len(sent) == 1 and sent[0].lstrip().upper().startswith("UPDATE")
            assert (held.state, held.result, held.last_error) == ("done", {"ok": True}, None)
            assert held.done_at is not None
            assert len(sent) == 1  # the copy was not read again
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        assert (done.id, done.operator, done.params) == (
            running,
            "portal.sync_status",
            {"code": "x"},
        )
    with db.transaction() as session:
        stored = session.get(OutboxMessage, running)
        assert (stored.state, stored.result) == ("done", {"ok": True})


def test_a_row_that_is_not_running_is_refused_and_left_as_it_was(running):
    with db.transaction() as session:
        outbox.mark_done(session, running, {"first": 1})
    with pytest.raises(Conflict), db.transaction() as session:
        held = session.get(OutboxMessage, running)
        try:
            outbox.mark_done(session, running, {"second": 2})
        finally:
            assert (held.state, held.result) == ("done", {"first": 1})
    with db.transaction() as session:
        assert session.get(OutboxMessage, running).result == {"first": 1}

"""Due times of dossiers and steps come from the working calendar, overrides included."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.domain.status import VN_TZ
from app.domain.worktime import Override, OverrideKind, WorkCalendar
from app.models import Dossier, Procedure
from app.models.base import utcnow
from app.services.core import calendars, queue
from app.storage.db import db
from tests.services.helpers import deliver, open_task, receive


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def next_working_day_after_today():
    tomorrow = utcnow().astimezone(VN_TZ).date() + timedelta(days=1)
    return WorkCalendar.build().next_working_day(tomorrow)


def test_an_extra_day_off_pushes_the_dossier_and_step_due_times(actors):
    day_off = next_working_day_after_today()
    calendars.add_override(day_off.year, day_off, "day_off", "Nghỉ đột xuất", actors["quantri"])
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
    with_override = WorkCalendar.build(overrides=[Override(day_off, OverrideKind.DAY_OFF)])
    plain = WorkCalendar.build()
    expected = with_override.due(dossier.received_at, 10, "working_days")
    assert expected != plain.due(dossier.received_at, 10, "working_days")
    assert dossier.due_at == expected
    task = open_task(code, "reception")
    assert task.due_at == with_override.due(task.created_at, 0.5, "working_days")


def test_calendar_day_procedures_end_on_a_working_day(actors):
    with db.transaction() as session:
        session.execute(update(Procedure).values(duration_days=6, duration_unit="calendar_days"))
    code = receive(actors["tiepnhan"])
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
    due_local = dossier.due_at.astimezone(VN_TZ)
    assert WorkCalendar.build().is_working_day(due_local.date())
    assert due_local.date() >= (dossier.received_at.astimezone(VN_TZ) + timedelta(days=6)).date()
    assert due_local.hour == 17


def test_the_calendar_is_read_once_per_transaction_and_a_new_override_counts_at_the_next(actors):
    day_off = next_working_day_after_today()
    with db.transaction() as session:
        before = calendars.work_calendar(session)
        assert calendars.work_calendar(session) is before  # one read for the whole step
        assert before.is_working_day(day_off)
    calendars.add_override(day_off.year, day_off, "day_off", "Nghỉ đột xuất", actors["quantri"])
    with db.transaction() as session:
        assert not calendars.work_calendar(session).is_working_day(day_off)
    # the next dossier received is due later: its transaction saw the new day off
    code = receive(actors["tiepnhan"])
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
    assert dossier.due_at == calendars.WorkCalendar.build(
        overrides=[Override(day_off, OverrideKind.DAY_OFF)]
    ).due(dossier.received_at, 10, "working_days")

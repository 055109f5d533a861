"""A dossier about to miss its appointment needs an apology and a new date (slip 04)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select, update

from app.domain.status import VN_TZ, portal_time
from app.models import AuditEvent, Dossier, OutboxMessage, Procedure
from app.services.core import queue
from app.services.core.errors import Forbidden, InvalidInput
from app.services.deadlines import apologies
from app.storage.db import db
from tests.services.helpers import deliver, receive
from tests.web.helpers import login, post


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


@pytest.fixture
def due_tomorrow(actors, clock) -> str:
    """A one-working-day procedure received Wed 25/11 09:00: due Thu 26/11 09:00."""
    with db.transaction() as session:
        session.execute(update(Procedure).values(duration_days=1))
    clock.set(datetime(2026, 11, 25, 9, tzinfo=VN_TZ))
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    clock.set(datetime(2026, 11, 25, 10, tzinfo=VN_TZ))
    return code


def test_dossier_due_within_a_working_day_is_listed_for_supervisors(client, actors, due_tomorrow):
    [row], total = apologies.at_risk(actors["giamsat"])
    assert (row.code, row.overdue, total) == (due_tomorrow, False, 1)
    login(client, "giamsat")
    assert due_tomorrow in client.get("/supervisor/at-risk").get_data(as_text=True)
    assert ">1</strong><span>Sắp trễ hẹn, chưa xin lỗi" in client.get("/supervisor").get_data(
        as_text=True
    )


def test_recording_the_apology_moves_the_appointment_and_tells_the_portal(
    client, actors, due_tomorrow
):
    login(client, "tiepnhan")
    response = post(
        client,
        f"/dossiers/{due_tomorrow}/apology",
        {"new_day": "2026-12-03", "reason": "Cần xác minh thêm với cơ quan công an"},
        f"/dossiers/{due_tomorrow}",
    )
    assert response.status_code == 302
    expected = datetime(2026, 12, 3, 17, tzinfo=VN_TZ)
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == due_tomorrow))
        sync = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
        event = session.scalar(select(AuditEvent).where(AuditEvent.kind == "apology_recorded"))
    assert dossier.due_at == expected and dossier.apologized_at is not None
    assert sync.operator == "portal.sync_status" and sync.params["due_at"] == portal_time(expected)
    assert event.data["reason"] == "Cần xác minh thêm với cơ quan công an"
    assert apologies.at_risk(actors["giamsat"]) == ([], 0)
    assert "Xin lỗi và hẹn lại: Cần xác minh" in client.get(f"/dossiers/{due_tomorrow}").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("day", "reason", "message"),
    [
        ("2026-11-25", "Cần xác minh thêm", "sau ngày hẹn hiện tại"),
        ("2026-11-28", "Cần xác minh thêm", "ngày làm việc"),
        ("2026-12-03", "ngắn", "Nêu lý do trễ hẹn"),
        ("31/02/2026", "Cần xác minh thêm", "Ngày không hợp lệ"),
        ("2026/12/03", "Cần xác minh thêm", "Ngày không hợp lệ"),
    ],
)
def test_impossible_new_appointments_are_refused(client, due_tomorrow, day, reason, message):
    login(client, "tiepnhan")
    response = post(
        client,
        f"/dossiers/{due_tomorrow}/apology",
        {"new_day": day, "reason": reason},
        f"/dossiers/{due_tomorrow}",
    )
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_only_leaders_or_reception_of_the_agency_record_it(actors, due_tomorrow):
    with pytest.raises(Forbidden):
        apologies.record_apology(
            due_tomorrow, date(2026, 12, 3), "Cần xác minh thêm", actors["chuyenvien"]
        )
    with pytest.raises(InvalidInput):
        apologies.record_apology(due_tomorrow, date(2026, 12, 3), "x", actors["lanhdao"])


def test_the_new_appointment_is_typed_day_month_year(client, due_tomorrow):
    login(client, "tiepnhan")
    page = client.get(f"/dossiers/{due_tomorrow}").get_data(as_text=True)
    assert 'name="new_day" value="" placeholder="dd/mm/yyyy"' in page
    response = post(
        client,
        f"/dossiers/{due_tomorrow}/apology",
        {"new_day": "03/12/2026", "reason": "Cần xác minh thêm với cơ quan công an"},
        f"/dossiers/{due_tomorrow}",
    )
    assert response.status_code == 302
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == due_tomorrow))
    assert dossier.due_at == datetime(2026, 12, 3, 17, tzinfo=VN_TZ)


def test_a_long_at_risk_list_shows_the_most_urgent_and_counts_the_rest(
    client, actors, clock, due_tomorrow, monkeypatch
):
    clock.set(datetime(2026, 11, 25, 9, tzinfo=VN_TZ))
    later = [receive(actors["tiepnhan"]) for _ in range(2)]
    deliver("portal.check_account", {"exists": True})
    clock.set(datetime(2026, 11, 25, 10, tzinfo=VN_TZ))
    rows, total = apologies.at_risk(actors["giamsat"], shown=2)
    assert [r.code for r in rows] == [due_tomorrow, later[0]] and total == 3
    monkeypatch.setattr(apologies, "COUNT_CAP", 1)
    assert apologies.at_risk(actors["giamsat"], shown=0) == ([], 2)  # 1+: counted no further
    monkeypatch.setattr(apologies, "AT_RISK_SHOWN", 1)
    login(client, "giamsat")
    page = client.get("/supervisor/at-risk").get_data(as_text=True)
    assert due_tomorrow in page and later[1] not in page
    assert "Hiện 1 hồ sơ gấp nhất" in page

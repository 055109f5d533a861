"""The administrator's working calendar: overrides change due times; bad entries are refused."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.models import CalendarOverride
from app.services import queue
from app.storage.db import db
from tests.web.helpers import login, post


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids: None)


def test_calendar_lists_holidays_and_swapped_saturdays(client):
    login(client, "quantri")
    html = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "17/02/2026" in html and "Lunar New Year" in html
    assert "22/08/2026" in html and "Làm bù theo quy định" in html


def test_admin_adds_and_removes_an_extra_day_off(client):
    login(client, "quantri")
    response = post(
        client,
        "/admin/calendar?year=2026",
        {"day": "2026-12-02", "kind": "day_off", "note": "Nghỉ đột xuất"},
        "/admin/calendar?year=2026",
    )
    assert response.status_code == 302
    html = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "02/12/2026" in html and "Nghỉ đột xuất" in html
    with db.transaction() as session:
        override = session.scalar(select(CalendarOverride))
    assert override.day == date(2026, 12, 2) and override.kind == "day_off"
    response = post(
        client, f"/admin/calendar/{override.id}/delete?year=2026", {}, "/admin/calendar?year=2026"
    )
    assert response.status_code == 302
    with db.transaction() as session:
        assert session.scalar(select(CalendarOverride)) is None


@pytest.mark.parametrize(
    ("day", "kind", "message"),
    [
        ("2027-01-04", "day_off", "không thuộc năm 2026"),
        ("2026-12-03", "working_day", "đã là ngày làm việc"),
        ("2026-09-02", "day_off", "đã là ngày nghỉ"),
        ("2026-13-01", "day_off", "Ngày không hợp lệ"),
    ],
)
def test_impossible_entries_are_refused_with_a_message(client, day, kind, message):
    login(client, "quantri")
    response = post(
        client, "/admin/calendar?year=2026", {"day": day, "kind": kind}, "/admin/calendar?year=2026"
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with db.transaction() as session:
        assert session.scalar(select(CalendarOverride)) is None


def test_a_duplicate_override_is_refused(client):
    login(client, "quantri")
    form = {"day": "2026-12-02", "kind": "day_off"}
    assert (
        post(client, "/admin/calendar?year=2026", form, "/admin/calendar?year=2026").status_code
        == 302
    )
    response = post(client, "/admin/calendar?year=2026", form, "/admin/calendar?year=2026")
    assert response.status_code == 422 and "đã có điều chỉnh" in response.get_data(as_text=True)


def test_only_administrators_edit_the_calendar(client):
    login(client, "tiepnhan")
    assert client.get("/admin/calendar").status_code == 403

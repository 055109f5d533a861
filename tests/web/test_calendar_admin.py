"""The administrator's working calendar: overrides change due times; bad entries are refused."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.models import CalendarOverride
from app.services.core import queue
from app.storage.db import db
from tests.web.helpers import login, post


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def test_calendar_lists_holidays_and_swapped_saturdays(client):
    login(client, "quantri")
    html = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "17/02/2026" in html and "Tết Nguyên Đán" in html
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


def test_holidays_are_named_in_vietnamese_in_vietnamese_mode(client):
    login(client, "quantri")
    html = client.get("/admin/calendar?year=2026&lang=vi").get_data(as_text=True)
    assert "Tết Nguyên Đán" in html and "Giỗ Tổ Hùng Vương" in html
    assert "Nghỉ bù cho ngày 22/08/2026" in html
    assert "Lunar New Year" not in html and "substituted" not in html


def test_holidays_are_named_in_english_in_english_mode(client):
    login(client, "quantri")
    html = client.get("/admin/calendar?year=2026&lang=en").get_data(as_text=True)
    assert "17 Feb 2026" in html and "Lunar New Year" in html
    assert "Hung Kings&#39; Commemoration Day" in html
    assert "Day off in lieu of 22 Aug 2026" in html
    assert "Tết Nguyên Đán" not in html


def test_the_day_input_says_and_takes_day_month_year(client):
    login(client, "quantri")
    html = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert 'name="day"' in html and 'placeholder="dd/mm/yyyy"' in html
    assert 'type="date"' not in html  # the browser's picker would show its own locale's order
    response = post(
        client,
        "/admin/calendar?year=2026",
        {"day": "02/12/2026", "kind": "day_off"},
        "/admin/calendar?year=2026",
    )
    assert response.status_code == 302
    with db.transaction() as session:
        assert session.scalar(select(CalendarOverride.day)) == date(2026, 12, 2)


@pytest.mark.parametrize("typed", ["31/02/2026", "2026-13-01", "abc", "1" * 10_000, "12/31/2026"])
def test_a_day_that_is_not_dd_mm_yyyy_is_refused_on_its_field(client, typed):
    login(client, "quantri")
    response = post(
        client,
        "/admin/calendar?year=2026",
        {"day": typed, "kind": "day_off"},
        "/admin/calendar?year=2026",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field = html[html.index('<div class="field has-error"><label>Ngày') :]
    assert "nhập theo dạng dd/mm/yyyy" in field[: field.index("</div>")]
    assert typed[:20] in html  # what was typed is shown back to be corrected
    with db.transaction() as session:
        assert session.scalar(select(CalendarOverride)) is None

"""The inbox and the supervisor's list as pages: filters in the URL, counts next to each choice,
the unit column, saved filters (escaped, per officer), the nudge's message and bulk reassign."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.models import HumanTask, SavedFilter, User, UserRole
from app.services.core import queue
from app.storage.db import db
from tests.web.helpers import login, post


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def test_the_inbox_shows_filters_with_counts_and_the_unit(client, three_overdue):
    login(client, "tiepnhan")
    html = client.get("/inbox").get_data(as_text=True)
    assert 'id="task-filters"' in html and 'name="q"' in html
    assert re.search(r'<option value="overdue"\s*>[^<]*\(3\)</option>', html)
    assert re.search(r'<option value="2.000488"\s*>[^<]*\(3\)</option>', html)
    assert html.count('<td class="unit">Sở Tư pháp tỉnh Hưng Yên</td>') == 3
    assert 'data-sort="due"' in html and 'aria-sort="ascending"' in html


def test_the_inbox_filter_lives_in_the_url(client, three_overdue):
    login(client, "tiepnhan")
    none = client.get("/inbox?state=on_time").get_data(as_text=True)
    assert "data-task=" not in none
    some = client.get("/inbox?state=overdue&sort=-code").get_data(as_text=True)
    assert some.count("data-task=") == 3
    assert 'aria-sort="descending"' in some


@pytest.mark.parametrize(
    "query",
    [
        "state=late",
        "sort=evil",
        "channel=fax",
        "from=31/02/2026",
        "from=05/11/2026&to=01/11/2026",
        "q=" + "x" * 150,
        "page=0",
    ],
)
def test_bad_list_parameters_are_a_clear_422(client, three_overdue, query):
    login(client, "giamsat")
    assert client.get(f"/supervisor/tasks?{query}").status_code == 422
    login(client, "tiepnhan")
    assert client.get(f"/inbox?{query}").status_code == 422


def test_the_dossier_lists_search_longer_than_the_limit_is_a_clear_422(client, three_overdue):
    login(client, "tiepnhan")
    response = client.get("/dossiers", query_string={"q": "x" * 101})
    assert response.status_code == 422
    assert "dài quá 100 ký tự" in response.get_data(as_text=True)
    assert client.get("/dossiers", query_string={"q": "x" * 100}).status_code == 200


def test_wildcards_and_quotes_in_the_search_box_match_nothing_here(client, three_overdue):
    login(client, "tiepnhan")
    for typed in ("%", "_", "'", "' OR 1=1 --"):
        html = client.get("/inbox", query_string={"q": typed}).get_data(as_text=True)
        assert "data-task=" not in html


def test_saving_a_filter_reopens_the_list_with_it_and_escapes_its_name(client, three_overdue):
    login(client, "tiepnhan")
    response = post(
        client,
        "/saved-filters",
        {"kind": "inbox", "name": "<b>x</b>", "query": "state=overdue&sort=-due"},
        "/inbox",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/inbox?state=overdue&sort=-due")
    html = client.get("/inbox").get_data(as_text=True)
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert 'href="/inbox?state=overdue&amp;sort=-due"' in html
    again = post(
        client, "/saved-filters", {"kind": "inbox", "name": "<b>x</b>", "query": ""}, "/inbox"
    )
    assert again.status_code == 409


def test_an_officer_cannot_delete_anothers_saved_filter(client, three_overdue):
    login(client, "tiepnhan")
    post(client, "/saved-filters", {"kind": "inbox", "name": "mine", "query": ""}, "/inbox")
    with db.transaction() as session:
        filter_id = session.scalar(select(SavedFilter.id))
    login(client, "chuyenvien")
    response = post(client, f"/saved-filters/{filter_id}/delete", {}, "/inbox")
    assert response.status_code == 404
    login(client, "tiepnhan")
    assert post(client, f"/saved-filters/{filter_id}/delete", {}, "/inbox").status_code == 302
    with db.transaction() as session:
        assert session.scalar(select(SavedFilter.id)) is None


def test_a_huge_saved_query_is_refused(client, three_overdue):
    login(client, "tiepnhan")
    response = post(
        client,
        "/saved-filters",
        {"kind": "inbox", "name": "x", "query": "q=" + "a" * 5000},
        "/inbox",
    )
    assert response.status_code == 422


def test_the_nudge_form_needs_a_message(client, three_overdue):
    login(client, "giamsat")
    page = "/supervisor/tasks"
    url = f"/supervisor/tasks/{three_overdue[0]}/nudge"
    assert post(client, url, {"message": ""}, page).status_code == 422
    assert post(client, url, {"message": "x" * 501}, page).status_code == 422
    assert post(client, url, {"message": "Xử lý gấp"}, page).status_code == 302


def test_bulk_reassign_reports_each_step(client, three_overdue):
    with db.transaction() as session:
        admin = session.scalar(select(User).where(User.username == "quantri"))
        admin.roles.append(UserRole(role="reception", agency_id=admin.agency_id))
        session.flush()
        admin_id = admin.id
    login(client, "giamsat")
    html = client.get("/supervisor/tasks").get_data(as_text=True)
    assert html.count('name="task_ids"') == 3 and 'id="bulk-reassign"' in html
    data = {"task_ids": [three_overdue[0], "no-such-task"], "user_id": admin_id, "reason": "Nghỉ"}
    response = post(client, "/supervisor/tasks/reassign", data, "/supervisor/tasks")
    assert response.status_code == 302
    after = client.get("/supervisor/tasks").get_data(as_text=True)
    assert "Đã giao lại 1 việc" in after and "Không giao lại được no-such-task" in after
    with db.transaction() as session:
        assert session.get(HumanTask, three_overdue[0]).assignee_id == admin_id
    empty = {"user_id": admin_id, "reason": "Nghỉ"}
    assert post(client, "/supervisor/tasks/reassign", empty, "/supervisor/tasks").status_code == 422

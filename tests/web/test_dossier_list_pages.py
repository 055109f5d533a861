"""The officers' dossier list over years of dossiers: a few page numbers around the one shown
(never a link per page), its total counted up to the lists' cap and said as "more than"."""

from __future__ import annotations

import re

import pytest

from app.services.core import queue
from app.services.dossiers import dossier_queries, queries
from tests.web.helpers import login, receive_at_counter


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def pager(html: str) -> tuple[list[str], str]:
    """The numbered links of the list's pager and the whole pager's text."""
    nav = html.split('<nav class="pager"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'page=\d+"[^>]*>(\d+)</a>', nav), nav


def test_a_long_list_shows_a_few_pages_around_this_one_and_the_ends(client, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 1)
    monkeypatch.setattr(dossier_queries, "PAGE_SIZE", 1)
    login(client, "tiepnhan")
    for _ in range(9):
        receive_at_counter(client, owner_name="Trần Thị Mai")
    html = client.get("/dossiers", query_string={"q": "Thị Mai", "page": 5}).get_data(as_text=True)
    numbers, nav = pager(html)
    assert numbers == ["1", "3", "4", "6", "7", "9"]
    assert 'aria-current="page">5<' in nav and nav.count("…") == 2
    assert "« Trước" in nav and "Sau »" in nav
    assert "q=Th%E1%BB%8B+Mai" in nav  # the search is kept from page to page
    first, nav = pager(client.get("/dossiers?q=Th%E1%BB%8B+Mai").get_data(as_text=True))
    assert first == ["2", "3", "9"] and "« Trước" not in nav
    last, nav = pager(client.get("/dossiers?q=Th%E1%BB%8B+Mai&page=9").get_data(as_text=True))
    assert last == ["1", "7", "8"] and "Sau »" not in nav


def test_past_the_cap_the_total_says_more_than_and_the_pages_go_on(client, actors, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 1)
    monkeypatch.setattr(dossier_queries, "PAGE_SIZE", 1)
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    monkeypatch.setattr(dossier_queries, "COUNT_CAP", 3)
    login(client, "tiepnhan")
    codes = [receive_at_counter(client, owner_name="Lê Văn Phúc") for _ in range(6)]
    html = client.get("/dossiers", query_string={"q": "Văn Phúc"}).get_data(as_text=True)
    assert '<span class="count">3+</span>' in html
    assert "Có hơn 3 hồ sơ: tìm theo mã, họ tên hoặc số giấy tờ để thu hẹp." in html
    numbers, nav = pager(html)
    assert numbers == ["2", "3"] and "Sau »" in nav  # no last page named: it is not known
    # past the counted pages, one at a time, down to the oldest dossier
    html = client.get("/dossiers", query_string={"q": "Văn Phúc", "page": 6}).get_data(as_text=True)
    assert codes[0] in html
    numbers, nav = pager(html)
    assert numbers == ["1", "4", "5", "7"]
    # counted up to the cap and one more, never all of them
    assert dossier_queries.list_dossiers(actors["tiepnhan"], "Văn Phúc")[1] == 4

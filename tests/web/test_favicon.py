"""The site icon: /favicon.ico answers with an icon to anyone, and every page base links it."""

from __future__ import annotations

import pytest


def test_favicon_ico_is_an_icon_anyone_gets(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"  # the ICO header: reserved 0, type 1 (icon)
    assert "max-age" in response.headers.get("Cache-Control", "")


def test_the_svg_icon_is_served_as_svg(client):
    response = client.get("/static/favicon.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).startswith("<svg")


@pytest.mark.parametrize("page", ["/login", "/citizen/welcome", "/tra-cuu"])
def test_page_bases_link_the_icon(client, page):
    html = client.get(page).get_data(as_text=True)
    assert '<link rel="icon" href="/favicon.ico"' in html
    assert 'href="/static/favicon.svg" type="image/svg+xml"' in html

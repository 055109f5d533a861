"""The site root and the citizens' landing page once the former public portal is closed
(003 §IV.3.b: from 1 July 2025 online public services are done at the national portal only):
citizens read the notice and are taken there after 10 s; officers keep their sign-in page at
its own address; a deployment that keeps its pages is unchanged."""

from __future__ import annotations

import pytest

from app import settings
from tests.web.helpers import login

NOTICE = "Từ ngày 01/7/2025, cá nhân, tổ chức sẽ thực hiện dịch vụ công trực tuyến"
REFRESH = 'content="10;url=https://dichvucong.gov.vn"'


def test_003_iv_3_b_the_site_root_shows_citizens_the_notice_with_the_10_second_redirect(client):
    root = client.get("/")
    html = root.get_data(as_text=True)
    assert root.status_code == 200 and NOTICE in html and REFRESH in html
    # officers are pointed to their own sign-in page, which stays where it is
    assert 'id="officers-login"' in html and 'href="/login"' in html
    assert client.get("/login").status_code == 200


def test_a_signed_in_officer_at_the_site_root_goes_to_the_inbox(client):
    login(client, "tiepnhan")
    root = client.get("/")
    assert root.status_code == 302 and root.headers["Location"].endswith("/inbox")


def test_the_portals_deep_link_at_the_site_root_still_opens_the_citizens_dossier(client):
    link = client.get("/?vnconnect=1&mahoso=000.00.12.H31-260101-0001")
    assert link.status_code == 302
    assert link.headers["Location"].endswith("/citizen/dossiers/000.00.12.H31-260101-0001")


def test_003_iv_3_b_no_public_landing_page_remains_where_the_portal_is_closed(client):
    welcome = client.get("/citizen/welcome")
    html = welcome.get_data(as_text=True)
    assert welcome.status_code == 200 and NOTICE in html and REFRESH in html
    assert "Đăng nhập qua Cổng DVCQG" not in html
    # the officers' link is for the site root only
    assert 'id="officers-login"' not in html


@pytest.mark.parametrize("page", ["/", "/citizen/welcome"])
def test_the_notice_reads_in_english(client, page):
    html = client.get(f"{page}?lang=en").get_data(as_text=True)
    assert "From 1 July 2025" in html and "Đến Cổng" not in html


def test_a_deployment_that_keeps_its_public_pages_keeps_the_root_and_the_landing_page(
    client, monkeypatch
):
    monkeypatch.setattr(settings.current, "PUBLIC_PORTAL_CLOSED", False)
    root = client.get("/")
    assert root.status_code == 302 and NOTICE not in root.get_data(as_text=True)
    welcome = client.get("/citizen/welcome").get_data(as_text=True)
    assert "Đăng nhập qua Cổng DVCQG" in welcome and NOTICE not in welcome

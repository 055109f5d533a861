"""The national catalogue's screen (003 §III.2.b Bước 1–3): the diff read as added / changed
field by field / gone, applied by an administrator exactly as shown, refused with a message
when the catalogue changed since; analysts may look but not apply."""

from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import func, select

from app.models import CatalogSync
from app.storage.db import db
from tests.web.helpers import login, post, token

pytestmark = pytest.mark.simulators
PAGE = "/admin/catalogs"


def diff_id(text: str) -> str:
    return re.search(r'name="diff_id" value="([0-9a-f]{16})"', text).group(1)


def syncs() -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(CatalogSync))


def test_the_administrator_reads_the_diff_and_applies_it(client, app):
    login(client, "quantri")
    page = client.get(PAGE)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="diff-procedure"' in text and "1.001193" in text and "Đăng ký khai sinh" in text
    assert "<del>—</del> → <ins>Cấp tỉnh; Cấp xã</ins>" in text
    assert "Không còn trên Cổng" in text  # the fee no national procedure charges
    response = post(client, PAGE, {"diff_id": diff_id(text)})
    assert response.status_code == 302
    assert syncs() == 1
    after = client.get(PAGE).get_data(as_text=True)
    assert "Danh mục đã khớp với Cổng DVCQG." in after and 'id="sync-history"' in after


def test_a_catalogue_changed_since_it_was_shown_is_refused_with_the_new_diff(
    client, app, portal_url
):
    login(client, "quantri")
    shown = diff_id(client.get(PAGE).get_data(as_text=True))
    requests.post(
        f"{portal_url}/_sim/national-catalog",
        json={"set": {"document_types": [{"code": "KQ.G15.000099", "name": "Giấy mới"}]}},
        timeout=5,
    ).raise_for_status()
    response = post(client, PAGE, {"diff_id": shown})
    text = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "đã thay đổi từ lúc xem" in text and "KQ.G15.000099" in text
    assert diff_id(text) != shown and syncs() == 0


def test_an_analyst_sees_the_diff_without_an_apply_button_and_cannot_apply(client, app):
    login(client, "phantich")
    page = client.get(PAGE)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="sync-apply"' not in text
    shown = re.search(r'id="sync-diff-id">([0-9a-f]{16})<', text).group(1)
    response = client.post(PAGE, data={"diff_id": shown, "csrf_token": token(client, PAGE)})
    assert response.status_code == 403 and syncs() == 0


def test_a_malformed_catalogue_is_shown_with_its_problems_and_nothing_to_apply(
    client, app, portal_url
):
    requests.post(
        f"{portal_url}/_sim/national-catalog",
        json={"set": {"procedures": [{"code": "1.005092", "duration_days": -1}]}},
        timeout=5,
    ).raise_for_status()
    login(client, "quantri")
    page = client.get(PAGE)
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "chưa áp dụng gì" in text and "procedures[1] 1.005092: duration_days" in text
    assert 'id="sync-apply"' not in text


def test_a_procedure_gone_from_the_portal_is_flagged_in_the_catalog(client, app, portal_url):
    login(client, "quantri")
    post(client, PAGE, {"diff_id": diff_id(client.get(PAGE).get_data(as_text=True))})
    requests.post(
        f"{portal_url}/_sim/national-catalog",
        json={
            "remove": {"procedures": ["1.012250"], "online_services": ["1.012250@000.00.08.H31"]}
        },
        timeout=5,
    ).raise_for_status()
    post(client, PAGE, {"diff_id": diff_id(client.get(PAGE).get_data(as_text=True))})
    listing = client.get("/catalogs/procedures").get_data(as_text=True)
    row = listing[listing.index(">1.012250<") :].split("</tr>")[0]
    assert "Không còn trên Cổng DVCQG từ" in row


def test_a_synced_procedure_shows_what_the_portal_says_beyond_its_fields(client, app):
    login(client, "quantri")
    post(client, PAGE, {"diff_id": diff_id(client.get(PAGE).get_data(as_text=True))})
    text = client.get("/catalogs/procedures/1.005092").get_data(as_text=True)
    entry = text[text.index('id="national-entry"') :].split("</div>")[0]
    assert "Cấp tỉnh, Cấp xã" in entry
    assert "toàn trình" in entry and "000.00.12.H31" in entry


def test_a_portal_that_does_not_answer_gives_a_clear_502_and_nothing_to_apply(
    client, app, portal_url
):
    login(client, "quantri")
    requests.post(f"{portal_url}/_sim/faults", json={"fail_next": 1}, timeout=5).raise_for_status()
    page = client.get(PAGE)
    text = page.get_data(as_text=True)
    assert page.status_code == 502
    assert "Không lấy được danh mục TTHC từ Cổng DVCQG" in text and 'id="sync-apply"' not in text


def test_a_merged_agency_points_to_the_reorganisation_plans(client, app, portal_url):
    requests.post(
        f"{portal_url}/_sim/national-catalog",
        json={
            "set": {
                "agencies": [
                    {"code": "000.00.07.H31", "status": "merged", "successor_code": "000.00.00.H31"}
                ]
            }
        },
        timeout=5,
    ).raise_for_status()
    login(client, "quantri")
    text = client.get(PAGE).get_data(as_text=True)
    row = text[text.index('data-code="000.00.07.H31"') :].split("</tr>")[0]
    assert "<del>đang hoạt động</del> → <ins>đã sáp nhập</ins>" in row
    assert 'class="help merged-note"' in row and 'href="/admin/reorganisation"' in row


def test_a_fee_no_national_procedure_charges_is_flagged_in_the_fees_catalog(client, app):
    login(client, "quantri")
    post(client, PAGE, {"diff_id": diff_id(client.get(PAGE).get_data(as_text=True))})
    listing = client.get("/catalogs/fees").get_data(as_text=True)
    row = listing[listing.index('data-code="P042"') :].split("</tr>")[0]
    assert "Không còn trên Cổng DVCQG từ" in row
    kept = listing[listing.index('data-code="P196"') :].split("</tr>")[0]
    assert "Không còn trên Cổng" not in kept

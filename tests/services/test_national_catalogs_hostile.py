"""A national catalogue a hostile or broken portal might send is refused whole, each fault
located, nothing applied (003 §III.2.b Bước 1–3, 001 §IV.1): malformed entries, codes pointing
nowhere, duplicates, loops, lists or answers too large, answers that are no catalogue."""

from __future__ import annotations

import pytest

from app.integrations.errors import IntegrationError
from app.services.catalogs import national_sync
from app.services.catalogs.national_catalogue import CatalogueRefused, PortalUnavailable
from app.services.core.actors import SYSTEM
from tests.services.test_national_catalogs import national, procedure_entry, stage, sync_rows

pytestmark = pytest.mark.simulators


MALFORMED = [
    pytest.param({"procedures": [{"code": "1.005092", "name": 7}]}, "name", id="wrong-type"),
    pytest.param(
        {"procedures": [{"code": "1.005092", "result_type_code": "KQ.KHAC"}]},
        "result_type_code",
        id="result-type-not-in-catalogue",
    ),
    pytest.param(
        {"agencies": [{"code": "000.00.99.H31", "name": "Sở", "level": 2, "status": "merged"}]},
        "successor_code",
        id="merged-without-successor",
    ),
    pytest.param(
        {"online_services": [{"procedure_code": "9.999999", "agency_code": "000.00.12.H31"}]},
        "procedure_code",
        id="service-of-no-procedure",
    ),
    pytest.param(
        {
            "online_services": [
                {
                    "procedure_code": "1.005092",
                    "agency_code": "000.00.12.H31",
                    "name": "Dịch vụ",
                    "level": "toàn trình",
                    "url": "javascript:alert(1)",
                }
            ]
        },
        "url",
        id="link-that-is-no-https-address",
    ),
    pytest.param(
        {
            "agencies": [
                {"code": "000.00.00.H31", "parent_code": "000.00.12.H31"},
            ]
        },
        "vòng lặp",
        id="agencies-in-a-loop",
    ),
]


@pytest.mark.parametrize(("change", "problem"), MALFORMED)
def test_a_malformed_entry_refuses_the_whole_catalogue(app, portal_url, change, problem):
    stage(portal_url, set=change)
    with pytest.raises(CatalogueRefused) as refused:
        national_sync.diff_with_portal()
    assert any(problem in p for p in refused.value.problems)
    with pytest.raises(CatalogueRefused):
        national_sync.apply_sync("anything", SYSTEM)
    assert sync_rows() == 0


def test_duplicate_codes_refuse_the_catalogue(app, portal_url):
    body = national(portal_url)
    body["procedures"].append(dict(body["procedures"][0]))
    stage(portal_url, raw=body)
    with pytest.raises(CatalogueRefused) as refused:
        national_sync.diff_with_portal()
    assert any("2.000488 trùng" in p for p in refused.value.problems)


def test_one_fee_code_with_two_amounts_refuses_the_catalogue(app, portal_url):
    entry = procedure_entry(portal_url, "1.002809")
    stage(
        portal_url,
        set={"procedures": [{**entry, "fees": [{"code": "P196", "name": "Phí", "amount": 1}]}]},
    )
    with pytest.raises(CatalogueRefused) as refused:
        national_sync.diff_with_portal()
    assert any("P196" in p for p in refused.value.problems)


@pytest.mark.parametrize("raw", [[], "catalogue", {"version": 3}, {"version": "1"}])
def test_an_answer_that_is_no_catalogue_is_refused(app, portal_url, raw):
    stage(portal_url, raw=raw)
    with pytest.raises(CatalogueRefused):
        national_sync.diff_with_portal()


def test_a_huge_answer_is_refused_before_it_is_read_whole(app, portal_url, monkeypatch):
    from app import settings

    monkeypatch.setattr(settings.current, "PORTAL_CATALOG_MAX_BYTES", 256 * 1024)
    stage(portal_url, pad_bytes=4 * 1024 * 1024)  # streamed: no length to refuse it by
    with pytest.raises(PortalUnavailable, match="more than the 262144 bytes allowed"):
        national_sync.diff_with_portal()
    assert sync_rows() == 0


def test_a_list_longer_than_the_setting_allows_is_refused(app, monkeypatch):
    from app import settings

    monkeypatch.setattr(settings.current, "PORTAL_CATALOG_MAX_ENTRIES", 5)
    with pytest.raises(CatalogueRefused) as refused:
        national_sync.diff_with_portal()
    assert any("có hơn 5 mục" in p for p in refused.value.problems)


def test_an_answer_nested_beyond_reason_is_refused_not_a_crash(app):
    from flask import Flask

    from app.integrations.portal import PortalClient
    from app.integrations.simulators import serve_in_thread

    hostile = Flask("hostile_portal")
    hostile.add_url_rule(
        "/api/catalog/national", "national", lambda: ("[" * 200_000, 200, {"ETag": '"x"'})
    )
    url, stop = serve_in_thread(hostile)
    try:
        with pytest.raises(IntegrationError, match="not JSON"):
            PortalClient(url, 5).national_catalog(10_000_000)
    finally:
        stop()


def test_an_answer_declaring_more_bytes_than_allowed_is_refused_unread(app, monkeypatch):
    from app import settings

    monkeypatch.setattr(settings.current, "PORTAL_CATALOG_MAX_BYTES", 1024)
    with pytest.raises(PortalUnavailable, match="bytes, more than the 1024 allowed"):
        national_sync.diff_with_portal()

"""The portal and warehouse clients against their simulators over real HTTP."""

from __future__ import annotations

import pytest
import requests

from app.integrations.errors import IntegrationError
from app.integrations.operators import call_operator, check_params, clients_from_config
from app.integrations.portal import PortalClient
from app.integrations.warehouse import WarehouseClient
from tests.support.warehouse_records import six_fields


@pytest.fixture
def portal(portal_url) -> PortalClient:
    requests.post(f"{portal_url}/_sim/reset", timeout=5)
    return PortalClient(portal_url, timeout=1.0)


@pytest.fixture
def warehouse(warehouse_url) -> WarehouseClient:
    requests.post(f"{warehouse_url}/_sim/reset", timeout=5)
    return WarehouseClient(warehouse_url, timeout=1.0)


def faults(url: str, **knobs) -> None:
    requests.post(f"{url}/_sim/faults", json=knobs, timeout=5).raise_for_status()


def test_account_is_found_by_cccd_and_name_whatever_the_case_and_spacing(portal):
    account = portal.find_account(cccd="001090012345", full_name="  nguyễn   VĂN an ")
    assert account["full_name"] == "Nguyễn Văn An" and account["birth_date"] == "1990-05-12"


def test_account_with_the_wrong_name_or_unknown_id_is_not_found(portal):
    assert portal.find_account(cccd="001090012345", full_name="Trần Văn B") is None
    assert portal.find_account(cccd="079095000123", full_name="Trần Thị Bình") is None


def test_business_account_is_found_by_tax_code(portal):
    assert portal.find_account(tax_code="0101243150")["full_name"].startswith("Công ty")


def test_created_account_is_found_and_a_second_create_conflicts(portal):
    profile = {
        "identifier_type": "cccd",
        "identifier": "079095000123",
        "full_name": "Trần Thị Bình",
    }
    created = portal.create_account(profile, "key-1")
    assert portal.create_account(profile, "key-1") == created
    assert (
        portal.find_account(cccd="079095000123", full_name="Trần Thị Bình")["id"] == created["id"]
    )
    assert portal.get_profile(created["id"])["full_name"] == "Trần Thị Bình"
    with pytest.raises(IntegrationError) as err:
        portal.create_account(profile, "key-2")
    assert err.value.status == 409 and not err.value.retryable


def test_status_sync_is_recorded_in_order_and_once_per_key(portal, portal_url):
    portal.sync_status({"dossier_code": "X-1", "status": 1}, "a")
    portal.sync_status({"dossier_code": "X-1", "status": 2}, "b")
    portal.sync_status({"dossier_code": "X-1", "status": 2}, "b")
    received = requests.get(f"{portal_url}/_sim/received", timeout=5).json()
    assert [(m["idempotency_key"], m["body"]["status"]) for m in received] == [("a", 1), ("b", 2)]


def test_status_sync_without_key_or_with_a_bad_status_is_refused(portal_url, portal):
    assert (
        requests.post(
            f"{portal_url}/api/dossiers/status", json={"dossier_code": "X", "status": 1}, timeout=5
        ).status_code
        == 400
    )
    with pytest.raises(IntegrationError) as err:
        portal.sync_status({"dossier_code": "X", "status": 11}, "k")
    assert err.value.status == 400 and not err.value.retryable


def test_injected_failures_are_retryable_then_calls_succeed(portal, portal_url):
    faults(portal_url, fail_next=2, status=503)
    for _ in range(2):
        with pytest.raises(IntegrationError) as err:
            portal.find_account(tax_code="0101243150")
        assert err.value.retryable and err.value.status == 503
    assert portal.find_account(tax_code="0101243150") is not None


def test_latency_beyond_the_timeout_is_a_retryable_error(portal, portal_url):
    faults(portal_url, latency_ms=1500)
    try:
        with pytest.raises(IntegrationError, match="timed out") as err:
            portal.find_account(tax_code="0101243150")
        assert err.value.retryable
    finally:
        faults(portal_url)


def test_unreachable_system_is_a_retryable_error():
    with pytest.raises(IntegrationError) as err:
        PortalClient("http://127.0.0.1:9", timeout=0.5).find_account(tax_code="0101243150")
    assert err.value.retryable


def test_warehouse_stores_lists_and_fetches_by_owner_and_type(warehouse):
    stored = warehouse.store_document(
        six_fields("033185004321", "KQ.G15.000007", "Phiếu LLTP số 1"),
        b"%PDF-1.4 test",
        "store-1",
    )
    assert stored["key"] == "033185004321.KQ.G15.000007"
    assert (
        warehouse.store_document(
            six_fields("033185004321", "KQ.G15.000007", "x"),
            b"other",
            "store-1",
        )
        == stored
    )
    [listed] = warehouse.list_documents("033185004321", "KQ.G15.000007")
    metadata, content = warehouse.fetch_document(listed["id"])
    assert content == b"%PDF-1.4 test" and metadata["name"] == "Phiếu LLTP số 1"
    assert [d["type_code"] for d in warehouse.list_documents("001090012345")] == ["KQ.G15.000031"]


def test_warehouse_refuses_documents_without_owner_or_type(warehouse):
    with pytest.raises(IntegrationError) as err:
        warehouse.store_document({"name": "x"}, b"", "k")
    assert err.value.status == 422 and "metadata.type_code is required" in str(err.value)


GOOD = six_fields("033185004321", "KQ.G15.000007", "Phiếu LLTP số 1")
PASSPORT = {
    **GOOD,
    "owner_id_type": "passport",
    "owner_id": "C1234567",
    "owner_birth_year": 1985,
    "owner_id_issued_on": "2020-02-10",
    "owner_id_issuer": "Cục Quản lý xuất nhập cảnh",
}


@pytest.mark.parametrize(
    ("change", "named"),
    [
        *[
            ({key: ""}, f"metadata.{key} is required")
            for key in GOOD
            if key not in ("valid_from", "valid_until")
        ],
        ({"validity": "forever"}, "metadata.validity must be"),
        ({"validity": "until"}, "metadata.valid_until is required"),
        ({"validity": "indefinite", "valid_until": "2030-01-01"}, "metadata.valid_until must be"),
        (
            {"validity": "until", "valid_from": "2026-06-01", "valid_until": "2026-05-31"},
            "metadata.valid_until must be after metadata.valid_from",
        ),
        ({"validity": "until", "valid_until": "31/12/2030"}, "metadata.valid_until is not"),
        ({"validity_scope": "Toàn quốc"}, "metadata.validity_scope must be one of"),
        ({"summary": "x" * 2001}, "metadata.summary is longer"),
        ({"summary": "<script>alert(1)</script>"}, "metadata.summary contains markup"),
        ({"owner_name": "<b>An</b>"}, "metadata.owner_name contains markup"),
    ],
)
def test_001_II_2_c_the_warehouse_refuses_a_push_missing_or_spoiling_a_field(
    warehouse, change, named
):
    with pytest.raises(IntegrationError) as err:
        warehouse.store_document({**GOOD, **change}, b"%PDF-1.4", "k")
    assert err.value.status == 422 and named in str(err.value)
    assert not err.value.retryable
    assert warehouse.list_documents("033185004321") == []


@pytest.mark.parametrize("key", ["owner_birth_year", "owner_id_issued_on", "owner_id_issuer"])
def test_001_II_2_c_2_an_owner_without_a_cccd_needs_birth_year_issue_date_and_issuer(
    warehouse, key
):
    with pytest.raises(IntegrationError) as err:
        warehouse.store_document({**PASSPORT, key: None}, b"%PDF-1.4", "k")
    assert f"metadata.{key} is required for an owner without a CCCD" in str(err.value)
    for wrong, named in (
        ({"owner_birth_year": "19x5"}, "must be a year"),
        ({"owner_id_issued_on": "10/02/2020"}, "is not an ISO date"),
    ):
        with pytest.raises(IntegrationError) as err:
            warehouse.store_document({**PASSPORT, **wrong}, b"%PDF-1.4", "k3")
        assert named in str(err.value)
    stored = warehouse.store_document(PASSPORT, b"%PDF-1.4", "k2")
    metadata, _ = warehouse.fetch_document(stored["id"])
    assert metadata["owner_id_issuer"] == "Cục Quản lý xuất nhập cảnh"


def test_operator_registry_checks_names_and_types_before_calling():
    assert check_params("portal.nope", {}) == ["không có dịch vụ 'portal.nope'"]
    assert len(check_params("portal.sync_status", {"dossier_code": "X", "status": "4"})) == 1
    clients = clients_from_config(
        {"PORTAL_URL": "http://127.0.0.1:9", "WAREHOUSE_URL": "http://127.0.0.1:9"}
    )
    with pytest.raises(IntegrationError) as err:
        call_operator("portal.sync_status", {"dossier_code": "X"}, "k", clients)
    assert not err.value.retryable


def test_check_account_operator_against_the_simulator(portal_url, warehouse_url, portal):
    clients = clients_from_config({"PORTAL_URL": portal_url, "WAREHOUSE_URL": warehouse_url})
    params = {"identifier_type": "cccd", "identifier": "079095000123", "full_name": "Trần Thị Bình"}
    assert call_operator("portal.check_account", params, "k1", clients) == {
        "exists": False,
        "account": None,
    }
    call_operator("portal.create_account", params, "k2", clients)
    assert call_operator("portal.check_account", params, "k3", clients)["exists"] is True

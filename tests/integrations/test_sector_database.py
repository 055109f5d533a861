"""The sector database client and the business registration (ĐKKD) simulator over real HTTP:
the simulator refuses what the real database would (001 §II.2.b Bước 6: owner identifier and
result type code; 001 §II.2.c: the six metadata fields) and registers each result once."""

from __future__ import annotations

import copy

import pytest
import requests

from app.integrations.errors import IntegrationError
from app.integrations.operators import call_operator, clients_from_config
from app.integrations.sector import SectorDbClient, record_link

SHA = "ab" * 32
RECORD = {
    "database": "DKKD",
    "dossier_code": "000.00.10.H31-251201-0001",
    "procedure_code": "2.001610",
    "procedure_name": "Đăng ký thành lập doanh nghiệp tư nhân",
    "agency_code": "000.00.10.H31",
    "owner": {"type": 1, "id_type": "cccd", "id": "001090012345", "name": "Nguyễn Văn An"},
    "result": {
        "number": "001090012345.KQ.G10.000001",
        "issued_at": "2025-12-01T03:00:00+00:00",
        "type_code": "KQ.G10.000001",
        "name": "Giấy chứng nhận đăng ký doanh nghiệp",
        "sha256": SHA,
        "size": 1234,
    },
    "metadata": {
        "type_code": "KQ.G10.000001",
        "owner_id_type": "cccd",
        "owner_id": "001090012345",
        "owner_name": "Nguyễn Văn An",
        "name": "Giấy chứng nhận đăng ký doanh nghiệp",
        "summary": "Kết quả giải quyết hồ sơ 000.00.10.H31-251201-0001",
        "validity": "indefinite",
        "valid_until": None,
        "validity_scope": "national",
    },
}


@pytest.fixture
def registry(business_registry_url) -> SectorDbClient:
    requests.post(f"{business_registry_url}/_sim/reset", timeout=5).raise_for_status()
    return SectorDbClient(business_registry_url, timeout=1.0)


def changed(path: str, value) -> dict:  # noqa: ANN001
    """RECORD with one value replaced (`a.b` reaches inside), or removed when value is ...."""
    record = copy.deepcopy(RECORD)
    *parents, last = path.split(".")
    target = record
    for name in parents:
        target = target[name]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return record


def test_a_registered_result_is_read_back_by_its_id_and_by_dossier(registry):
    answer = registry.register_result(RECORD, "k1")
    assert answer["replayed"] is False and answer["id"] == "DKKD-000001"
    assert answer["url"] == f"{registry.http.base_url}/api/registrations/DKKD-000001"
    [found] = registry.find_registrations(RECORD["dossier_code"])
    assert {k: v for k, v in found.items() if k not in ("id", "registered_at")} == RECORD
    assert registry.http.get("/api/registrations/DKKD-000001")["result"]["sha256"] == SHA


def test_the_same_key_is_answered_with_the_first_registration(registry):
    first = registry.register_result(RECORD, "k1")
    again = registry.register_result(RECORD, "k1")
    assert again["id"] == first["id"] and again["replayed"] is True
    assert len(registry.find_registrations(RECORD["dossier_code"])) == 1


def test_the_same_key_with_another_record_is_refused(registry):
    registry.register_result(RECORD, "k1")
    with pytest.raises(IntegrationError) as refused:
        registry.register_result(changed("result.sha256", "cd" * 32), "k1")
    assert refused.value.status == 422 and not refused.value.retryable
    assert "Idempotency-Key reused" in str(refused.value)


def test_a_result_number_registered_under_another_key_is_a_conflict(registry):
    registry.register_result(RECORD, "k1")
    with pytest.raises(IntegrationError) as refused:
        registry.register_result(RECORD, "k2")
    assert refused.value.status == 409 and "already registered as DKKD-000001" in str(refused.value)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("metadata.summary", "", "metadata.summary must not be empty"),
        ("metadata.valid_until", ..., "metadata lacks valid_until"),
        ("metadata.validity_scope", ..., "metadata lacks validity_scope"),
        # 001 §II.2.c (5), (6): validity and scope stated, as Kho DL checks them
        ("metadata.validity", ..., "metadata.validity is required"),
        ("metadata.validity_scope", "", "metadata.validity_scope is required"),
        ("metadata.validity", "until", "metadata.valid_until is required when validity is"),
        ("metadata.owner_name", ..., "metadata lacks owner_name"),
        ("metadata.owner_id", "079095000123", "metadata.owner_id is not the owner's identifier"),
        ("metadata.type_code", "KQ.G15.000031", "metadata.type_code is not the result's"),
        ("metadata", ..., "metadata (the six fields of 001 §II.2.c) is required"),
        ("owner.id", "12345", "owner.id is not a valid cccd"),
        ("owner.id_type", "vneid", "owner.id_type must be cccd, passport or tax_code"),
        ("result.sha256", "not-a-hash", "result.sha256 must be 64 lowercase hex digits"),
        ("result.issued_at", "yesterday", "result.issued_at must be an ISO 8601"),
        ("result.number", "", "result.number is required"),
        ("procedure_code", "DKKD", "procedure_code must be a national procedure code"),
        ("database", "HTDT", "this is the DKKD database, not 'HTDT'"),
    ],
)
def test_a_record_the_database_cannot_register_is_refused_with_its_reason(
    registry, path, value, message
):
    with pytest.raises(IntegrationError) as refused:
        registry.register_result(changed(path, value), "k1")
    assert refused.value.status == 422 and not refused.value.retryable
    assert message in str(refused.value)
    assert registry.find_registrations(RECORD["dossier_code"]) == []


def test_a_registration_without_an_idempotency_key_or_a_json_object_is_refused(
    business_registry_url, registry
):
    url = f"{business_registry_url}/api/registrations"
    assert requests.post(url, json=RECORD, timeout=5).status_code == 400
    headers = {"Idempotency-Key": "k1"}
    assert requests.post(url, json=[RECORD], headers=headers, timeout=5).status_code == 400
    assert requests.post(url, data=b"\xff", headers=headers, timeout=5).status_code == 400


def test_the_operator_sends_under_a_key_of_the_result_so_two_calls_register_once(
    business_registry_url, registry
):
    clients = clients_from_config(
        {
            "PORTAL_URL": "http://127.0.0.1:9",
            "WAREHOUSE_URL": "http://127.0.0.1:9",
            "SECTOR_DB_DKKD_URL": business_registry_url,
            "HTTP_TIMEOUT": 1,
        }
    )
    params = {"database": "DKKD", "document_id": 7, "record": RECORD}
    first = call_operator("sector.register_result", params, "outbox-1", clients)
    second = call_operator("sector.register_result", params, "outbox-2", clients)
    assert first["record_id"] == second["record_id"] and second["replayed"] is True


def test_the_operator_refuses_a_database_not_connected_here(business_registry_url):
    clients = clients_from_config(
        {"PORTAL_URL": "http://127.0.0.1:9", "WAREHOUSE_URL": "http://127.0.0.1:9"}
    )
    params = {"database": "HTDT", "document_id": 7, "record": {**RECORD, "database": "HTDT"}}
    with pytest.raises(IntegrationError) as refused:
        call_operator("sector.register_result", params, "outbox-1", clients)
    assert not refused.value.retryable and "SECTOR_DB_HTDT_URL" in str(refused.value)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("/api/registrations/DKKD-1", "http://db.example:5105/api/registrations/DKKD-1"),
        ("http://db.example:5105/r/1", "http://db.example:5105/r/1"),
        ("javascript:alert(1)", ""),
        ("//evil.example/r/1", ""),
        ("https://evil.example/r/1", ""),
        ("http://db.example:5105.evil.example/r/1", ""),
        (None, ""),
        (42, ""),
    ],
)
def test_a_records_link_is_kept_only_when_it_leads_into_that_database(given, kept):
    assert record_link("http://db.example:5105", given) == kept

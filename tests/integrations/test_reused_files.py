"""Fetching a reused document's file from Kho DL and the national databases over real HTTP
(001 §II.1 Bước 3: reused data goes into the e-dossier): the file is taken only when it hashes
to the SHA-256 its source declares, is a PDF, stays under the limit, comes from the source
itself (no redirect), in time, and belongs to the owner it was asked for."""

from __future__ import annotations

import hashlib
import io

import pytest
import requests
from pypdf import PdfReader

from app.integrations.errors import IntegrationError
from app.integrations.national import NationalDbClient
from app.integrations.warehouse import WarehouseClient

AN, NHUNG = "001090012345", "079095000123"
LIMIT = 1024 * 1024


@pytest.fixture
def warehouse(warehouse_url) -> WarehouseClient:
    requests.post(f"{warehouse_url}/_sim/reset", timeout=5).raise_for_status()
    return WarehouseClient(warehouse_url, timeout=1.0)


@pytest.fixture
def national(national_url) -> NationalDbClient:
    requests.post(f"{national_url}/_sim/reset", timeout=5).raise_for_status()
    return NationalDbClient(national_url, timeout=1.0)


def file_fault(url: str, mode: str, **knobs) -> None:
    body = {"mode": mode, **knobs}
    requests.post(f"{url}/_sim/file-faults", json=body, timeout=5).raise_for_status()


def first_document(warehouse: WarehouseClient) -> str:
    [document] = warehouse.list_documents(AN, "KQ.G15.000031")
    return document["id"]


def test_a_warehouse_file_comes_with_the_hash_its_source_declares(warehouse):
    ref = first_document(warehouse)
    fetched = warehouse.fetch_file(ref, AN, LIMIT)
    assert fetched.content.startswith(b"%PDF-")
    assert fetched.sha256 == hashlib.sha256(fetched.content).hexdigest()
    assert fetched.metadata["sha256"] == fetched.sha256
    assert fetched.metadata["owner_id"] == AN and fetched.metadata["type_code"] == "KQ.G15.000031"


def test_a_national_record_is_served_as_a_pdf_of_the_record(national):
    [record] = national.find_records(AN, "KQ.G01.000023")
    fetched = national.fetch_file(record["id"], AN, LIMIT)
    text = PdfReader(io.BytesIO(fetched.content)).pages[0].extract_text()
    assert "The can cuoc cong dan" in text and "Nguyen Van An (001090012345)" in text
    assert record["sha256"] == fetched.sha256  # the lookup already names the file's hash


@pytest.mark.parametrize("source", ["warehouse", "national"])
def test_a_file_damaged_on_the_way_is_refused_and_worth_retrying(
    source, warehouse, national, warehouse_url, national_url
):
    client, url = (warehouse, warehouse_url) if source == "warehouse" else (national, national_url)
    ref = first_document(warehouse) if source == "warehouse" else "NAT-00001"
    file_fault(url, "corrupt", times=1)
    with pytest.raises(IntegrationError, match="SHA-256") as exc:
        client.fetch_file(ref, AN, LIMIT)
    assert exc.value.retryable
    assert client.fetch_file(ref, AN, LIMIT).content.startswith(b"%PDF-")  # the next one is whole


def test_a_file_over_the_limit_is_cut_off_and_never_retried(warehouse, warehouse_url):
    ref = first_document(warehouse)
    file_fault(warehouse_url, "oversize", size=3 * LIMIT)  # streamed, without a Content-Length
    with pytest.raises(IntegrationError, match="over") as exc:
        warehouse.fetch_file(ref, AN, LIMIT)
    assert not exc.value.retryable


def test_a_page_instead_of_a_pdf_is_refused(warehouse, warehouse_url):
    ref = first_document(warehouse)
    file_fault(warehouse_url, "html")
    with pytest.raises(IntegrationError, match="text/html") as exc:
        warehouse.fetch_file(ref, AN, LIMIT)
    assert not exc.value.retryable


def test_a_redirect_to_elsewhere_is_not_followed(warehouse, warehouse_url):
    ref = first_document(warehouse)
    file_fault(warehouse_url, "redirect")
    with pytest.raises(IntegrationError, match="redirected to http://198.51.100.7") as exc:
        warehouse.fetch_file(ref, AN, LIMIT)
    assert not exc.value.retryable and exc.value.status == 302


def test_a_source_trickling_bytes_past_the_timeout_is_given_up_on(national, national_url):
    file_fault(national_url, "trickle")
    with pytest.raises(IntegrationError, match="longer than 1.0s") as exc:
        national.fetch_file("NAT-00001", AN, LIMIT)
    assert exc.value.retryable


def test_a_slow_source_times_out_and_may_be_retried(warehouse, warehouse_url):
    ref = first_document(warehouse)
    requests.post(f"{warehouse_url}/_sim/faults", json={"latency_ms": 1500}, timeout=5)
    with pytest.raises(IntegrationError, match="timed out") as exc:
        warehouse.fetch_file(ref, AN, LIMIT)
    assert exc.value.retryable


def test_another_owners_file_is_refused_by_the_source(warehouse, national):
    ref = first_document(warehouse)  # An's birth certificate
    with pytest.raises(IntegrationError) as exc:
        warehouse.fetch_file(ref, NHUNG, LIMIT)
    assert exc.value.status == 403 and not exc.value.retryable
    with pytest.raises(IntegrationError) as exc:
        national.fetch_file("NAT-00002", AN, LIMIT)  # Nhung's card asked as An's
    assert exc.value.status == 403 and not exc.value.retryable


def test_a_source_describing_someone_elses_document_is_not_believed(warehouse, warehouse_url):
    ref = first_document(warehouse)
    file_fault(warehouse_url, "other_owner", times=1)
    with pytest.raises(IntegrationError, match="another owner") as exc:
        warehouse.fetch_file(ref, AN, LIMIT)
    assert not exc.value.retryable


def test_the_simulators_serve_a_file_only_to_whoever_names_its_owner(warehouse_url, national_url):
    requests.post(f"{warehouse_url}/_sim/reset", timeout=5)
    assert (
        requests.get(f"{warehouse_url}/api/documents/DOC-000001/file", timeout=5).status_code == 400
    )
    assert requests.get(f"{national_url}/api/records/NAT-00001/file", timeout=5).status_code == 400
    bad = requests.post(f"{national_url}/_sim/file-faults", json={"mode": "explode"}, timeout=5)
    assert bad.status_code == 400

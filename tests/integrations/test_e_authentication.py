"""The e-authentication client and the managing agencies' simulator over real HTTP: the service
refuses at once what a real one would (001 §II.2.c Bước 1: a signed file; "Một số yêu cầu":
the six metadata fields; the owner's identifier; a document type it manages), takes each
request once, and answers later with the copy signed by the managing agency."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.documents import signing
from app.documents.pki import demo_pki
from app.integrations.e_authentication import EAuthenticationClient
from app.integrations.errors import IntegrationError
from tests.documents.scans import numbered_pdf

pytestmark = pytest.mark.simulators

OWNER = "001090012345"


def signed_pdf(tmp_path: Path) -> bytes:
    source = tmp_path / "scan.pdf"
    source.write_bytes(numbered_pdf(1))
    identity = demo_pki().identity("officer", "tiepnhan", "Nguyễn Thị Hoa", "Sở Tư pháp")
    signed = signing.sign_to_file(source, identity)
    try:
        return signed.read_bytes()
    finally:
        signed.unlink()


def request(content: bytes, **changes) -> dict:
    metadata = {
        "type_code": "KQ.G15.000031",
        "owner_id_type": "cccd",
        "owner_id": OWNER,
        "owner_name": "Nguyễn Văn An",
        "name": "Giấy khai sinh",
        "summary": "Bản chính do UBND phường Hoàn Kiếm cấp",
        "validity": "indefinite",
        "validity_scope": "national",
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    metadata.update(changes.pop("metadata", {}))
    return {
        "request_id": "000.00.12.H31-261201-0001/1",
        "sender": {"agency_code": "000.00.12.H31"},
        "owner": {"id_type": "cccd", "id": OWNER},
        "metadata": metadata,
        **changes,
    }


@pytest.fixture
def service(app, e_authentication_url) -> EAuthenticationClient:
    return EAuthenticationClient(e_authentication_url, timeout=5)


@pytest.mark.parametrize(
    ("content", "changes", "refusal"),
    [
        (b"not a pdf at all", {}, "not a PDF"),
        ("unsigned", {}, "no valid signature"),
        ("signed", {"metadata": {"summary": ""}}, "metadata.summary is required"),
        ("signed", {"owner": {"id": "001090099999"}}, "owner.id is not the owner"),
        ("signed", {"metadata": {"type_code": "KQ.G07.000013"}}, "not managed"),
        ("signed", {"metadata": {"sha256": "00" * 32}}, "damaged in transfer"),
        ("signed", {"sender": {}}, "sender.agency_code is required"),
    ],
    ids=["not a PDF", "unsigned", "metadata missing", "owner mismatch", "type", "hash", "sender"],
)
def test_the_service_refuses_at_once_what_a_real_one_would(
    service, tmp_path, content, changes, refusal
):
    body = {
        "signed": signed_pdf(tmp_path),
        "unsigned": numbered_pdf(1),
    }.get(content, content)
    with pytest.raises(IntegrationError) as exc:
        service.submit(request(body, **changes), body, "key-1")
    assert exc.value.status == 422 and refusal in str(exc.value)
    assert not exc.value.retryable


def test_a_request_is_taken_once_and_answered_with_the_copy_signed_by_the_managing_agency(
    service, tmp_path
):
    content = signed_pdf(tmp_path)
    first = service.submit(request(content), content, "key-1")
    assert service.submit(request(content), content, "key-1") == first  # a retry: the same one
    assert first["status"] == "pending" and first["authority"]["name"] == "Bộ Tư pháp"
    answer = service.answer(first["id"])
    assert answer["status"] == "authenticated"
    assert answer["request"]["sha256"] == hashlib.sha256(content).hexdigest()
    copy = service.copy(first["id"], 10 * 1024 * 1024)
    assert copy.startswith(content) and len(copy) > len(content)  # an incremental update
    path = tmp_path / "copy.pdf"
    path.write_bytes(copy)
    verdicts = signing.verify(path, [demo_pki().ca_cert_path])
    assert [v.state for v in verdicts] == ["valid", "valid"]
    assert verdicts[-1].signer == "Bộ Tư pháp"
    with pytest.raises(IntegrationError) as missing:
        service.answer("XT-999999")
    assert missing.value.status == 404

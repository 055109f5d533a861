"""Digitizing components through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import io

import pytest
import requests
from sqlalchemy import select

from app.documents import signing
from app.documents.intake import Upload
from app.documents.pki import demo_pki
from app.models import Agency, AuditEvent, Document, OutboxMessage
from app.services.core.errors import Conflict, Forbidden, InvalidInput
from app.services.documents import catalog, certified_copies, drafts, views
from app.storage.db import db
from app.storage.files import file_store
from tests.documents.scans import CCCD_LINES, numbered_pdf, page_image, pdf_of
from tests.services.helpers import receive

CCCD = "KQ.G01.000023"


def scan(code: str, actor, content: bytes, pages: int = 1, **extra) -> int:
    values = {"type_code": CCCD, "classification": "required_by_law", "paper_form": "original"}
    values.update(extra)
    return drafts.digitize(
        drafts.Digitize(dossier_code=code, declared_pages=pages, **values),
        [Upload("scan.pdf", io.BytesIO(content))],
        actor,
    )


def metadata(**overrides) -> dict:
    values = {
        "type_code": CCCD,
        "owner_id_type": "cccd",
        "owner_id": "079095000123",
        "owner_name": "Nguyễn Thị Hồng Nhung",
        "name": "Thẻ căn cước công dân",
        "summary": "Thẻ CCCD của người nộp",
        "validity": "until",
        "valid_from": "15/03/2021",
        "valid_until": "15/03/2036",
        "validity_scope": "national",
        "field_document_number": "079095000123",
        "field_issued_on": "15/03/2021",
        "field_issuer": "Cục Cảnh sát QLHC về TTXH",
    }
    values.update(overrides)
    return values


def row(document_id: int) -> Document:
    with db.transaction() as session:
        document = session.get(Document, document_id)
        session.expunge(document)
        return document


def test_a_scan_becomes_a_draft_with_ocr_suggestions_then_a_signed_stored_document(actors):
    officer = actors["tiepnhan"]
    code = receive(officer)
    document_id = scan(code, officer, pdf_of([page_image(CCCD_LINES)]))
    draft = row(document_id)
    assert draft.state == "draft" and draft.storage_key is None
    assert draft.suggested["owner_id"] == "079095000123"
    assert draft.suggested["owner_name"] == "NGUYỄN THỊ HỒNG NHUNG"
    assert draft.owner_id == "079095000123"  # pre-filled from the scan, not the dossier
    assert "079095000123" in draft.ocr_text

    key = drafts.confirm(document_id, metadata(), officer)
    assert key == "079095000123.KQ.G01.000023"
    stored = row(document_id)
    assert stored.state == "stored" and stored.storage_key == key
    assert stored.fields == {
        "document_number": "079095000123",
        "issued_on": "2021-03-15",
        "issuer": "Cục Cảnh sát QLHC về TTXH",
    }
    assert stored.valid_until.isoformat() == "2036-03-15"
    # the scan as taken is kept; the file in force is the officer-signed one
    assert stored.file_sha256 != stored.scan_sha256
    path = file_store().path(stored.file_sha256)
    [verdict] = signing.verify(path, [demo_pki().ca_cert_path])
    assert verdict.state == "valid" and verdict.signer == officer.name
    with db.transaction() as session:
        kinds = session.scalars(
            select(AuditEvent.kind).where(AuditEvent.kind.like("document_%"))
        ).all()
        push = session.scalar(
            select(OutboxMessage).where(OutboxMessage.operator == "warehouse.store_document")
        )
    assert kinds == ["document_scanned", "document_stored"]
    assert push.params["metadata"]["storage_key"] == key
    assert push.params["file_sha256"] == stored.file_sha256
    with pytest.raises(Conflict):
        drafts.confirm(document_id, metadata(), officer)


def test_repeats_get_a_counter_in_their_storage_key(actors):
    officer = actors["tiepnhan"]
    code = receive(officer)
    keys = [
        drafts.confirm(scan(code, officer, numbered_pdf(1)), metadata(), officer) for _ in range(3)
    ]
    assert keys == [
        "079095000123.KQ.G01.000023",
        "079095000123.KQ.G01.000023.2",
        "079095000123.KQ.G01.000023.3",
    ]


def test_bad_metadata_is_refused_field_by_field_and_the_draft_stays(actors):
    officer = actors["tiepnhan"]
    code = receive(officer)
    document_id = scan(code, officer, numbered_pdf(1))
    with pytest.raises(InvalidInput) as exc:
        drafts.confirm(
            document_id,
            metadata(owner_id="999095000123", field_issued_on="31/02/2021", owner_name=""),
            officer,
        )
    assert set(exc.value.fields) == {"owner_id", "owner_name", "field_issued_on"}
    assert "Mã tỉnh" in exc.value.fields["owner_id"]
    assert row(document_id).state == "draft"


def test_on_demand_digitization_records_its_fee_and_certifies_the_copy(actors):
    officer = actors["tiepnhan"]
    code = receive(officer)
    document_id = scan(code, officer, numbered_pdf(3), pages=3, classification="on_demand")
    drafts.confirm(document_id, metadata(), officer)
    stored = row(document_id)
    assert (stored.fee_code, stored.fee_amount) == ("P196", 14_000)
    verdicts = signing.verify(file_store().path(stored.file_sha256), [demo_pki().ca_cert_path])
    with db.transaction() as session:
        agency = session.get(Agency, stored.agency_id).name
    assert [(v.state, v.signer) for v in verdicts] == [
        ("valid", officer.name),
        ("valid", agency),
    ]


def test_a_certified_copy_is_a_new_document_signed_by_the_agency(actors):
    officer = actors["tiepnhan"]
    code = receive(officer)
    origin = scan(code, officer, numbered_pdf(1))
    drafts.confirm(origin, metadata(), officer)
    copy_id = certified_copies.certify(origin, officer)
    copy = row(copy_id)
    assert copy.source == "certified_copy" and copy.origin_id == origin
    assert copy.storage_key == "079095000123.KQ.G01.000023.2"
    verdicts = signing.verify(file_store().path(copy.file_sha256), [demo_pki().ca_cert_path])
    assert [v.state for v in verdicts] == ["valid", "valid"]
    with pytest.raises(Conflict):
        certified_copies.certify(scan(code, officer, numbered_pdf(1)), officer)  # a draft


def test_only_the_agencys_reception_or_processing_officers_digitize(actors):
    code = receive(actors["tiepnhan"])
    with pytest.raises(Forbidden):
        scan(code, actors["giamsat"], numbered_pdf(1))
    with pytest.raises(InvalidInput) as exc:
        scan(code, actors["tiepnhan"], numbered_pdf(2), pages=3)
    assert "declared_pages" in exc.value.fields


def test_a_discarded_draft_cannot_be_stored(actors):
    officer = actors["tiepnhan"]
    code = receive(officer)
    document_id = scan(code, officer, numbered_pdf(1))
    drafts.discard(document_id, officer)
    with pytest.raises(Conflict):
        drafts.confirm(document_id, metadata(), officer)
    assert views.documents_of(code, officer) == []


@pytest.mark.simulators
def test_stored_documents_reach_the_warehouse_over_http(actors, drain, warehouse_url):
    officer = actors["tiepnhan"]
    code = receive(officer)
    document_id = scan(code, officer, numbered_pdf(2), pages=2)
    key = drafts.confirm(document_id, metadata(), officer)
    drain()
    stored = row(document_id)
    assert stored.warehouse_id and stored.pushed_at
    listed = requests.get(
        f"{warehouse_url}/api/documents",
        params={"owner_id": "079095000123", "type_code": CCCD},
        timeout=5,
    ).json()["documents"]
    [pushed] = [d for d in listed if d["id"] == stored.warehouse_id]
    assert pushed["key"] == key
    assert pushed["sha256"] == stored.file_sha256
    content = requests.get(
        f"{warehouse_url}/api/documents/{stored.warehouse_id}/file",
        params={"owner_id": "079095000123"},  # Kho DL serves a file to its owner only
        timeout=5,
    ).content
    assert content == file_store().path(stored.file_sha256).read_bytes()


@pytest.mark.simulators
def test_the_approved_result_is_issued_signed_and_pushed_to_the_warehouse(
    actors, drain, warehouse_url
):
    from tests.services.helpers import complete

    officer, leader = actors["tiepnhan"], actors["lanhdao"]
    code = receive(officer)
    drain()
    complete(
        code,
        "reception",
        officer,
        {"components_checked": True, "original_count": 1, "copy_count": 0},
    )
    complete(
        code, "appraisal", actors["chuyenvien"], {"decision": "accept", "appraisal_note": "Đủ"}
    )
    complete(
        code,
        "approval",
        leader,
        {"approval_decision": "approve", "result_name": "Phiếu lý lịch tư pháp số 1"},
    )
    with db.transaction() as session:
        result = session.scalar(select(Document).where(Document.source == "result"))
        session.expunge(result)
    assert result.storage_key == "001090012345.KQ.G15.000007"
    assert result.name == "Phiếu lý lịch tư pháp số 1"
    verdicts = signing.verify(file_store().path(result.file_sha256), [demo_pki().ca_cert_path])
    with db.transaction() as session:
        agency = session.get(Agency, result.agency_id).name
    assert [(v.state, v.signer) for v in verdicts] == [
        ("valid", leader.name),
        ("valid", agency),
    ]
    drain()
    pushed = requests.get(
        f"{warehouse_url}/api/documents/{row(result.id).warehouse_id}", timeout=5
    ).json()
    assert pushed["key"] == result.storage_key and pushed["sha256"] == result.file_sha256


def test_a_type_added_to_the_catalog_can_be_digitized_with_the_common_fields(actors):
    from app.services.catalogs.commands import SaveDocumentType
    from app.services.catalogs.document_type_catalog import save_document_type

    save_document_type(
        SaveDocumentType(code="KQ.G04.000070", name="Giấy chứng nhận đăng ký xe"),
        actors["quantri"],
    )
    officer = actors["tiepnhan"]
    assert catalog.document_types()["KQ.G04.000070"].name == "Giấy chứng nhận đăng ký xe"
    code = receive(officer)
    document_id = scan(code, officer, numbered_pdf(1), type_code="KQ.G04.000070")
    assert row(document_id).name == "Giấy chứng nhận đăng ký xe"
    with pytest.raises(InvalidInput) as exc:
        drafts.confirm(document_id, metadata(type_code="KQ.G04.000070", field_issuer=""), officer)
    assert "field_issuer" in exc.value.fields
    key = drafts.confirm(
        document_id,
        metadata(type_code="KQ.G04.000070", name="Giấy chứng nhận đăng ký xe"),
        officer,
    )
    assert key == "079095000123.KQ.G04.000070"
    with pytest.raises(InvalidInput):
        scan(code, officer, numbered_pdf(1), type_code="KQ.G99.999999")


def test_approval_makes_certified_copies_of_the_in_scope_components_once(actors):
    """E: components in the agency's scope get a certified e-copy (agency signature) as a step
    of the process; the form and out-of-scope papers do not."""
    from tests.services.helpers import complete, deliver

    officer = actors["tiepnhan"]
    code = receive(officer)
    deliver("portal.check_account", {"exists": True})
    in_scope = scan(code, officer, pdf_of([page_image(CCCD_LINES)]))
    drafts.confirm(in_scope, metadata(), officer)
    form = scan(code, officer, numbered_pdf(1), classification="form", type_code="TK.000001")
    drafts.confirm(
        form,
        metadata(type_code="TK.000001", name="Tờ khai", field_document_number=""),
        officer,
    )
    complete(
        code,
        "reception",
        officer,
        {"components_checked": True, "original_count": 1, "copy_count": 0},
    )
    complete(
        code, "appraisal", actors["chuyenvien"], {"decision": "accept", "appraisal_note": "Đủ"}
    )
    complete(
        code,
        "approval",
        actors["lanhdao"],
        {"approval_decision": "approve", "result_name": "Phiếu lý lịch tư pháp số 1"},
    )
    with db.transaction() as session:
        copies = session.scalars(select(Document).where(Document.source == "certified_copy")).all()
        assert [c.origin_id for c in copies] == [in_scope]
        [copy] = copies
        copy_path = file_store().path(copy.file_sha256)
        agency = session.get(Agency, copy.agency_id).name
        pushed = session.scalars(
            select(OutboxMessage.params).where(OutboxMessage.operator == "warehouse.store_document")
        ).all()
    assert [(v.state, v.signer) for v in signing.verify(copy_path, [demo_pki().ca_cert_path])][
        -1
    ] == ("valid", agency)
    assert copy.id in {p["document_id"] for p in pushed}

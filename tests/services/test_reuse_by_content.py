"""Reuse by content (001 §II.1 Bước 3, 001 §II.2.b Bước 4): a component reused from the
portal's Kho DL or a national database brings its file into the e-dossier, fetched over HTTP,
hash checked, stored content-addressed with its metadata and its source; a source that is down
leaves a pending component with its reason and a retry, never a bare reference."""

from __future__ import annotations

import base64
import hashlib
import io

import pytest
import requests
from sqlalchemy import func, select

from app import settings
from app.documents.intake import Upload
from app.models import Document, DossierComponent, Incident, OutboxMessage
from app.services.citizens import online, portal_sign_in
from app.services.citizens.online_commands import SubmitOnline
from app.services.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.services.core.outbox import retry_incident
from app.services.documents import reuse, reused_files
from app.storage.db import db
from app.storage.files import file_store
from tests.documents.scans import numbered_pdf
from tests.services.helpers import receive, settle
from tests.support.warehouse_records import six_fields

pytestmark = pytest.mark.simulators
AN, NHUNG = "001090012345", "079095000123"
CCCD, BIRTH = "KQ.G01.000023", "KQ.G15.000031"


def attach(code: str, type_code: str, officer, **kwargs) -> dict:
    found = reuse.lookup(code, type_code, officer)
    return reuse.attach(
        code, found.found.source, found.found.ref, type_code, True, {}, officer, **kwargs
    )


def component_of(code_type: str) -> DossierComponent:
    with db.transaction() as session:
        return session.scalar(
            select(DossierComponent).where(DossierComponent.type_code == code_type)
        )


def document(document_id: int) -> Document:
    with db.transaction() as session:
        return session.get(Document, document_id)


def fetches() -> list[OutboxMessage]:
    with db.transaction() as session:
        return list(
            session.scalars(
                select(OutboxMessage).where(OutboxMessage.operator == reused_files.FETCH)
            )
        )


def file_fault(url: str, mode: str, **knobs) -> None:
    body = {"mode": mode, **knobs}
    requests.post(f"{url}/_sim/file-faults", json=body, timeout=5).raise_for_status()


def source_file(url: str, path: str, owner: str) -> bytes:
    return requests.get(f"{url}{path}/file", params={"owner_id": owner}, timeout=5).content


def test_a_kho_dl_document_is_stored_with_its_file_metadata_and_source(actors, warehouse_url):
    officer = actors["tiepnhan"]
    code = receive(officer)
    attached = attach(code, BIRTH, officer)
    component = component_of(BIRTH)
    stored = document(component.document_id)
    assert attached["document_id"] == stored.id and not attached["fetch_error"]
    content = source_file(warehouse_url, f"/api/documents/{component.ref}", AN)
    assert stored.file_sha256 == hashlib.sha256(content).hexdigest()
    assert file_store().path(stored.file_sha256).read_bytes() == content  # content-addressed
    assert (stored.source, stored.origin_system, stored.origin_ref) == (
        "reused",
        "portal",
        component.ref,
    )
    assert stored.state == "stored" and stored.storage_key == f"{AN}.{BIRTH}"
    assert (stored.owner_id, stored.type_code, stored.name) == (AN, BIRTH, "Giấy khai sinh")
    assert stored.owner_name == "Nguyễn Văn An" and stored.fields["issuer"] == (
        "UBND phường Hoàn Kiếm"
    )
    assert stored.dossier_id == component.dossier_id and stored.pages == 1
    assert fetches() == []  # nothing left to fetch


def test_a_national_record_is_stored_as_the_pdf_the_database_serves(actors, national_url):
    officer = actors["tiepnhan"]
    code = receive(officer)
    attach(code, CCCD, officer)
    component = component_of(CCCD)
    stored = document(component.document_id)
    content = source_file(national_url, "/api/records/NAT-00001", AN)
    assert stored.file_sha256 == hashlib.sha256(content).hexdigest()
    assert stored.origin_system == "national" and stored.origin_ref == "NAT-00001"
    assert stored.fields["birth_date"] == "1990-05-12"
    assert stored.classification == "earlier_result"
    [listed] = reuse.components_of(code, officer)
    assert listed["document_id"] == stored.id and listed["fetch"] is None


@pytest.mark.fault
def test_a_source_that_is_down_leaves_a_pending_component_fetched_in_the_background(
    actors, drain, clock, national_url
):
    officer = actors["tiepnhan"]
    code = receive(officer)
    found = reuse.lookup(code, CCCD, officer).found
    file_fault(national_url, "down", times=2)  # the records answer, their files do not
    attached = reuse.attach(code, "national", found.ref, CCCD, True, {}, officer)
    assert attached["document_id"] is None and "503" in attached["fetch_error"]
    [listed] = reuse.components_of(code, officer)
    waiting = listed["fetch"]
    assert waiting.state == "pending" and waiting.attempts == 1
    assert waiting.reason == "nguồn tạm thời không phục vụ" and "HTTP 503" in waiting.detail
    assert waiting.next_at is not None  # when the next try comes
    [row] = fetches()
    assert row.params == {
        "source": "national",
        "ref": found.ref,
        "owner_id": AN,
        "component_id": listed["id"],
    }
    settle(drain, clock, lambda: component_of(CCCD).document_id)
    stored = document(component_of(CCCD).document_id)
    assert stored.origin_ref == found.ref and stored.file_sha256
    assert reuse.components_of(code, officer)[0]["fetch"] is None
    [row] = fetches()
    assert row.state == "done" and row.attempts == 3  # at attach, once more in vain, then whole


@pytest.mark.fault
def test_a_wrong_hash_every_time_ends_in_an_incident_and_the_retry_brings_the_file(
    actors, drain, clock, warehouse_url
):
    officer = actors["tiepnhan"]
    code = receive(officer)
    file_fault(warehouse_url, "corrupt")  # every file damaged on the way
    attach(code, BIRTH, officer)
    settle(drain, clock, lambda: fetches()[0].state == "incident")
    [listed] = reuse.components_of(code, officer)
    failed = listed["fetch"]
    assert failed.state == "failed" and "SHA-256" in failed.detail
    assert failed.reason == "tệp nhận được không khớp mã băm nguồn công bố (hỏng khi truyền)"
    assert failed.attempts == settings.current.OUTBOX_MAX_ATTEMPTS
    with db.transaction() as session:
        [incident] = session.scalars(select(Incident)).all()
        assert incident.operator == reused_files.FETCH and "SHA-256" in incident.message
        assert (
            session.scalar(select(func.count(Document.id)).where(Document.source == "reused")) == 0
        )

    file_fault(warehouse_url, "")  # the source is whole again
    assert reused_files.retry(code, listed["id"], officer) == "queued"
    settle(drain, clock, lambda: component_of(BIRTH).document_id)
    with db.transaction() as session:
        incident = session.get(Incident, incident.id)
        assert incident.resolved_at is not None and incident.resolved_by_id == officer.id
    assert len(fetches()) == 1  # the same fetch, tried again


@pytest.mark.fault
def test_two_retries_at_once_fetch_once_and_store_one_document(actors, drain, clock, warehouse_url):
    officer = actors["tiepnhan"]
    code = receive(officer)
    file_fault(warehouse_url, "trickle", times=1)
    found = reuse.lookup(code, BIRTH, officer).found
    attach_result = reuse.attach(code, "portal", found.ref, BIRTH, True, {}, officer)
    assert "longer than" in attach_result["fetch_error"]  # a slow source: pending, not refused
    component_id = component_of(BIRTH).id
    assert reused_files.retry(code, component_id, officer) == "queued"
    assert reused_files.retry(code, component_id, actors["chuyenvien"]) == "queued"
    assert len(fetches()) == 1
    settle(drain, clock, lambda: component_of(BIRTH).document_id)
    drain()
    with db.transaction() as session:
        count = session.scalar(
            select(func.count(Document.id)).where(Document.origin_ref == found.ref)
        )
    assert count == 1
    assert reused_files.retry(code, component_id, officer) == "fetched"  # a late third click


@pytest.mark.parametrize(
    ("mode", "why"),
    [
        ("html", "không trả về tệp PDF"),
        ("redirect", "chuyển sang một địa chỉ khác"),
        ("oversize", "vượt quá dung lượng cho phép"),
    ],
)
def test_a_file_that_can_never_be_taken_is_refused_and_nothing_attached(
    actors, warehouse_url, mode, why
):
    officer = actors["tiepnhan"]
    code = receive(officer)
    file_fault(warehouse_url, mode, size=25 * 1024 * 1024)
    with pytest.raises(InvalidInput, match=why) as exc:
        attach(code, BIRTH, officer)
    assert "số hoá bản giấy" in exc.value.message
    assert component_of(BIRTH) is None and fetches() == []


def test_the_owner_check_stays_in_force_for_another_persons_file(actors, national_url):
    requests.post(
        f"{national_url}/_sim/records",
        json={
            "served_for": AN,
            "owner_id": NHUNG,
            "type_code": CCCD,
            "name": "Thẻ căn cước công dân",
            "full_name": "Nguyễn Thị Hồng Nhung",
            "fields": {"document_number": NHUNG},
        },
        timeout=5,
    ).raise_for_status()
    officer = actors["tiepnhan"]
    code = receive(officer)
    found = reuse.lookup(code, CCCD, officer)
    assert found.found.owner_id == NHUNG and found.differences
    with pytest.raises(InvalidInput):  # no reason: neither attached nor fetched
        reuse.attach(code, "national", found.found.ref, CCCD, True, {}, officer)
    assert component_of(CCCD) is None
    reuse.attach(
        code,
        "national",
        found.found.ref,
        CCCD,
        True,
        {},
        officer,
        override_reason="Thẻ cấp lại, đã đối chiếu bản gốc",
        seen=found.fingerprint,
    )
    stored = document(component_of(CCCD).document_id)
    assert stored.owner_id == NHUNG  # stored as whose it is, never as the applicant's
    assert stored.owner_name == "Nguyễn Thị Hồng Nhung"


@pytest.mark.fault
def test_a_source_that_later_names_another_owner_is_not_believed_until_corrected(
    actors, drain, clock, national_url
):
    officer = actors["tiepnhan"]
    code = receive(officer)
    file_fault(national_url, "down", times=1)
    attach(code, CCCD, officer)
    file_fault(national_url, "other_owner")
    settle(drain, clock, lambda: fetches()[0].state == "incident")
    [listed] = reuse.components_of(code, officer)
    assert listed["fetch"].state == "failed"
    assert listed["fetch"].reason == "nguồn cho biết giấy tờ thuộc người khác"
    assert listed["document_id"] is None
    # the source is corrected; the supervisor retries the incident from the incidents page
    file_fault(national_url, "")
    with db.transaction() as session:
        incident_id = session.scalar(select(Incident.id))
    retry_incident(incident_id, actors["giamsat"])
    settle(drain, clock, lambda: component_of(CCCD).document_id)
    assert document(component_of(CCCD).document_id).owner_id == AN


def test_a_component_attached_before_files_were_fetched_gets_its_file_on_request(actors, drain):
    officer = actors["tiepnhan"]
    code = receive(officer)
    attach(code, CCCD, officer)
    with db.transaction() as session:  # as components were before reuse by content
        component = session.scalar(select(DossierComponent))
        component.document_id = None
    [listed] = reuse.components_of(code, officer)
    assert listed["fetch"].state == "missing"
    assert reused_files.retry(code, listed["id"], officer) == "queued"
    drain()
    assert component_of(CCCD).document_id is not None


def test_only_the_dossiers_reception_and_processing_officers_may_retry(actors):
    officer = actors["tiepnhan"]
    code = receive(officer)
    attach(code, CCCD, officer)
    component_id = component_of(CCCD).id
    with pytest.raises(Forbidden):
        reused_files.retry(code, component_id, actors["lanhdao"])
    with pytest.raises(NotFound):
        reused_files.retry(code, component_id, actors["tiepnhantc"])  # another agency
    other = receive(officer)
    with pytest.raises(NotFound):
        reused_files.retry(other, component_id, officer)  # not that dossier's component
    with pytest.raises(NotFound):
        reused_files.retry(code, 999_999, officer)


def test_an_online_citizens_kho_dl_document_comes_into_the_dossier_even_when_late(
    actors, drain, warehouse_url
):
    # 001 §II.2.b Bước 4: online, the citizen picks what the warehouses hold; its file follows
    card = numbered_pdf(1)
    requests.post(
        f"{warehouse_url}/api/documents",
        json={
            "metadata": six_fields(AN, CCCD, "Thẻ căn cước công dân"),
            "content_b64": base64.b64encode(card).decode(),
        },
        headers={"Idempotency-Key": "citizen-card"},
        timeout=5,
    ).raise_for_status()
    who = {"sub": "VN-000001", "identifier": AN, "name": "Nguyễn Văn An"}
    citizen = portal_sign_in.sign_in(who)
    _info, offers = online.submission(citizen, "2.000488")
    [offer] = [o for o in offers if o.type_code == CCCD]
    assert offer.found.source == "portal"

    def submit() -> str:
        form = Upload("to-khai.pdf", io.BytesIO(numbered_pdf(1)))
        command = SubmitOnline(
            "2.000488", chosen={CCCD: offer.found.ref}, uploads={"TK.LLTP.01": [form]}
        )
        return online.submit(citizen, command)

    file_fault(warehouse_url, "html", times=1)
    with pytest.raises(InvalidInput) as exc:
        submit()
    assert "không trả về tệp PDF" in exc.value.fields[f"component_{CCCD}"]
    file_fault(warehouse_url, "down", times=1)
    submit()
    assert component_of(CCCD).document_id is None and len(fetches()) == 1
    drain()
    stored = document(component_of(CCCD).document_id)
    assert stored.file_sha256 == hashlib.sha256(card).hexdigest()
    assert (stored.origin_system, stored.owner_id) == ("portal", AN)


def test_the_fetched_copy_is_this_systems_own_next_time_but_not_attached_twice(actors):
    # 001 §II.2.b Bước 4: this system's own warehouse is asked first
    officer = actors["tiepnhan"]
    code = receive(officer)
    attach(code, CCCD, officer)
    stored_id = component_of(CCCD).document_id
    again = reuse.lookup(code, CCCD, officer)
    assert (again.found.source, again.found.ref) == ("own", str(stored_id))
    with pytest.raises(Conflict):
        reuse.attach(code, "own", str(stored_id), CCCD, True, {}, officer)
    later = receive(officer)  # another dossier of the same citizen reuses it from here
    reuse.attach(later, "own", str(stored_id), CCCD, True, {}, officer)

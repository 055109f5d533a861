"""E-authentication of out-of-scope documents with files (001 §II.2.c Bước 1, §III.1 case 2):
sent as signed files to the managing agency's service over HTTP, the answer checked, the copy
stored in the warehouse with its metadata and attached; or made at the counter from the
original, signed with the agency's key and stored the same way."""

from __future__ import annotations

import io

import pytest
import requests
from sqlalchemy import func, select

from app.documents import signing
from app.documents.intake import Upload
from app.documents.pki import demo_pki
from app.models import AuditEvent, Document, DocumentAuthentication, OutboxMessage
from app.services.core import outbox
from app.services.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.services.documents import drafts, e_authenticated_copies, e_authentication
from app.services.documents.e_authentication_panel import panel
from app.services.dossiers import tasks
from app.storage.db import db
from app.storage.files import file_store
from tests.documents.scans import numbered_pdf
from tests.services.helpers import complete, deliver, open_task, receive, settle

pytestmark = pytest.mark.simulators

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}
BIRTH = "KQ.G15.000031"  # managed by the Bộ Tư pháp in the simulator
HEALTH = "KQ.G07.000013"  # managed by no agency the service knows
OWNER = "001090012345"


def scan_out_of_scope(code: str, officer, type_code: str = BIRTH, owner: str = OWNER) -> int:
    document_id = drafts.digitize(
        drafts.Digitize(
            dossier_code=code,
            type_code=type_code,
            classification="out_of_scope",
            paper_form="original",
            declared_pages=1,
        ),
        [Upload("scan.pdf", io.BytesIO(numbered_pdf(1)))],
        officer,
    )
    drafts.confirm(
        document_id,
        {
            "type_code": type_code,
            "owner_id_type": "cccd",
            "owner_id": owner,
            "owner_name": "Nguyễn Văn An",
            "name": "Giấy khai sinh" if type_code == BIRTH else "Giấy chứng nhận sức khỏe",
            "summary": "Bản chính do UBND phường Hoàn Kiếm cấp",
            "validity": "indefinite",
            "validity_scope": "national",
            "field_document_number": "123/2015",
            "field_issued_on": "12/05/2015",
            "field_issuer": "UBND phường Hoàn Kiếm",
        },
        officer,
    )
    return document_id


def at_step(actors, route: str = "managing_agency", **scan) -> tuple[str, str, int]:
    """A dossier at its e-authentication step (held by its officer) with one out-of-scope
    document stored: (code, task id, document id)."""
    counter = actors["tiepnhan"]
    code = receive(counter)
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", counter, {**RECEPTION, "needs_digitization": True})
    document_id = scan_out_of_scope(code, counter, **scan)
    complete(
        code,
        "classify",
        counter,
        {
            "classified": True,
            "out_of_scope_count": 1,
            "on_demand_pages": 0,
            "authentication_route": route,
        },
    )
    element = "authenticate" if route == "managing_agency" else "authenticate_at_counter"
    task = open_task(code, element)
    holder = actors["chuyenvien"] if route == "managing_agency" else counter
    tasks.claim_task(task.id, holder)
    return code, task.id, document_id


def request_of(document_id: int) -> DocumentAuthentication:
    with db.transaction() as session:
        row = session.scalar(
            select(DocumentAuthentication)
            .where(DocumentAuthentication.document_id == document_id)
            .order_by(DocumentAuthentication.id.desc())
        )
        session.expunge(row)
        return row


def document(document_id: int) -> Document:
    with db.transaction() as session:
        row = session.get(Document, document_id)
        session.expunge(row)
        return row


def knobs(url: str, **values) -> None:
    requests.post(f"{url}/_sim/e-authentication", json=values, timeout=5).raise_for_status()


def copies() -> int:
    with db.transaction() as session:
        return session.scalar(
            select(func.count()).select_from(Document).where(Document.source == "e_authenticated")
        )


def test_an_out_of_scope_document_goes_as_a_signed_file_and_its_authenticated_copy_is_stored_and_attached_001_II_2_c_step_1(  # noqa: E501
    actors, drain, e_authentication_url, warehouse_url
):
    officer = actors["chuyenvien"]
    code, task_id, document_id = at_step(actors)
    assert e_authentication.send(task_id, officer) == 1
    assert e_authentication.send(task_id, officer) == 0  # a second click sends nothing twice
    drain()
    [received] = requests.get(f"{e_authentication_url}/_sim/received", timeout=5).json()
    assert received["refused"] == ""
    assert received["metadata"]["type_code"] == BIRTH
    assert received["metadata"]["owner_id"] == OWNER and received["owner"]["id"] == OWNER
    assert received["sender"]["agency_code"] == "000.00.12.H31"
    row = request_of(document_id)
    assert row.state == "authenticated" and row.authority_name == "Bộ Tư pháp"
    copy = document(row.copy_id)
    assert copy.dossier_id == document(document_id).dossier_id  # attached to the dossier
    assert copy.source == "e_authenticated" and copy.origin_id == document_id
    assert copy.fields["authenticated_by"] == "Bộ Tư pháp"
    assert copy.fields["authentication_ref"] == row.ref
    assert copy.storage_key == f"{OWNER}.{BIRTH}.2"
    verdicts = signing.verify(file_store().path(copy.file_sha256), [demo_pki().ca_cert_path])
    assert [v.state for v in verdicts] == ["valid", "valid"]
    assert verdicts[-1].signer == "Bộ Tư pháp"
    # stored in the warehouse with its six fields and who authenticated it
    assert copy.warehouse_id
    stored = requests.get(
        f"{warehouse_url}/api/documents/{copy.warehouse_id}", params={"owner_id": OWNER}, timeout=5
    ).json()
    assert stored["source"] == "e_authenticated" and stored["validity"] == "indefinite"
    assert stored["fields"]["authenticated_by"] == "Bộ Tư pháp"
    with db.transaction() as session:
        shown = panel(session, copy.dossier_id, "managing_agency")
    assert [(line.state, line.copy_key) for line in shown.lines] == [
        ("authenticated", copy.storage_key)
    ]
    assert shown.problem is None
    complete(code, "authenticate", officer, {})
    assert open_task(code, "appraisal") is not None


def test_the_step_cannot_be_completed_while_a_document_is_unsent_or_unanswered(
    actors, drain, e_authentication_url
):
    officer = actors["chuyenvien"]
    code, task_id, _document_id = at_step(actors)
    with pytest.raises(InvalidInput, match="Chưa gửi cơ quan quản lý xác thực: Giấy khai sinh"):
        complete(code, "authenticate", officer, {})
    knobs(e_authentication_url, answer_after=5)  # the agency takes its time
    e_authentication.send(task_id, officer)
    drain()
    with pytest.raises(InvalidInput, match="Đang chờ cơ quan quản lý trả lời: Giấy khai sinh"):
        complete(code, "authenticate", officer, {})
    assert open_task(code, "authenticate") is not None


def test_a_late_answer_is_asked_for_again_until_it_comes(
    actors, drain, clock, e_authentication_url
):
    officer = actors["chuyenvien"]
    _code, task_id, document_id = at_step(actors)
    knobs(e_authentication_url, answer_after=1)
    clock.freeze()
    e_authentication.send(task_id, officer)
    drain()
    row = request_of(document_id)
    assert row.state == "sent" and row.copy_id is None
    with db.transaction() as session:
        asked = session.get(OutboxMessage, row.answer_outbox_id)
        assert asked.state == "pending" and asked.next_attempt_at > clock.moment
    clock.advance(301)  # E_AUTHENTICATION_POLL_SECONDS later, the scheduler asks again
    drain()
    assert request_of(document_id).state == "authenticated"


def test_the_managing_agency_refusing_shows_its_reason_and_the_officer_resends(
    actors, drain, e_authentication_url
):
    officer = actors["chuyenvien"]
    code, task_id, document_id = at_step(actors)
    knobs(e_authentication_url, refuse="Không khớp sổ đăng ký khai sinh")
    e_authentication.send(task_id, officer)
    drain()
    refused = request_of(document_id)
    assert refused.state == "refused" and refused.reason == "Không khớp sổ đăng ký khai sinh"
    assert copies() == 0
    with pytest.raises(InvalidInput, match="Bị từ chối xác thực"):
        complete(code, "authenticate", officer, {})
    knobs(e_authentication_url)  # the citizen's record corrected at the agency
    e_authentication.resend(task_id, refused.id, officer)
    drain()
    again = request_of(document_id)
    assert again.id != refused.id and again.state == "authenticated"
    with pytest.raises(Conflict):  # the old request is not resent twice
        e_authentication.resend(task_id, refused.id, officer)
    complete(code, "authenticate", officer, {})


def test_a_refused_document_can_be_marked_for_supplement_which_lets_the_step_end(
    actors, drain, e_authentication_url
):
    officer = actors["chuyenvien"]
    code, task_id, document_id = at_step(actors)
    knobs(e_authentication_url, refuse="Giấy tờ không do cơ quan này cấp")
    e_authentication.send(task_id, officer)
    drain()
    row = request_of(document_id)
    with pytest.raises(InvalidInput):
        e_authentication.mark_for_supplement(task_id, row.id, "   ", officer)
    e_authentication.mark_for_supplement(task_id, row.id, "Nộp bản sao có chứng thực", officer)
    assert request_of(document_id).state == "supplement"
    complete(code, "authenticate", officer, {})


@pytest.mark.parametrize(
    ("scan", "reason"),
    [
        ({"type_code": HEALTH}, f"document type {HEALTH} is not managed"),
        ({"owner": "001090099999"}, "owner.id is not the owner of the document"),
    ],
    ids=["a type no agency manages", "another owner's document"],
)
def test_what_the_service_refuses_at_once_is_shown_with_its_reason(actors, drain, scan, reason):
    officer = actors["chuyenvien"]
    _code, task_id, document_id = at_step(actors, **scan)
    e_authentication.send(task_id, officer)
    drain()
    row = request_of(document_id)
    assert row.state == "refused" and reason in row.reason
    with db.transaction() as session:
        incidents = session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == "incident")
        )
    assert incidents == 0  # a refusal is an answer, not a failure


def test_the_service_down_is_retried_then_given_up_with_a_notice_and_can_be_resent(
    actors, drain, clock, e_authentication_url
):
    officer = actors["chuyenvien"]
    _code, task_id, document_id = at_step(actors)
    faults = f"{e_authentication_url}/_sim/faults"
    requests.post(faults, json={"fail_next": 100, "status": 503}, timeout=5).raise_for_status()
    clock.freeze()  # no retry falls due until the clock moves
    e_authentication.send(task_id, officer)
    drain()

    def line():  # noqa: ANN202
        with db.transaction() as session:
            [shown] = panel(session, document(document_id).dossier_id, "managing_agency").lines
        return shown

    assert line().state == "queued" and line().notice is not None
    assert not line().notice.given_up  # retrying
    settle(drain, clock, lambda: line().notice and line().notice.given_up)
    assert line().notice.attempts == 5 and line().can_resend
    requests.post(faults, json={}, timeout=5).raise_for_status()  # the service is back
    e_authentication.resend(task_id, line().authentication_id, officer)
    drain()
    assert request_of(document_id).state == "authenticated"


def test_a_duplicate_answer_keeps_one_copy(actors, drain):
    officer = actors["chuyenvien"]
    _code, task_id, document_id = at_step(actors)
    e_authentication.send(task_id, officer)
    drain()
    row = request_of(document_id)
    assert row.state == "authenticated" and copies() == 1
    with db.transaction() as session:  # the same answer asked for and delivered again
        outbox.add_tracked(
            session,
            e_authentication.ANSWER,
            {"authentication_id": row.id, "ref": row.ref},
            dossier_id=row.dossier_id,
        )
    drain()
    assert copies() == 1 and request_of(document_id).copy_id == row.copy_id
    with db.transaction() as session:
        ignored = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.kind == "e_authentication_answer_ignored")
        )
    assert ignored == 1


@pytest.mark.parametrize(
    ("forge", "why"),
    [
        ("other_document", "không phải cho yêu cầu đã gửi"),
        ("unsigned", "không phải là tệp đã gửi có thêm chữ ký"),
        ("untrusted", "không hợp lệ"),
    ],
    ids=["an answer for a document not sent", "an unsigned copy", "a forged signature"],
)
def test_an_answer_that_fails_the_checks_keeps_nothing_and_says_why(
    actors, drain, e_authentication_url, forge, why
):
    officer = actors["chuyenvien"]
    code, task_id, document_id = at_step(actors)
    knobs(e_authentication_url, forge=forge)
    e_authentication.send(task_id, officer)
    drain()
    row = request_of(document_id)
    assert row.state == "invalid_answer" and why in row.reason
    assert copies() == 0
    with pytest.raises(InvalidInput):
        complete(code, "authenticate", officer, {})


def test_at_the_counter_the_officer_makes_the_copy_signed_with_the_agency_key_001_III_1_case_2(
    actors, drain, e_authentication_url
):
    counter = actors["tiepnhan"]
    code, task_id, document_id = at_step(actors, route="counter")
    with pytest.raises(InvalidInput, match="Chưa xác thực điện tử tại quầy: Giấy khai sinh"):
        complete(code, "authenticate_at_counter", counter, {"original_returned": "in_person"})
    with pytest.raises(InvalidInput, match="đối chiếu"):
        e_authenticated_copies.authenticate_at_counter(task_id, document_id, counter, False)
    key = e_authenticated_copies.authenticate_at_counter(task_id, document_id, counter, True)
    assert key == f"{OWNER}.{BIRTH}.2"
    row = request_of(document_id)
    copy = document(row.copy_id)
    assert row.route == "counter" and row.state == "authenticated"
    assert copy.source == "e_authenticated" and copy.origin_id == document_id
    assert copy.fields["authenticated_by"] == "Sở Tư pháp tỉnh Hưng Yên"
    verdicts = signing.verify(file_store().path(copy.file_sha256), [demo_pki().ca_cert_path])
    assert [v.state for v in verdicts] == ["valid", "valid"]
    assert verdicts[-1].signer == "Sở Tư pháp tỉnh Hưng Yên"
    with pytest.raises(Conflict):
        e_authenticated_copies.authenticate_at_counter(task_id, document_id, counter, True)
    drain()
    assert document(row.copy_id).warehouse_id  # stored in the warehouse the same way
    assert requests.get(f"{e_authentication_url}/_sim/received", timeout=5).json() == []
    complete(code, "authenticate_at_counter", counter, {"original_returned": "in_person"})


def test_nobody_acts_on_another_dossier_or_a_step_not_theirs(actors):
    officer = actors["chuyenvien"]
    _code, task_id, document_id = at_step(actors)
    _other_code, other_task, other_document = at_step(actors)
    with pytest.raises(NotFound):  # another agency's officer does not see the step
        e_authentication.send(task_id, actors["congan"])
    with pytest.raises(Forbidden):  # an officer of the agency without the step's role
        e_authentication.send(task_id, actors["lanhdao"])
    with pytest.raises(NotFound):  # the counter route on a step that sends to the agency
        e_authenticated_copies.authenticate_at_counter(task_id, document_id, officer, True)
    e_authentication.send(other_task, officer)
    row = request_of(other_document)
    with pytest.raises(NotFound):  # another dossier's request through this step
        e_authentication.resend(task_id, row.id, officer)
    with pytest.raises(NotFound):
        e_authentication.mark_for_supplement(task_id, row.id, "x", officer)


def test_the_citizen_downloads_the_e_authenticated_copy_of_a_document_001_III_1_case_2(actors):
    from app.services.citizens import portal_sign_in

    counter = actors["tiepnhan"]
    code, task_id, document_id = at_step(actors, route="counter")
    key = e_authenticated_copies.authenticate_at_counter(task_id, document_id, counter, True)
    citizen = portal_sign_in.sign_in(
        {"sub": "VN-000001", "identifier": OWNER, "name": "Nguyễn Văn An"}
    )
    [listed] = portal_sign_in.dossier_of(citizen, code)["results"]
    assert listed["key"] == key
    path, name = portal_sign_in.result_file(citizen, code, listed["id"])
    assert name == f"{key}.pdf" and path.read_bytes().startswith(b"%PDF")
    with pytest.raises(NotFound):  # the scan itself is not a download
        portal_sign_in.result_file(citizen, code, document_id)


def test_a_scan_classified_out_of_scope_reaches_the_step_though_the_count_was_left_at_0(actors):
    """001 §II.2.c Bước 1: the system counts the scans classified out of scope; a count the
    officer left at 0 does not let the gateway skip their e-authentication."""
    counter = actors["tiepnhan"]
    code = receive(counter)
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", counter, {**RECEPTION, "needs_digitization": True})
    scan_out_of_scope(code, counter)
    complete(
        code,
        "classify",
        counter,
        {"classified": True, "out_of_scope_count": 0, "on_demand_pages": 0},
    )
    assert open_task(code, "authenticate") is not None


def test_a_typed_count_without_scans_still_routes_the_papers_to_authentication(actors):
    """A higher count typed by the officer stands for papers not scanned yet."""
    counter = actors["tiepnhan"]
    code = receive(counter)
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", counter, {**RECEPTION, "needs_digitization": True})
    complete(
        code,
        "classify",
        counter,
        {
            "classified": True,
            "out_of_scope_count": 2,
            "on_demand_pages": 0,
            "authentication_route": "counter",
        },
    )
    assert open_task(code, "authenticate_at_counter") is not None

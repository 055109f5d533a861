"""Reuse by component at reception (002 §5.b Bước 2; 001 §II.1 Bước 3): one panel lists each
component of the procedure with what each source holds for the owner — own warehouse, then
the portal's Kho DL, then the national database — and attaches every component the citizen
confirmed in one transaction, all or nothing, once."""

from __future__ import annotations

import base64
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from app.documents.intake import Upload
from app.models import AuditEvent, Document, DossierComponent
from app.services.citizens import online, portal_sign_in
from app.services.citizens.online_commands import SubmitOnline
from app.services.core.errors import Forbidden, InvalidInput
from app.services.documents import component_reuse, drafts
from app.services.documents.component_reuse import Pick
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from app.storage.db import db
from tests.documents.scans import numbered_pdf
from tests.services.helpers import receive
from tests.services.test_documents import metadata, scan
from tests.support.warehouse_records import six_fields

pytestmark = pytest.mark.simulators
AN, NHUNG = "001090012345", "079095000123"
FORM, CCCD, PROXY_LETTER = "TK.LLTP.01", "KQ.G01.000023", "TK.UQ.01"


def in_kho_dl(warehouse_url: str, type_code: str, name: str, key: str, **more) -> str:
    """Put a document of An in the portal's Kho DL; its id there."""
    answer = requests.post(
        f"{warehouse_url}/api/documents",
        json={
            "metadata": six_fields(AN, type_code, name, **more),
            "content_b64": base64.b64encode(numbered_pdf(1)).decode(),
        },
        headers={"Idempotency-Key": key},
        timeout=5,
    )
    answer.raise_for_status()
    return answer.json()["id"]


def stored_card(code: str, officer) -> int:
    """An's CCCD digitized and stored in this system's own warehouse."""
    document_id = scan(code, officer, numbered_pdf(1))
    drafts.confirm(document_id, metadata(owner_id=AN, owner_name="Nguyễn Văn An"), officer)
    return document_id


def row(panel, type_code):
    return next(r for r in panel.rows if r.type_code == type_code)


def components() -> list[DossierComponent]:
    with db.transaction() as session:
        return list(session.scalars(select(DossierComponent).order_by(DossierComponent.id)))


def test_each_component_lists_every_source_in_the_guides_order(actors, warehouse_url):
    # 002 §5.b Bước 2: "kiểm tra ... có thể khai thác được từ Kho DL trên HTTT GQTTHC hoặc
    # trên Cổng DVCQG"; 001 §II.2.b: own warehouse, then Kho DL, then the national databases
    officer = actors["tiepnhan"]
    code = receive(officer)
    own_id = stored_card(receive(officer), officer)  # stored for an earlier dossier of An
    this_dossiers = stored_card(code, officer)  # already this dossier's: not "reused"
    portal_id = in_kho_dl(warehouse_url, CCCD, "Thẻ căn cước công dân", "card", issuer="Bộ CA")
    panel = component_reuse.panel(code, officer)
    assert [r.type_code for r in panel.rows] == [FORM, CCCD, PROXY_LETTER]  # the procedure's
    assert [r.required for r in panel.rows] == [True, True, False]
    card = row(panel, CCCD)
    assert [a.source for a in card.answers] == ["own", "portal", "national"]
    assert f"own:{this_dossiers}" not in [i.choice for i in card.offered]
    assert [i.choice for i in card.offered] == [
        f"own:{own_id}",
        f"portal:{portal_id}",
        "national:NAT-00001",
    ]
    national = card.offered[2]
    assert (national.number, national.issuer, national.issued_on.isoformat()) == (
        AN,
        "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
        "2021-04-10",
    )
    assert card.offered[0].valid_until.isoformat() == "2036-03-15"  # the own copy's validity
    assert card.offered[1].indefinite  # Kho DL declares no time limit
    assert not national.indefinite and national.valid_until is None  # not said: not assumed
    nothing = row(panel, FORM)
    assert not nothing.offered and all(not a.down for a in nothing.answers)
    assert [r.type_code for r in panel.on_paper] == [FORM, CCCD, PROXY_LETTER]


def test_a_source_that_is_down_shows_a_notice_on_that_source_only(actors, warehouse_url):
    officer = actors["tiepnhan"]
    code = receive(officer)
    requests.post(f"{warehouse_url}/_sim/faults", json={"fail_next": 3}, timeout=5)
    panel = component_reuse.panel(code, officer)
    card = row(panel, CCCD)
    down = {a.source: a.down for a in card.answers}
    assert down == {"own": False, "portal": True, "national": False}
    assert [i.source for i in card.offered] == ["national"]  # the others still show


def test_an_expired_item_is_marked_and_not_offered_nor_attached(actors, warehouse_url):
    officer = actors["tiepnhan"]
    code = receive(officer)
    old = in_kho_dl(
        warehouse_url,
        CCCD,
        "Thẻ căn cước công dân",
        "old-card",
        validity="until",
        valid_from="2010-01-01",
        valid_until="2020-01-01",
    )
    card = row(component_reuse.panel(code, officer), CCCD)
    [expired] = [i for a in card.answers for i in a.items if i.ref == old]
    assert expired.expired and not expired.offered
    assert f"portal:{old}" not in [i.choice for i in card.offered]
    with pytest.raises(InvalidInput) as refused:
        component_reuse.attach_chosen(code, [Pick(CCCD, f"portal:{old}", True)], officer)
    assert "hết hiệu lực" in str(refused.value.fields[f"component-{CCCD}"])
    assert components() == []


def test_a_source_answering_with_another_owners_document_is_not_offered(actors, national_url):
    officer = actors["tiepnhan"]
    code = receive(officer)
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
    card = row(component_reuse.panel(code, officer), CCCD)
    [national] = [a for a in card.answers if a.source == "national"]
    wrong = next(i for i in national.items if i.owner_id == NHUNG)
    assert wrong.other_owner and not wrong.offered
    with pytest.raises(InvalidInput, match="không có ở nguồn"):
        component_reuse.attach_chosen(code, [Pick(CCCD, wrong.choice, True)], officer)
    assert components() == []


def test_another_owners_stored_document_cannot_be_posted_by_its_id(actors):
    officer = actors["tiepnhan"]
    code = receive(officer)
    theirs = scan(code, officer, numbered_pdf(1))
    drafts.confirm(theirs, metadata(), officer)  # Nhung's card, stored in this system
    with pytest.raises(InvalidInput):
        component_reuse.attach_chosen(code, [Pick(CCCD, f"own:{theirs}", True)], officer)
    assert components() == []


def test_every_chosen_component_needs_the_citizens_confirmation_or_none_is_attached(
    actors, warehouse_url
):
    officer = actors["tiepnhan"]
    code = receive(officer)
    form = in_kho_dl(warehouse_url, FORM, "Tờ khai lý lịch tư pháp", "form")
    picks = [Pick(FORM, f"portal:{form}", True), Pick(CCCD, "national:NAT-00001", False)]
    with pytest.raises(InvalidInput) as refused:
        component_reuse.attach_chosen(code, picks, officer)
    assert list(refused.value.fields) == [f"component-{CCCD}"]
    assert "xác nhận" in str(refused.value.fields[f"component-{CCCD}"])
    assert components() == []  # the confirmed one was not attached either


def test_a_component_not_of_this_procedure_is_refused(actors):
    officer = actors["tiepnhan"]
    code = receive(officer)
    birth = "KQ.G15.000031"  # An's birth certificate is in Kho DL, but 2.000488 does not ask it
    picks = [Pick(CCCD, "national:NAT-00001", True), Pick(birth, "portal:DOC-000001", True)]
    with pytest.raises(InvalidInput) as refused:
        component_reuse.attach_chosen(code, picks, officer)
    assert "không phải thành phần" in str(refused.value.fields[f"component-{birth}"])
    assert components() == []


def test_confirmed_components_come_with_their_files_and_the_confirmation(
    actors, warehouse_url, clock
):
    # 001 §II.1 Bước 3: reused documents are put into the e-dossier (their files)
    officer = actors["tiepnhan"]
    moment = clock.freeze()
    proxy = {"id_type": "cccd", "id": NHUNG, "name": "Nguyễn Thị Hồng Nhung"}
    code = receive_dossier(
        ReceiveDossier("2.000488", "cccd", AN, "Nguyễn Văn An", proxy=proxy), officer
    )
    form = in_kho_dl(warehouse_url, FORM, "Tờ khai lý lịch tư pháp", "form")
    picks = [
        Pick(FORM, f"portal:{form}", True),
        Pick(CCCD, "national:NAT-00001", True),
        Pick(PROXY_LETTER, "", False),  # received on paper
    ]
    outcome = component_reuse.attach_chosen(code, picks, officer)
    assert outcome.attached == (FORM, CCCD) and outcome.already == ()
    attached = components()
    assert [(c.type_code, c.source) for c in attached] == [(FORM, "portal"), (CCCD, "national")]
    with db.transaction() as session:
        files = [session.get(Document, c.document_id) for c in attached]
        assert all(d is not None and d.state == "stored" and d.pages == 1 for d in files)
    confirmation = attached[0].citizen_confirmation
    # the proxy stood at the counter and confirmed
    assert confirmation["by_id"] == NHUNG and confirmation["role"] == "proxy"
    assert confirmation["via"] == "counter" and confirmation["officer_id"] == officer.id
    assert confirmation["at"] == moment.isoformat()
    assert attached[1].data["document_number"] == AN
    assert [r.type_code for r in component_reuse.panel(code, officer).on_paper] == [PROXY_LETTER]


def test_a_repeat_attaches_nothing_twice(actors):
    officer = actors["tiepnhan"]
    code = receive(officer)
    picks = [Pick(CCCD, "national:NAT-00001", True)]
    first = component_reuse.attach_chosen(code, picks, officer)
    again = component_reuse.attach_chosen(code, picks, officer)  # a double submit
    assert first.attached == (CCCD,) and again.attached == () and again.already == (CCCD,)
    assert len(components()) == 1
    with db.transaction() as session:
        reused = select(func.count()).where(AuditEvent.kind == "component_reused")
        assert session.scalar(reused) == 1
    other = stored_card(code, officer)
    with pytest.raises(InvalidInput, match="đã có giấy tờ"):
        component_reuse.attach_chosen(code, [Pick(CCCD, f"own:{other}", True)], officer)


def test_a_file_that_can_never_be_taken_refuses_the_whole_request(actors, warehouse_url):
    officer = actors["tiepnhan"]
    code = receive(officer)
    form = in_kho_dl(warehouse_url, FORM, "Tờ khai lý lịch tư pháp", "form")
    requests.post(f"{warehouse_url}/_sim/file-faults", json={"mode": "html"}, timeout=5)
    picks = [Pick(CCCD, "national:NAT-00001", True), Pick(FORM, f"portal:{form}", True)]
    with pytest.raises(InvalidInput, match="PDF"):
        component_reuse.attach_chosen(code, picks, officer)
    assert components() == []


def test_only_officers_who_digitize_attach(actors):
    code = receive(actors["tiepnhan"])
    with pytest.raises(Forbidden):
        component_reuse.attach_chosen(
            code, [Pick(CCCD, "national:NAT-00001", True)], actors["lanhdao"]
        )


def test_the_counter_preview_lists_the_sources_before_the_dossier_exists(actors, warehouse_url):
    officer = actors["tiepnhan"]
    panel = component_reuse.preview("2.000488", AN, "Nguyễn Văn An", officer)
    assert [i.source for i in row(panel, CCCD).offered] == ["national"]
    component_reuse.check_for_owner("2.000488", AN, [Pick(CCCD, "national:NAT-00001", True)])
    with pytest.raises(InvalidInput):
        component_reuse.check_for_owner("2.000488", AN, [Pick(CCCD, "national:NAT-00001", False)])


def test_a_citizen_choosing_a_document_online_is_recorded_as_confirmed_online(app, warehouse_url):
    # 002 §5.a Bước 2: online, the citizen chooses what Kho DL holds: that is the confirmation
    in_kho_dl(warehouse_url, CCCD, "Thẻ căn cước công dân", "card")
    citizen = portal_sign_in.sign_in(
        {"sub": "VN-000001", "identifier": AN, "name": "Nguyễn Văn An"}
    )
    _info, offers = online.submission(citizen, "2.000488")
    [offer] = [o for o in offers if o.type_code == CCCD]
    form = Upload("to-khai.pdf", io.BytesIO(numbered_pdf(1)))
    online.submit(
        citizen,
        SubmitOnline("2.000488", chosen={CCCD: offer.found.ref}, uploads={FORM: [form]}),
    )
    [component] = components()
    confirmation = component.citizen_confirmation
    assert (confirmation["by_id"], confirmation["via"]) == (AN, "online")
    assert confirmation["officer_id"] is None


def test_two_submits_at_once_attach_once(actors):
    officer = actors["tiepnhan"]
    code = receive(officer)
    picks = [Pick(CCCD, "national:NAT-00001", True)]
    with ThreadPoolExecutor(2) as pool:
        outcomes = list(
            pool.map(lambda _: component_reuse.attach_chosen(code, picks, officer), range(2))
        )
    assert sorted(len(o.attached) for o in outcomes) == [0, 1]
    assert len(components()) == 1


def test_kho_dl_naming_another_owner_when_the_file_is_taken_refuses_the_whole_request(
    actors, warehouse_url
):
    officer = actors["tiepnhan"]
    code = receive(officer)
    form = in_kho_dl(warehouse_url, FORM, "Tờ khai lý lịch tư pháp", "form")
    # listed as An's, but the document's own record then names someone else
    requests.post(f"{warehouse_url}/_sim/file-faults", json={"mode": "other_owner"}, timeout=5)
    picks = [Pick(CCCD, "national:NAT-00001", True), Pick(FORM, f"portal:{form}", True)]
    with pytest.raises(InvalidInput, match="người khác"):
        component_reuse.attach_chosen(code, picks, officer)
    assert components() == []

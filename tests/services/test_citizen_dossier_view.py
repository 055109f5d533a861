"""What the citizen's dossier page is made of: every component of the procedure with what the
dossier holds for it and its state, and the supplement deadline with the working days left."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from app.domain.status import VN_TZ
from app.models import Dossier, DossierComponent, ProcessInstance
from app.services.citizens import actions, online, portal_sign_in
from app.services.core import queue
from app.services.core.errors import InvalidInput
from app.services.deadlines import supplement_clock
from app.services.documents import reuse
from app.storage.db import db
from tests.documents.scans import numbered_pdf
from tests.services.helpers import complete, deliver, receive
from tests.services.test_documents import scan
from tests.support.warehouse_records import six_fields

pytestmark = pytest.mark.simulators
AN = "001090012345"
CITIZEN = portal_sign_in.Citizen(0, "VN-000001", "cccd", AN, "Nguyễn Văn An")
RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}
SUPPLEMENT = {"decision": "supplement", "appraisal_note": "Thiếu", "supplement_request": "CCCD"}


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def vn(d: int, m: int, hh: int) -> datetime:
    return datetime(2026, m, d, hh, tzinfo=VN_TZ)


def by_type(code: str) -> dict[str, dict]:
    return {c["type_code"]: c for c in portal_sign_in.dossier_of(CITIZEN, code)["components"]}


def asked_for_supplement(actors, clock) -> str:
    clock.set(vn(25, 11, 9))  # a Wednesday
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    clock.set(vn(25, 11, 14))
    complete(code, "appraisal", actors["chuyenvien"], SUPPLEMENT)
    return code


def test_every_component_is_listed_with_what_the_dossier_holds(actors):
    officer = actors["tiepnhan"]
    code = receive(officer)
    scan(code, officer, numbered_pdf(1), type_code="TK.LLTP.01", classification="form")
    found = reuse.lookup(code, "KQ.G01.000023", officer).found
    reuse.attach(code, "national", found.ref, "KQ.G01.000023", True, {}, officer)
    components = by_type(code)
    assert list(components) == ["TK.LLTP.01", "KQ.G01.000023", "TK.UQ.01"]
    [form] = components["TK.LLTP.01"]["held"]  # the application scanned at the counter
    assert (form["kind"], form["state"]) == ("scan", "Đã nhận bản giấy, đang số hoá")
    [card] = components["KQ.G01.000023"]["held"]
    assert card["state"] == "Dùng lại từ cơ sở dữ liệu quốc gia"
    assert components["TK.UQ.01"]["held"] == [] and not components["TK.UQ.01"]["required"]


def test_a_reused_document_of_another_owner_shows_only_once_overridden(actors):
    code = receive(actors["tiepnhan"])
    differences = {"owner_id": {"label": "Số định danh", "expected": AN, "found": "0790"}}
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        for ref, override in (("NAT-1", None), ("NAT-2", {"reason": "Đã đối chiếu bản giấy"})):
            session.add(
                DossierComponent(
                    dossier_id=dossier.id,
                    type_code="KQ.G01.000023",
                    name=f"Thẻ {ref}",
                    source="national",
                    ref=ref,
                    data={},
                    mismatch={"owner": {"differences": differences, "override": override}},
                )
            )
    assert [h["name"] for h in by_type(code)["KQ.G01.000023"]["held"]] == ["Thẻ NAT-2"]


def test_the_supplement_deadline_is_the_process_timer_with_working_days_left(actors, clock):
    code = asked_for_supplement(actors, clock)
    deadline = supplement_clock.supplement_deadline(code)
    with db.transaction() as session:
        timer = session.scalar(
            select(ProcessInstance.next_timer_at)
            .join(Dossier, Dossier.id == ProcessInstance.dossier_id)
            .where(Dossier.code == code)
        )
    # 30 days after Wed 25/11 14:00 (P30D), the moment the process's timer fires
    assert deadline.due_at == vn(25, 12, 14) == timer
    # Thu 26/11 … Fri 25/12: 2 + 4 × 5 working days, no public holiday among them
    assert deadline.working_days_left == 22
    clock.set(vn(23, 12, 9))
    assert supplement_clock.supplement_deadline(code).working_days_left == 2
    clock.set(vn(25, 12, 9))
    assert supplement_clock.supplement_deadline(code).working_days_left == 0


def test_no_deadline_unless_a_supplement_is_awaited(actors, clock):
    clock.set(vn(25, 11, 9))
    code = receive(actors["tiepnhan"])
    assert supplement_clock.supplement_deadline(code) is None
    assert supplement_clock.supplement_deadline("KHONG-CO") is None


def test_an_empty_supplement_is_refused_and_the_dossier_keeps_waiting(actors, clock):
    code = asked_for_supplement(actors, clock)
    empties = [("", []), (" \u200b ", []), ("", ["", "   "])]
    for note, documents in empties:
        with pytest.raises(InvalidInput, match="Hồ sơ bổ sung đang trống"):
            actions.supplement(code, note, documents)
    with pytest.raises(InvalidInput, match="Hồ sơ bổ sung đang trống"):
        online.send_supplement(CITIZEN, code, "  ", "KQ.G01.000023", [])
    with pytest.raises(InvalidInput):
        actions.supplement(code, "", [None, 3])
    with db.transaction() as session:
        assert session.scalar(select(Dossier.status).where(Dossier.code == code)) == 5
    assert actions.supplement(code, "Đã nộp bản sao tại quầy", []) == 4


def test_the_citizen_is_never_offered_another_persons_document(app, warehouse_url):
    from app.integrations.warehouse import WarehouseClient

    # the portal's Kho DL files someone else's card under the citizen's identifier
    WarehouseClient(warehouse_url).store_document(
        six_fields(
            AN, "KQ.G01.000023", "Thẻ căn cước công dân", owner_name="Nguyễn Thị Hồng Nhung"
        ),
        numbered_pdf(1),
        "wrong-cccd",
    )
    _, offers = online.submission(CITIZEN, "2.000488")
    [card] = [o for o in offers if o.type_code == "KQ.G01.000023"]
    assert card.found is None
    assert ("portal", "không khớp chủ hồ sơ") in card.tried

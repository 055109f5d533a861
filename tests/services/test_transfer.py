"""Transferring a dossier to another agency keeps its clock: the dossier's and the open steps'
due times do not move, the steps go to the new agency's pools, and the portal is told."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from app.domain.status import VN_TZ
from app.models import Agency, AuditEvent, Dossier, HumanTask, OutboxMessage
from app.services.core import queue
from app.services.core.errors import Forbidden, InvalidInput
from app.services.dossiers import transfers
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from app.storage.db import db
from tests.services.helpers import complete, deliver, notices_of, open_task

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def vn(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=VN_TZ)


def at_appraisal(actors, clock) -> str:
    clock.set(vn(9, 9))  # Monday
    code = receive_dossier(
        ReceiveDossier("1.005092", "cccd", "001090012345", "Nguyễn Văn An"), actors["tiepnhan"]
    )
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    return code


def test_a_transfer_moves_the_open_steps_and_keeps_the_clock(actors, clock):
    code = at_appraisal(actors, clock)
    step = open_task(code, "appraisal")
    from app.services.dossiers import tasks

    tasks.claim_task(step.id, actors["chuyenvienhc"])
    with db.transaction() as session:
        dossier_due = session.scalar(select(Dossier.due_at).where(Dossier.code == code))
    clock.set(vn(10, 14))  # a day later
    moved = transfers.transfer_dossier(
        code, "000.21.33.H31", "Thuộc thẩm quyền cấp xã", actors["lanhdao"]
    )
    assert moved == 1
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        task = session.get(HumanTask, step.id)
        commune = session.scalar(select(Agency.id).where(Agency.code == "000.21.33.H31"))
        assert dossier.agency_id == commune and dossier.due_at == dossier_due
        assert (task.agency_id, task.assignee_id, task.due_at) == (commune, None, step.due_at)
        event = session.scalar(select(AuditEvent).where(AuditEvent.kind == "dossier_transferred"))
        assert event.data["reason"] == "Thuộc thẩm quyền cấp xã"
        told = session.scalars(
            select(OutboxMessage.params).where(OutboxMessage.operator == "portal.sync_progress")
        ).all()
        assert any(p["title"] == "Chuyển hồ sơ đến UBND xã Tân Hưng" for p in told)
    assert any(code in m for m in notices_of("xatanhung"))
    # the commune finishes it; the leader's step is the commune's too
    complete(code, "appraisal", actors["xatanhung"], {"decision": "accept", "appraisal_note": "Đủ"})
    approval = open_task(code, "approval")
    assert approval.agency_id == commune


def test_a_transfer_is_refused_without_officers_to_take_it_or_by_an_officer(actors, clock):
    code = at_appraisal(actors, clock)
    with pytest.raises(InvalidInput, match="Lãnh đạo"):
        # the police have processing officers but no leader to approve the result
        transfers.transfer_dossier(code, "000.00.07.H31", "Chuyển thử", actors["lanhdao"])
    with pytest.raises(Forbidden):
        transfers.transfer_dossier(code, "000.21.33.H31", "Chuyển thử", actors["tiepnhan"])
    with pytest.raises(InvalidInput) as short:
        transfers.transfer_dossier(code, "000.21.33.H31", "x", actors["lanhdao"])
    assert "reason" in short.value.fields
    with db.transaction() as session:
        assert (
            session.scalar(select(AuditEvent.id).where(AuditEvent.kind == "dossier_transferred"))
            is None
        )


def test_the_dossier_page_offers_the_transfer_and_says_what_is_wrong(actors, clock, client):
    from tests.web.helpers import login, post

    code = at_appraisal(actors, clock)
    login(client, "lanhdao")
    page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert "Chuyển hồ sơ sang cơ quan khác" in page
    refused = post(
        client,
        f"/dossiers/{code}/transfer",
        {"to_agency": "000.21.33.H31", "reason": ""},
        f"/dossiers/{code}",
    )
    assert refused.status_code == 422 and "Nêu lý do chuyển hồ sơ" in refused.get_data(as_text=True)
    done = post(
        client,
        f"/dossiers/{code}/transfer",
        {"to_agency": "000.21.33.H31", "reason": "Thuộc thẩm quyền cấp xã"},
        f"/dossiers/{code}",
    )
    assert done.status_code == 302
    history = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert "Chuyển hồ sơ từ Sở Tư pháp tỉnh Hưng Yên đến UBND xã Tân Hưng" in history

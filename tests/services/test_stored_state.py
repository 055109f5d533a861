"""The stored state of a dossier stays small along its path: a finished counter dossier keeps
less than 12 KB and no called process, while its page still draws the whole path taken and its
history still lists every step."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.models import Dossier, ProcessInstance
from app.services.core import queue
from app.services.dossiers import dossier_queries
from app.storage.db import db
from tests.services.helpers import complete, deliver, receive

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}
ACCEPT = {"decision": "accept", "appraisal_note": "Đủ"}
APPROVE = {"approval_decision": "approve", "result_name": "Phiếu lý lịch tư pháp số 1"}
RETURN = {"return_method": "counter", "receiver_name": "Nguyễn Văn An"}
STORED = {"document_id": "DOC-1", "key": "001090012345.KQ.G15.000007"}


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def stored_state(code: str) -> tuple[str, str]:
    with db.transaction() as session:
        return session.execute(
            select(ProcessInstance.state, ProcessInstance.status)
            .join(Dossier, Dossier.id == ProcessInstance.dossier_id)
            .where(Dossier.code == code)
        ).one()


def test_a_finished_counter_dossier_stores_less_than_12_kb_and_still_shows_its_path(actors):
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    complete(code, "approval", actors["lanhdao"], APPROVE)
    deliver("warehouse.store_result", STORED)
    complete(code, "return_result", actors["tiepnhan"], RETURN)

    state, status = stored_state(code)
    assert status == "completed"
    assert len(state.encode()) < 12 * 1024
    assert json.loads(state)["subprocesses"] == {}
    trace = dossier_queries.dossier_trace(code, actors["tiepnhan"])
    assert trace.waiting == []
    done = trace.done
    assert done[:2] == ["start", "gw_channel"] and done[-1] == "end"
    order = ["find_account", "check_account", "reception", "appraisal", "approval"]
    assert [done.index(step) for step in order] == sorted(done.index(step) for step in order)
    assert {"issue_result", "store_result", "return_result"} <= set(done)
    kinds = [e["kind"] for e in dossier_queries.dossier_detail(code, actors["lanhdao"]).events]
    assert kinds.count("task_completed") >= 4

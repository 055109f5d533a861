"""The portal sees every status 1..10 across the paths, and for each dossier every status and
every finished step exactly once and in order, even when its first calls fail."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from app.models import OutboxMessage
from app.services.citizens import actions
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from app.services.dossiers.timers import fire_due_timers
from app.storage.db import db
from tests.services.helpers import complete, receive, settle

pytestmark = [pytest.mark.simulators, pytest.mark.fault]
RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}
APPROVE = {"approval_decision": "approve", "result_name": "Phiếu lý lịch tư pháp số 1"}


def outbox_delivered() -> bool:
    with db.transaction() as session:
        return not session.scalars(
            select(OutboxMessage.state).where(OutboxMessage.state != "done")
        ).all()


def online(code_extra: dict | None = None) -> str:
    return receive_dossier(
        ReceiveDossier(
            "2.000488",
            "cccd",
            "033185004321",
            "Lê Thị Mai",
            channel="online",
            extra=code_extra or {},
        ),
        actions.PORTAL,
    )


def test_every_status_reaches_the_portal_once_and_in_order(
    actors, drain, portal_url, portal_received, clock
):
    officer, expert, leader = actors["tiepnhan"], actors["chuyenvien"], actors["lanhdao"]
    clock.freeze()
    # the portal is down for the first calls: they are retried, never duplicated or reordered
    requests.post(f"{portal_url}/_sim/faults", json={"fail_next": 4, "status": 503}, timeout=5)

    returned = receive(officer)  # 1 2 4 5 4 9 10
    refused = receive(officer)  # 1 2 4 3
    withdrawn = receive(officer)  # 1 7
    settle(drain, clock, outbox_delivered)
    actions.withdraw(withdrawn, "Không còn nhu cầu")
    for code in (returned, refused):
        complete(code, "reception", officer, RECEPTION)
    complete(
        returned,
        "appraisal",
        expert,
        {"decision": "supplement", "appraisal_note": "Thiếu", "supplement_request": "Tờ khai"},
    )
    complete(returned, "receive_supplement", officer, {"supplement_received": True})
    complete(returned, "appraisal", expert, {"decision": "accept", "appraisal_note": "Đủ"})
    complete(returned, "approval", leader, APPROVE)
    complete(refused, "appraisal", expert, {"decision": "refuse", "appraisal_note": "Không"})
    complete(refused, "refusal_approval", leader, {"refusal_decision": "approve"})
    settle(drain, clock, outbox_delivered)
    complete(
        returned, "return_result", officer, {"return_method": "counter", "receiver_name": "An"}
    )

    paid = online()  # 1 2 6 4
    stopped = online({"payment_wait": "PT1H"})  # 1 2 6 8
    for code in (paid, stopped):
        complete(code, "reception", officer, RECEPTION)
    actions.pay(paid, 200_000, "PAY-1")
    clock.advance(3599)
    assert fire_due_timers() == 0
    clock.advance(2)
    assert fire_due_timers() == 1
    settle(drain, clock, outbox_delivered)

    received = portal_received()
    by_dossier: dict[str, list[int]] = {}
    for message in received:
        by_dossier.setdefault(message["body"]["dossier_code"], []).append(message["body"]["status"])
    assert by_dossier == {
        returned: [1, 2, 4, 5, 4, 9, 10],
        refused: [1, 2, 4, 3],
        withdrawn: [1, 7],
        paid: [1, 2, 6, 4],
        stopped: [1, 2, 6, 8],
    }
    assert {s for statuses in by_dossier.values() for s in statuses} == set(range(1, 11))

    # every finished step of the returned dossier, once, in the order it was done
    progress = requests.get(f"{portal_url}/_sim/progress", timeout=5).json()
    steps = [p["body"]["title"] for p in progress if p["body"]["dossier_code"] == returned]
    assert steps == [
        "Tiếp nhận hồ sơ",
        "Thẩm định hồ sơ",
        "Tiếp nhận hồ sơ bổ sung",
        "Thẩm định hồ sơ",
        "Phê duyệt kết quả",
        "Trả kết quả",
    ]
    # each entry carries the status the step led to (reception passes 2 and reaches 4; the
    # result is approved at 4 and becomes 9 once stored; the return makes it 10)
    statuses_then = [p["body"]["status"] for p in progress if p["body"]["dossier_code"] == returned]
    assert statuses_then == [4, 5, 4, 4, 4, 10]

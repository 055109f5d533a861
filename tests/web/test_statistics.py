"""Period statistics for a seeded month equal counts made independently; CSV and XLSX export.

Dossiers that end without a result (refused, withdrawn) are counted apart from those resolved
early, on time or late, and stay out of the on-time rate."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.domain.status import VN_TZ
from app.models import Dossier
from app.services.citizens import actions
from app.services.core import queue
from app.services.core.errors import InvalidInput
from app.services.deadlines import statistics
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from app.storage.db import db
from tests.services.helpers import complete, deliver
from tests.web.helpers import login

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}
APPROVE = {"approval_decision": "approve", "result_name": "Phiếu lý lịch tư pháp số 1"}
RETURN = {"return_method": "counter", "receiver_name": "Nguyễn Văn An"}
NOV = (date(2026, 11, 1), date(2026, 12, 1))


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def at(m: int, d: int) -> datetime:
    return datetime(2026, m, d, 9, tzinfo=VN_TZ)


@pytest.fixture
def seeded(actors, clock) -> dict[str, str]:
    online: set[str] = set()

    def receive_on(moment, channel="counter") -> str:
        clock.set(moment)
        # online dossiers come from the portal (no account check; the fee is paid there)
        code = receive_dossier(
            ReceiveDossier("2.000488", "cccd", "001090012345", "Nguyễn Văn An", channel=channel),
            actions.PORTAL if channel == "online" else actors["tiepnhan"],
        )
        if channel == "online":
            online.add(code)
        deliver("portal.check_account", {"exists": True})
        return code

    def appraise_on(code, moment, decision: str) -> None:
        clock.set(moment)
        complete(code, "reception", actors["tiepnhan"], RECEPTION)
        if code in online:
            actions.pay(code, 200_000, f"PAY-{code}")
        complete(
            code,
            "appraisal",
            actors["chuyenvien"],
            {"decision": decision, "appraisal_note": "Thẩm định"},
        )

    def refuse_on(code, moment) -> None:
        appraise_on(code, moment, "refuse")
        complete(code, "refusal_approval", actors["lanhdao"], {"refusal_decision": "approve"})

    def resolve_on(code, moment) -> None:
        appraise_on(code, moment, "accept")
        complete(code, "approval", actors["lanhdao"], APPROVE)
        deliver("warehouse.store_result", {"document_id": f"DOC-{code}", "key": code})
        complete(code, "return_result", actors["tiepnhan"], RETURN)

    def withdraw_on(code, moment) -> None:
        clock.set(moment)
        actions.withdraw(code, "Không còn nhu cầu")

    codes = {
        name: receive_on(at(*day), channel)
        for name, day, channel in [
            ("A", (10, 20), "counter"),
            ("B", (10, 26), "counter"),
            ("C", (10, 27), "counter"),
            ("H", (10, 1), "counter"),
            ("D", (11, 5), "online"),
            ("E", (11, 10), "counter"),
            ("F", (11, 25), "counter"),
            ("W", (11, 12), "counter"),
            ("G", (12, 2), "counter"),
        ]
    }
    refuse_on(codes["A"], at(10, 21))
    resolve_on(codes["C"], at(11, 3))
    resolve_on(codes["H"], at(11, 4))
    refuse_on(codes["D"], at(11, 6))
    withdraw_on(codes["W"], at(11, 13))
    return codes


def independent_counts(start: date, end: date) -> dict[str, int]:
    lo = datetime.combine(start, datetime.min.time(), VN_TZ)
    hi = datetime.combine(end, datetime.min.time(), VN_TZ)
    with db.transaction() as session:
        rows = session.scalars(select(Dossier)).all()
    open_before = [
        d for d in rows if d.received_at < lo and (d.finished_at is None or d.finished_at >= lo)
    ]
    new = [d for d in rows if lo <= d.received_at < hi]
    ended = [d for d in rows if d.finished_at and lo <= d.finished_at < hi]
    done = [d for d in ended if d.status in (9, 10)]
    pending = [
        d for d in rows if d.received_at < hi and (d.finished_at is None or d.finished_at >= hi)
    ]
    return {
        "carried_over": len(open_before),
        "received": len(new),
        "online": sum(d.channel == "online" for d in new),
        "finished_early": sum(d.outcome == "early" for d in done),
        "finished_late": sum(d.outcome == "late" for d in done),
        "finished_without_result": sum(d.status in (3, 7, 8) for d in ended),
        "pending_overdue": sum(d.due_at < hi for d in pending),
        "pending_on_time": sum(d.due_at >= hi for d in pending),
    }


def test_november_counts_match_the_seeded_dossiers(actors, seeded):
    _, total = statistics.report(actors["giamsat"], *NOV)
    assert independent_counts(*NOV) == {
        "carried_over": total.carried_over,
        "received": total.received,
        "online": total.online,
        "finished_early": total.finished_early,
        "finished_late": total.finished_late,
        "finished_without_result": total.finished_without_result,
        "pending_overdue": total.pending_overdue,
        "pending_on_time": total.pending_on_time,
    }
    # By hand: B, C, H carried over; D, E, F, W new (D online); C resolved early and H late;
    # D refused a day after it came (it would be "early" if refusals counted as results) and
    # W withdrawn: both end without a result; B and E overdue at the end, F still in time.
    assert (total.carried_over, total.received, total.online, total.in_person) == (3, 4, 1, 3)
    assert (total.finished_early, total.finished_on_time, total.finished_late) == (1, 0, 1)
    assert total.finished_without_result == 2 and total.ended == 4
    assert (total.pending_on_time, total.pending_overdue) == (1, 2)
    assert total.on_time_rate == 0.5


def test_statistics_page_and_exports(client, seeded):
    login(client, "giamsat")
    page = client.get("/supervisor/statistics?start=2026-11-01&end=2026-12-01")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="chart"' in html and "50,0 %" in html
    assert "Từ chối / không giải quyết" in html
    exported = client.get("/supervisor/statistics?start=2026-11-01&end=2026-12-01&format=csv")
    table = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0][0] == "Mã thủ tục" and table[-1][1] == "Tổng cộng" and table[-1][3] == "4"
    refused = table[0].index("Từ chối / không giải quyết")
    assert table[0][refused - 1] == "Xong trễ hạn" and table[-1][refused] == "2"
    xlsx = client.get("/supervisor/statistics?start=2026-11-01&end=2026-12-01&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet["A2"].value == "Mã thủ tục" and sheet.cell(sheet.max_row, 13).value == 50.0
    assert client.get("/supervisor/statistics?start=2026-12-01&end=2026-11-01").status_code == 422
    assert client.get("/supervisor/statistics?start=nonsense").status_code == 422


def test_the_statistics_period_is_typed_day_month_year(client, seeded):
    login(client, "giamsat")
    page = client.get("/supervisor/statistics?start=01/11/2026&end=01/12/2026")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "50,0 %" in html
    assert 'name="start" value="01/11/2026"' in html and 'placeholder="dd/mm/yyyy"' in html
    assert "start=2026-11-01" in html  # the export links keep the ISO form
    refused = client.get("/supervisor/statistics?start=31/02/2026")
    assert refused.status_code == 422 and "dd/mm/yyyy" in refused.get_data(as_text=True)


def test_an_empty_or_reversed_period_is_refused(actors):
    with pytest.raises(InvalidInput):
        statistics.report(actors["giamsat"], date(2026, 11, 1), date(2026, 11, 1))

"""Fees on the screens (letter 4725/VPCP-KSTT, 003 §II.1.b): the reception step records each
fee of the procedure, the dossier page shows them, hostile posts are refused with a message,
and the supervisor's statistics report fees collected per code and agency (CSV, XLSX)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.domain.status import VN_TZ
from app.models import Agency, Dossier, DossierFee, OutboxMessage, Procedure
from app.services.core import queue
from app.services.core.actors import Actor
from app.services.deadlines import fee_statistics
from app.services.dossiers import tasks
from app.services.dossiers.dossier_fees import FeeEntry
from app.storage.db import db
from tests.services.helpers import deliver, open_task, receive
from tests.web.helpers import login, post, token

RECEPTION = {"components_checked": "on", "original_count": "1", "copy_count": "0"}


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


@pytest.fixture
def reception(actors) -> tuple[str, str]:
    """A dossier of 2.000488 (P025 and P196) at its reception step, claimed by tiepnhan."""
    with db.transaction() as session:
        session.scalar(select(Procedure).where(Procedure.code == "2.000488")).fee_codes = [
            "P025",
            "P196",
        ]
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    task = open_task(code, "reception")
    tasks.claim_task(task.id, actors["tiepnhan"])
    return code, task.id


def states(code: str) -> dict[str, str]:
    with db.transaction() as session:
        return dict(
            session.execute(
                select(DossierFee.fee_code, DossierFee.state)
                .join(Dossier)
                .where(Dossier.code == code)
            ).all()
        )


PAID_AND_EXEMPT = {
    "fee-P025-state": "paid",
    "fee-P025-amount": "200.000",
    "fee-P025-method": "transfer",
    "fee-P025-receipt": "BL-0099",
    "fee-P025-payer": "",
    "fee-P196-state": "exempt",
    "fee-P196-amount": "10000",
    "fee-P196-reason": "Người khuyết tật nặng",
}


def test_the_reception_step_shows_a_line_per_fee_and_records_them(client, reception):
    code, task_id = reception
    login(client, "tiepnhan")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'id="fee-P025"' in page and 'id="fee-P196"' in page
    assert 'name="fee-P025-receipt"' in page and 'name="fee-P196-reason"' in page
    done = post(client, f"/tasks/{task_id}", {**RECEPTION, **PAID_AND_EXEMPT})
    assert done.status_code == 302, done.get_data(as_text=True)
    assert states(code) == {"P025": "paid", "P196": "exempt"}
    shown = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert 'id="dossier-fees"' in shown and "BL-0099" in shown
    assert "Người khuyết tật nặng" in shown and "200.000 đ" in shown


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"fee-P196-reason": ""}, "fee-P196-reason", "Lý do miễn: bắt buộc"),
        ({"fee-P025-amount": "-200000"}, "fee-P025-amount", "lớn hơn 0 và không quá 1 tỷ"),
        ({"fee-P025-amount": "9" * 40}, "fee-P025-amount", "lớn hơn 0 và không quá 1 tỷ"),
        ({"fee-P025-amount": "abc"}, "fee-P025-amount", "lớn hơn 0 và không quá 1 tỷ"),
        ({"fee-P025-receipt": ""}, "fee-P025-receipt", "Số biên lai: bắt buộc"),
        ({"fee-L044-state": "paid", "fee-L044-amount": "1"}, "fee-L044", "không thuộc thủ tục"),
        (
            {"fee-P025-state": "waived"},
            "fee-P025-state",
            "Chọn: chưa thu, đã nộp, miễn hoặc nộp trực tuyến",
        ),
    ],
)
def test_a_hostile_fee_line_is_refused_with_a_message_and_nothing_is_recorded(
    client, reception, change, field, message
):
    code, task_id = reception
    login(client, "tiepnhan")
    refused = post(client, f"/tasks/{task_id}", {**RECEPTION, **PAID_AND_EXEMPT, **change})
    assert refused.status_code == 422
    assert message in refused.get_data(as_text=True)
    assert states(code) == {"P025": "due", "P196": "due"}
    assert open_task(code, "reception") is not None


def test_a_receipt_reused_from_another_dossier_is_refused_on_the_screen(client, actors, reception):
    code, task_id = reception
    other = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    tasks.complete_task(
        open_task(other, "reception").id,
        actors["tiepnhan"],
        {"components_checked": True, "original_count": 1, "copy_count": 0},
        {
            "P025": FeeEntry("P025", "paid", 200_000, method="cash", receipt_no="BL-0099"),
            "P196": FeeEntry("P196", "paid", 10_000, method="cash", receipt_no="BL-0099"),
        },
    )
    login(client, "tiepnhan")
    refused = post(client, f"/tasks/{task_id}", {**RECEPTION, **PAID_AND_EXEMPT})
    assert refused.status_code == 422 and other in refused.get_data(as_text=True)


def settle_on(clock, actors, moment: datetime, procedure: str, officer: str, entries) -> str:
    clock.set(moment)
    code = receive(actors[officer]) if procedure == "2.000488" else None
    if code is None:
        from app.services.dossiers.reception import ReceiveDossier, receive_dossier

        code = receive_dossier(
            ReceiveDossier(procedure, "cccd", "001090012345", "Nguyễn Văn An"), actors[officer]
        )
    deliver("portal.check_account", {"exists": True})
    tasks.complete_task(
        open_task(code, "reception").id,
        actors[officer],
        {"components_checked": True, "original_count": 1, "copy_count": 0},
        entries,
    )
    return code


def test_statistics_report_fees_collected_per_code_and_agency(client, actors, clock):
    def cash(code: str, receipt: str, amount: int) -> FeeEntry:
        return FeeEntry(code, "paid", amount, method="cash", receipt_no=receipt)

    nov = datetime(2026, 11, 10, 9, tzinfo=VN_TZ)
    settle_on(clock, actors, nov, "2.000488", "tiepnhan", {"P025": cash("P025", "A1", 200_000)})
    settle_on(clock, actors, nov, "2.000488", "tiepnhan", {"P025": cash("P025", "A2", 150_000)})
    settle_on(
        clock,
        actors,
        nov,
        "2.000488",
        "tiepnhan",
        {"P025": FeeEntry("P025", "exempt", reason="Người cao tuổi neo đơn")},
    )
    settle_on(clock, actors, nov, "2.001610", "tiepnhantc", {"L044": cash("L044", "A1", 50_000)})
    october = datetime(2026, 10, 20, 9, tzinfo=VN_TZ)
    settle_on(clock, actors, october, "2.000488", "tiepnhan", {"P025": cash("P025", "A3", 1)})
    login(client, "giamsat")
    query = "/supervisor/statistics?start=2026-11-01&end=2026-12-01"
    page = client.get(query).get_data(as_text=True)
    assert 'id="fees-collected"' in page and "350.000 đ" in page
    exported = client.get(query + "&format=csv&table=fees").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    # the Sở Tư pháp's supervisor: its own fees only (the Sở Tài chính's L044 is not theirs),
    # November only (October's receipt A3 is left out)
    assert [(r[0], r[2], *r[4:]) for r in rows[1:-1]] == [
        ("000.00.12.H31", "P025", "2", "350000", "350000", "0", "1", "200000")
    ]
    assert rows[-1][4:6] == ["2", "350000"]
    book = load_workbook(io.BytesIO(client.get(query + "&format=xlsx").data))
    sheet = book["Phí, lệ phí"]
    assert sheet.cell(row=sheet.max_row, column=6).value == 350_000
    with db.transaction() as session:
        province = session.scalar(select(Agency.id).where(Agency.code == "000.00.00.H31"))
    governor = Actor(None, "Tỉnh", roles=frozenset({("supervisor", province)}))
    found, total = fee_statistics.report(governor, date(2026, 11, 1), date(2026, 12, 1))
    assert [(r.agency_code, r.fee_code, r.collected) for r in found] == [
        ("000.00.10.H31", "L044", 50_000),
        ("000.00.12.H31", "P025", 350_000),
    ]
    assert total.collected == 400_000 and total.exempt == 1


def test_a_fee_left_due_at_reception_is_recorded_later_from_the_dossier_page(
    client, actors, reception, portal_url
):
    code, task_id = reception
    login(client, "tiepnhan")
    left_due = {**PAID_AND_EXEMPT, "fee-P025-state": "due"}
    assert post(client, f"/tasks/{task_id}", {**RECEPTION, **left_due}).status_code == 302
    page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert 'id="collect-fees"' in page and 'name="fee-P025-receipt"' in page
    assert 'name="fee-P196-state"' not in page  # exempt already: not offered again
    bad = post(
        client,
        f"/dossiers/{code}/fees",
        {"fee-P196-state": "paid", "fee-P196-receipt": "X1", "fee-P196-amount": "10000"},
        page=f"/dossiers/{code}",
    )
    assert bad.status_code == 422 and "không còn chờ thu" in bad.get_data(as_text=True)
    done = post(
        client,
        f"/dossiers/{code}/fees",
        {
            "fee-P025-state": "paid",
            "fee-P025-amount": "200000",
            "fee-P025-method": "cash",
            "fee-P025-receipt": "BL-0100",
        },
        page=f"/dossiers/{code}",
    )
    assert done.status_code == 302
    assert states(code) == {"P025": "paid", "P196": "exempt"}
    with db.transaction() as session:
        records = session.scalars(
            select(OutboxMessage.params).where(OutboxMessage.operator == "portal.sync_status")
        ).all()
    latest = [r for r in records if r["dossier_code"] == code][-1]
    assert {f["code"]: f["receipt_no"] for f in latest["fees"]}["P025"] == "BL-0100"


def test_another_agencys_counter_cannot_record_this_dossiers_fees(client, reception):
    code, _ = reception
    login(client, "tiepnhantc")
    answer = client.post(
        f"/dossiers/{code}/fees",
        data={"fee-P025-state": "paid", "csrf_token": token(client, "/inbox")},
    )
    assert answer.status_code == 404 and states(code)["P025"] == "due"

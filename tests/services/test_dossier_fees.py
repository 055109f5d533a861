"""A dossier's fees (letter 4725/VPCP-KSTT, 003 §II.1.b): one row per fee code, settled at
reception (paid with a receipt, exempt with a reason, or to be paid online) and carried in full
by every status record sent to the portal."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Dossier, DossierFee, OutboxMessage, Procedure
from app.services.core import queue
from app.services.core.errors import InvalidInput
from app.services.dossiers import dossier_fees, tasks
from app.services.dossiers.dossier_fees import FeeEntry
from app.storage.db import db
from tests.services.helpers import complete, deliver, open_task, receive

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


@pytest.fixture
def two_fees(app) -> None:
    """2.000488 charges P025 (200.000 đ) and P196 (10.000 đ) in the demo catalog."""
    with db.transaction() as session:
        procedure = session.scalar(select(Procedure).where(Procedure.code == "2.000488"))
        procedure.fee_codes = ["P025", "P196"]


def at_reception(actors) -> str:
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    return code


def settle(code: str, actor, entries: dict[str, FeeEntry]) -> None:
    task = open_task(code, "reception")
    tasks.complete_task(task.id, actor, RECEPTION, entries)


def rows_of(code: str) -> dict[str, DossierFee]:
    with db.transaction() as session:
        return {
            r.fee_code: r
            for r in session.scalars(select(DossierFee).join(Dossier).where(Dossier.code == code))
        }


def paid(code: str, receipt: str, amount: int, **more) -> FeeEntry:
    return FeeEntry(code, "paid", amount, method="cash", receipt_no=receipt, **more)


def last_status_record(code: str) -> dict:
    with db.transaction() as session:
        rows = session.scalars(
            select(OutboxMessage.params)
            .where(OutboxMessage.operator == "portal.sync_status")
            .order_by(OutboxMessage.id)
        ).all()
    return [r for r in rows if r["dossier_code"] == code][-1]


def test_registration_opens_one_row_per_fee_code_at_the_catalog_amount(actors, two_fees):
    rows = rows_of(receive(actors["tiepnhan"]))
    assert {c: (r.amount, r.state) for c, r in rows.items()} == {
        "P025": (200_000, "due"),
        "P196": (10_000, "due"),
    }


def test_reception_records_a_paid_fee_with_its_receipt_and_an_exempt_one_with_its_reason(
    actors, two_fees
):
    code = at_reception(actors)
    settle(
        code,
        actors["tiepnhan"],
        {
            "P025": paid("P025", "BL-2025/0001", 200_000, payer="Nguyễn Thị Ba"),
            "P196": FeeEntry("P196", "exempt", reason="Người có công với cách mạng"),
        },
    )
    rows = rows_of(code)
    assert (rows["P025"].state, rows["P025"].method, rows["P025"].receipt_no) == (
        "paid",
        "cash",
        "BL-2025/0001",
    )
    assert rows["P025"].payer == "Nguyễn Thị Ba" and rows["P025"].paid_at is not None
    assert rows["P196"].state == "exempt"
    assert rows["P196"].exemption_reason == "Người có công với cách mạng"
    assert open_task(code, "appraisal") is not None


def test_the_payer_is_the_dossier_owner_unless_someone_else_is_named(actors, two_fees):
    code = at_reception(actors)
    settle(
        code,
        actors["tiepnhan"],
        {"P025": paid("P025", "BL-7", 200_000), "P196": paid("P196", "BL-7", 10_000)},
    )
    assert {r.payer for r in rows_of(code).values()} == {"Nguyễn Văn An"}


def test_the_status_record_sent_to_the_portal_carries_every_fee_in_full(actors, two_fees):
    """003 §II.1.b: code, amount, payer, paid at, method, receipt and the treasury account."""
    with db.transaction() as session:
        procedure = session.scalar(select(Procedure).where(Procedure.code == "2.000488"))
        procedure.agency.treasury_account = "3511.1.1234567.00000"
    code = at_reception(actors)
    settle(
        code,
        actors["tiepnhan"],
        {
            "P025": paid("P025", "BL-42", 200_000),
            "P196": FeeEntry("P196", "exempt", reason="Hộ nghèo theo danh sách xã"),
        },
    )
    record = last_status_record(code)
    assert record["status"] == 4  # received, then in processing: the latest record
    fees = {f["code"]: f for f in record["fees"]}
    assert fees["P025"]["amount"] == 200_000 and fees["P025"]["receipt_no"] == "BL-42"
    assert fees["P025"]["method"] == "cash" and fees["P025"]["payer"] == "Nguyễn Văn An"
    assert len(fees["P025"]["paid_at"]) == 14  # yyyyMMddHHmmss, Vietnam time
    assert fees["P025"]["treasury_account"] == "3511.1.1234567.00000"
    assert fees["P196"]["state"] == "exempt" and fees["P196"]["paid_at"] is None
    assert fees["P196"]["exemption_reason"] == "Hộ nghèo theo danh sách xã"


def test_a_fee_left_to_pay_online_makes_the_process_wait_for_that_amount(actors, two_fees):
    code = at_reception(actors)
    settle(
        code,
        actors["tiepnhan"],
        {"P025": FeeEntry("P025", "online", 200_000), "P196": paid("P196", "BL-9", 10_000)},
    )
    with db.transaction() as session:
        status = session.scalar(select(Dossier.status).where(Dossier.code == code))
    assert status == 6  # waiting for the fee on the portal
    from app.services.citizens import actions

    assert actions.waiting_for(code)["fee_amount"] == 200_000


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        (FeeEntry("P025", "exempt", reason=""), "fee-P025-reason"),
        (FeeEntry("P025", "exempt", reason="   "), "fee-P025-reason"),
        (FeeEntry("P025", "paid", -200_000, method="cash", receipt_no="B1"), "fee-P025-amount"),
        (
            FeeEntry("P025", "paid", 10**12, method="cash", receipt_no="B1"),
            "fee-P025-amount",
        ),
        (FeeEntry("P025", "paid", 0, method="cash", receipt_no="B1"), "fee-P025-amount"),
        (FeeEntry("P025", "paid", 200_000, method="cash", receipt_no=""), "fee-P025-receipt"),
        (
            FeeEntry("P025", "paid", 200_000, method="cash", receipt_no="<script>"),
            "fee-P025-receipt",
        ),
        (FeeEntry("P025", "paid", 200_000, method="online", receipt_no="B1"), "fee-P025-method"),
        (FeeEntry("P025", "waived", 200_000), "fee-P025-state"),
    ],
)
def test_a_malformed_fee_entry_is_refused_by_field_and_nothing_is_recorded(actors, entry, field):
    code = at_reception(actors)
    with pytest.raises(InvalidInput) as refused:
        settle(code, actors["tiepnhan"], {"P025": entry})
    assert field in refused.value.fields
    assert rows_of(code)["P025"].state == "due"
    assert open_task(code, "reception") is not None


def test_a_fee_code_not_the_procedures_is_refused(actors):
    code = at_reception(actors)
    with pytest.raises(InvalidInput) as refused:
        settle(
            code,
            actors["tiepnhan"],
            {"P025": paid("P025", "B1", 200_000), "L044": paid("L044", "B1", 50_000)},
        )
    assert "fee-L044" in refused.value.fields
    assert set(rows_of(code)) == {"P025"}


def test_a_fee_left_due_at_reception_stays_to_be_collected_later(actors, two_fees):
    code = at_reception(actors)
    settle(
        code,
        actors["tiepnhan"],
        {"P025": paid("P025", "B1", 200_000), "P196": FeeEntry("P196", "due")},
    )
    assert rows_of(code)["P196"].state == "due" and rows_of(code)["P025"].state == "paid"


def test_a_fee_already_paid_cannot_be_rewritten_at_reception(actors, two_fees):
    code = at_reception(actors)
    settle(code, actors["tiepnhan"], {"P025": paid("P025", "B1", 200_000)})
    with db.transaction() as session:
        dossier_id = session.scalar(select(Dossier.id).where(Dossier.code == code))
        with pytest.raises(InvalidInput) as refused:
            dossier_fees.record(
                session,
                dossier_id,
                {"P025": FeeEntry("P025", "exempt", reason="Sửa lại thành miễn")},
                actors["tiepnhan"],
            )
    assert "fee-P025" in refused.value.fields
    assert rows_of(code)["P025"].receipt_no == "B1"


def test_a_receipt_already_used_for_another_dossier_of_the_agency_is_refused(actors):
    first, second = at_reception(actors), at_reception(actors)
    settle(first, actors["tiepnhan"], {"P025": paid("P025", "BL-0001", 200_000)})
    with pytest.raises(InvalidInput) as refused:
        settle(second, actors["tiepnhan"], {"P025": paid("P025", "BL-0001", 200_000)})
    assert first in refused.value.fields["fee-P025-receipt"]


def test_completing_reception_without_fee_entries_keeps_the_fees_unsettled(actors):
    """The JSON API and older pages complete the step without the lines: nothing is invented."""
    code = at_reception(actors)
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    assert rows_of(code)["P025"].state == "due"
    assert open_task(code, "appraisal") is not None


def test_slip_01_lists_each_fee_with_its_receipt_or_exemption_reason(actors, two_fees):
    import io

    from pypdf import PdfReader

    from app.services.documents import slips

    code = at_reception(actors)
    settle(
        code,
        actors["tiepnhan"],
        {
            "P025": paid("P025", "BL-2025/0077", 200_000),
            "P196": FeeEntry("P196", "exempt", reason="Trẻ em dưới 6 tuổi"),
        },
    )
    pdf, _ = slips.slip_pdf(code, "01", actors["tiepnhan"])
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "7. Phí, lệ phí:" in text
    assert "P025" in text and "200.000 đ" in text and "biên lai số BL-2025/0077" in text
    assert "P196" in text and "Miễn: Trẻ em dưới 6 tuổi" in text


def test_a_fee_cannot_be_left_to_pay_online_when_the_agency_has_no_treasury_account(actors):
    """003 §II.1.b: the platform books the fee to that account; without it nobody could pay."""
    with db.transaction() as session:
        procedure = session.scalar(select(Procedure).where(Procedure.code == "2.000488"))
        procedure.agency.treasury_account = None
    code = at_reception(actors)
    with pytest.raises(InvalidInput) as refused:
        settle(code, actors["tiepnhan"], {"P025": FeeEntry("P025", "online", 200_000)})
    assert "tài khoản kho bạc" in refused.value.fields["fee-P025-state"]

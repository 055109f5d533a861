"""A dossier's fees (phí, lệ phí của hồ sơ): opened at registration from the procedure's fee
codes, settled at reception (paid with a receipt, exempt with a reason, or to be paid online).

Letter 4725/VPCP-KSTT (003 §II.1.b) asks for each dossier's fees in full, by the fee codes of
Decision 4663/QĐ-KBNN; 002 §4.a Bước 1 lets an online applicant pay them when submitting.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import _, _l
from app.models import Agency, Dossier, DossierFee, Fee, Procedure
from app.models.base import utcnow
from app.services.core import audit, fees, portal_sync, runtime, visibility
from app.services.core.actors import Actor
from app.services.core.errors import Forbidden, InvalidInput, NotFound
from app.storage.db import db

# The most a fee line may be (the fee catalog's own bound): anything above is a typing slip.
MAX_AMOUNT = 1_000_000_000
# A receipt number (số biên lai) as printed: letters, digits and . / - (the series and number).
RECEIPT = re.compile(r"^[0-9A-Za-z][0-9A-Za-z./-]{0,63}$")
# What a counter officer may record at reception ("due": collected later, e.g. when the result
# is returned); "paid" online comes from the payment platform only.
COUNTER_STATES = ("due", "paid", "exempt", "online")
COUNTER_METHODS = ("cash", "transfer", "card")
# The form mark of a step that records the dossier's fees (the demo model's reception step).
FEES_MARK = "x-fees"


@dataclass(frozen=True)
class FeeEntry:
    """What the officer recorded for one fee code of the dossier."""

    code: str
    state: str
    amount: int | None = None
    method: str = ""
    payer: str = ""
    receipt_no: str = ""
    reason: str = ""


@dataclass(frozen=True)
class FeeLine:
    """One fee of a dossier, as its pages and slip 01 show it."""

    code: str
    name: str
    amount: int
    state: str
    method: str | None
    payer: str | None
    paid_at: datetime | None
    receipt_no: str | None
    exemption_reason: str | None

    @property
    def settled(self) -> bool:
        """Paid or exempt: nothing more to collect."""
        return self.state in ("paid", "exempt")


def records_fees(form: dict[str, Any] | None) -> bool:
    """Whether a step's form records the dossier's fees (carries the `x-fees` mark)."""
    return bool((form or {}).get(FEES_MARK))


def open_fees(session: Session, dossier: Dossier, procedure: Procedure) -> int:
    """One row per active fee code of the procedure, at the catalog's amount: to be paid on the
    portal for an online dossier, not yet settled for one received at the counter. Returns
    their total in VND (what `fees.amount_due` sums for the procedure)."""
    codes = fees.codes_of(procedure)
    if not codes:
        return 0
    catalog = {
        f.code: f
        for f in session.scalars(select(Fee).where(Fee.code.in_(codes), Fee.active.is_(True)))
    }
    state = "online" if dossier.channel == "online" else "due"
    for code in codes:
        if code in catalog:
            session.add(
                DossierFee(
                    dossier_id=dossier.id,
                    agency_id=dossier.agency_id,
                    fee_code=code,
                    name=catalog[code].name,
                    amount=catalog[code].amount,
                    state=state,
                )
            )
    return sum(catalog[code].amount for code in codes if code in catalog)


def lines(session: Session, dossier_id: int) -> list[FeeLine]:
    """The dossier's fees in the procedure's order."""
    return [
        FeeLine(
            r.fee_code,
            r.name,
            r.amount,
            r.state,
            r.method,
            r.payer,
            r.paid_at,
            r.receipt_no,
            r.exemption_reason,
        )
        for r in session.scalars(
            select(DossierFee).where(DossierFee.dossier_id == dossier_id).order_by(DossierFee.id)
        )
    ]


def record(
    session: Session,
    dossier_id: int,
    entries: Mapping[str, FeeEntry],
    actor: Actor,
    now: datetime | None = None,
) -> None:
    """Settle the dossier's fees as the officer recorded them at reception; a fee without an
    entry keeps its state. Each entry is checked (a code of this dossier and not paid yet, an
    amount within bounds, a receipt for a payment that no other dossier of the agency used, a
    reason for an exemption). Raises InvalidInput naming each field (`fee-<code>-<part>`)."""
    rows = {
        r.fee_code: r
        for r in session.scalars(select(DossierFee).where(DossierFee.dossier_id == dossier_id))
    }
    errors: dict[str, str] = {}
    for code in entries:
        if code not in rows:
            errors[f"fee-{code}"] = _("Mã phí %(code)s không thuộc thủ tục của hồ sơ", code=code)
        elif rows[code].state == "paid":
            errors[f"fee-{code}"] = _("Phí %(code)s đã được nộp, không sửa được", code=code)
    for code, entry in entries.items():
        if code in rows and rows[code].state != "paid":
            errors.update(_check(entry))
    owner, agency_id = session.execute(
        select(Dossier.owner_name, Dossier.agency_id).where(Dossier.id == dossier_id)
    ).one()
    errors.update(_receipts_reused(session, dossier_id, agency_id, rows, entries))
    errors.update(_online_without_account(session, agency_id, rows, entries))
    if errors:
        raise InvalidInput(_l("Thông tin phí, lệ phí chưa hợp lệ"), fields=errors)
    now = now or utcnow()
    for code, entry in entries.items():
        # collected for the agency that holds the dossier now (it may have been transferred)
        rows[code].agency_id = agency_id
        _apply(rows[code], entry, owner, actor, now)
    audit.record(
        session,
        "fees_recorded",
        actor,
        dossier_id=dossier_id,
        fees=[
            {"code": c, "state": e.state, "amount": rows[c].amount, "receipt_no": e.receipt_no}
            for c, e in entries.items()
        ],
    )


def _check(entry: FeeEntry) -> dict[str, str]:
    """What is wrong with one entry, by field."""
    key, errors = f"fee-{entry.code}", {}
    if entry.state not in COUNTER_STATES:
        return {f"{key}-state": _("Chọn: chưa thu, đã nộp, miễn hoặc nộp trực tuyến")}
    if entry.amount is None or not 0 < entry.amount <= MAX_AMOUNT:
        errors[f"{key}-amount"] = _("Số tiền: số đồng, lớn hơn 0 và không quá 1 tỷ")
    if entry.state == "paid":
        if entry.method not in COUNTER_METHODS:
            errors[f"{key}-method"] = _("Chọn hình thức nộp: tiền mặt, chuyển khoản hoặc thẻ")
        if not RECEIPT.match(entry.receipt_no):
            errors[f"{key}-receipt"] = _(
                "Số biên lai: bắt buộc, chữ, số và . / - (tối đa 64 ký tự)"
            )
        if len(entry.payer) > 255:
            errors[f"{key}-payer"] = _("Người nộp: tối đa 255 ký tự")
    if entry.state in ("exempt", "due"):
        errors.pop(f"{key}-amount", None)  # keeps the amount opened from the catalog
    if entry.state == "exempt" and not 5 <= len(entry.reason) <= 1000:
        errors[f"{key}-reason"] = _("Lý do miễn: bắt buộc, 5–1000 ký tự")
    return errors


def _online_without_account(
    session: Session,
    agency_id: int,
    rows: Mapping[str, DossierFee],
    entries: Mapping[str, FeeEntry],
) -> dict[str, str]:
    """A fee left to pay online needs the treasury account the platform books it to
    (003 §II.1.b); without one the citizen could never pay it."""
    online = [c for c, e in entries.items() if e.state == "online" and c in rows]
    if not online:
        return {}
    account = session.scalar(select(Agency.treasury_account).where(Agency.id == agency_id))
    if (account or "").strip():
        return {}
    return {
        f"fee-{c}-state": _(
            "Cơ quan chưa khai báo tài khoản kho bạc nhận phí, lệ phí: không thu trực tuyến được"
        )
        for c in online
    }


def _receipts_reused(
    session: Session,
    dossier_id: int,
    agency_id: int,
    rows: Mapping[str, DossierFee],
    entries: Mapping[str, FeeEntry],
) -> dict[str, str]:
    """A receipt number already recorded on another dossier of the same agency is refused:
    one receipt is one collection (several fees of this dossier may share it)."""
    paid = {c: e.receipt_no for c, e in entries.items() if e.state == "paid" and c in rows}
    if not paid:
        return {}
    used = dict(
        session.execute(
            select(DossierFee.receipt_no, Dossier.code)
            .join(Dossier, Dossier.id == DossierFee.dossier_id)
            .where(
                DossierFee.agency_id == agency_id,
                DossierFee.dossier_id != dossier_id,
                DossierFee.receipt_no.in_(set(paid.values())),
            )
        ).all()
    )
    return {
        f"fee-{code}-receipt": _(
            "Biên lai %(receipt)s đã dùng cho hồ sơ %(code)s", receipt=number, code=used[number]
        )
        for code, number in paid.items()
        if number in used
    }


def _apply(row: DossierFee, entry: FeeEntry, owner: str, actor: Actor, now: datetime) -> None:
    row.state, row.recorded_by_id, row.updated_at = entry.state, actor.id, now
    if entry.state in ("paid", "online"):
        row.amount = int(entry.amount or 0)
    paid = entry.state == "paid"
    row.method = entry.method if paid else ("online" if entry.state == "online" else None)
    row.payer = (entry.payer or owner) if paid else None
    row.paid_at = now if paid else None
    row.receipt_no = entry.receipt_no if paid else None
    row.exemption_reason = entry.reason if entry.state == "exempt" else None


def mark_paid_online(
    session: Session,
    dossier_id: int,
    *,
    transaction_id: str,
    receipt_no: str,
    payer: str,
    paid_at: datetime,
    codes: list[str] | None = None,
) -> list[str]:
    """Mark the dossier's fees waiting for an online payment as paid by the platform's
    transaction (all of them, or `codes`); returns the codes marked."""
    marked = []
    agency_id = session.scalar(select(Dossier.agency_id).where(Dossier.id == dossier_id))
    for row in session.scalars(
        select(DossierFee).where(DossierFee.dossier_id == dossier_id, DossierFee.state == "online")
    ):
        if codes is None or row.fee_code in codes:
            row.state, row.method, row.payer = "paid", "online", payer
            row.paid_at, row.transaction_id = paid_at, transaction_id
            row.receipt_no, row.updated_at = receipt_no, utcnow()
            row.agency_id = agency_id or row.agency_id
            marked.append(row.fee_code)
    return marked


# What the counter records after reception: a fee left due, now paid or exempted.
LATER_STATES = ("paid", "exempt")


def collect_later(code: str, entries: Mapping[str, FeeEntry], actor: Actor) -> None:
    """Record fees left due at reception as paid (with a receipt) or exempt (with a reason),
    e.g. when the result is returned; the portal gets the record again (003 §II.1.b). Only the
    counter of the dossier's agency (or of the counter that received it, C1) may."""
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        if dossier is None or not visibility.may_view(session, dossier, actor):
            raise NotFound(_l("Không tìm thấy hồ sơ %(code)s", code=code))
        if (
            actor.acting_agency(("reception",), dossier.agency_id, dossier.receiving_agency_id)
            is None
        ):
            raise Forbidden(_l("Chỉ cán bộ một cửa của cơ quan thu phí, lệ phí của hồ sơ"))
        due = set(
            session.scalars(
                select(DossierFee.fee_code).where(
                    DossierFee.dossier_id == dossier.id, DossierFee.state == "due"
                )
            )
        )
        errors = {
            f"fee-{c}-state": _("Chỉ ghi nhận khoản chưa thu: đã nộp hoặc miễn")
            for c, e in entries.items()
            if c in due and e.state not in LATER_STATES
        }
        errors |= {
            f"fee-{c}": _("Phí %(code)s không còn chờ thu", code=c) for c in entries if c not in due
        }
        if not entries:
            errors["fees"] = _("Không có khoản phí nào để ghi nhận")
        if errors:
            raise InvalidInput(_l("Thông tin phí, lệ phí chưa hợp lệ"), fields=errors)
        record(session, dossier.id, entries, actor)
        portal_sync.resync_status(session, runtime.dossier_ref(dossier))

"""Fees collected in a period, per agency and fee code (thống kê phí, lệ phí đã thu).

Letter 4725/VPCP-KSTT (003 §II.1.b) names fees booked late or not at all; this report lets a
supervisor reconcile what the counters and the payment platform collected, per fee code of
Decision 4663/QĐ-KBNN and per collecting agency: fees paid in [start, end) (Vietnam dates) by
the day they were paid, at the counter and online, and fees exempted in the period.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from app.models import Agency, DossierFee
from app.services.core.actors import Actor
from app.services.deadlines.statistics import csv_bytes, fill_sheet, period_bounds
from app.services.deadlines.supervision import scope
from app.storage.db import db


@dataclass(frozen=True)
class FeeRow:
    agency_code: str
    agency_name: str
    fee_code: str
    fee_name: str
    paid: int
    collected: int
    collected_at_counter: int
    collected_online: int
    exempt: int
    exempt_amount: int


HEADERS_VI = [
    "Mã cơ quan",
    "Cơ quan thu",
    "Mã phí, lệ phí",
    "Tên phí, lệ phí",
    "Số khoản đã thu",
    "Tổng đã thu (đồng)",
    "Thu tại bộ phận một cửa (đồng)",
    "Thu trực tuyến (đồng)",
    "Số khoản miễn",
    "Số tiền được miễn (đồng)",
]


def report(actor: Actor, start: date, end: date) -> tuple[list[FeeRow], FeeRow]:
    """Rows per agency and fee code, and the total, for the supervised agencies."""
    lo, hi = period_bounds(start, end)
    f = DossierFee
    paid = and_(f.state == "paid", f.paid_at >= lo, f.paid_at < hi)
    exempt = and_(f.state == "exempt", f.updated_at >= lo, f.updated_at < hi)

    def total(condition: Any, value: Any = 1) -> Any:
        return func.sum(case((condition, value), else_=0))

    with db.transaction() as session:
        agencies = scope(session, actor)
        rows = session.execute(
            select(
                Agency.code,
                Agency.name,
                f.fee_code,
                func.max(f.name),
                total(paid),
                total(paid, f.amount),
                total(and_(paid, f.method != "online"), f.amount),
                total(and_(paid, f.method == "online"), f.amount),
                total(exempt),
                total(exempt, f.amount),
            )
            .join(Agency, Agency.id == f.agency_id)
            .where(f.agency_id.in_(agencies), or_(paid, exempt))
            .group_by(Agency.code, Agency.name, f.fee_code)
            .order_by(Agency.code, f.fee_code)
        ).all()
    result = [FeeRow(a, n, c, fn, *(int(v or 0) for v in rest)) for a, n, c, fn, *rest in rows]
    sums = (sum(getattr(r, x.name) for r in result) for x in fields(FeeRow)[4:])
    return result, FeeRow("", "Tổng cộng", "", "", *sums)


def _table(rows: list[FeeRow], total: FeeRow) -> list[list[object]]:
    return [HEADERS_VI, *(list(astuple(r)) for r in rows), list(astuple(total))]


def to_csv(rows: list[FeeRow], total: FeeRow) -> bytes:
    """Export the fees collected as CSV."""
    return csv_bytes(_table(rows, total))


def add_sheet(book: Any, rows: list[FeeRow], total: FeeRow, start: date, end: date) -> None:
    """Add the fees collected to an Excel workbook as its own sheet."""
    heading = f"Phí, lệ phí đã thu từ {start:%d/%m/%Y} đến trước {end:%d/%m/%Y}"
    fill_sheet(book.create_sheet("Phí, lệ phí"), heading, _table(rows, total), {"B": 40, "D": 40})

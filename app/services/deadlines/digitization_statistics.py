"""Digitization per unit and period (báo cáo số hoá theo đơn vị, 001 §I.2.b(15)).

For each supervised agency, in [start, end) (Vietnam dates): the documents newly digitized
there (scans stored in the period) with their paper pages and the on-demand digitization fees
charged, and the components reused instead of digitized again (attached in the period to the
agency's dossiers), by where they came from: this system's warehouse, the portal's Kho DL or a
national database (001 §II.1 Bước 3).
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select

from app.models import Agency, Document, Dossier, DossierComponent
from app.services.core.actors import Actor
from app.services.deadlines.statistics import csv_bytes, fill_sheet, period_bounds
from app.services.deadlines.supervision import scope
from app.storage.db import db


@dataclass(frozen=True)
class DigitizationRow:
    agency_code: str
    agency_name: str
    documents: int  # digitized + reused
    digitized: int
    pages: int
    reused: int
    reused_own: int
    reused_portal: int
    reused_national: int
    fee_documents: int
    fees: int  # VND


HEADERS_VI = [
    "Mã cơ quan",
    "Cơ quan, đơn vị",
    "Tổng số giấy tờ",
    "Số hoá mới",
    "Số trang số hoá",
    "Tái sử dụng",
    "Từ kho dữ liệu của hệ thống",
    "Từ Kho DL trên Cổng DVCQG",
    "Từ cơ sở dữ liệu quốc gia",
    "Số giấy tờ thu phí số hoá",
    "Phí số hoá (đồng)",
]


def _sum(condition: Any, value: Any = 1) -> Any:
    return func.sum(case((condition, value), else_=0))


def report(actor: Actor, start: date, end: date) -> tuple[list[DigitizationRow], DigitizationRow]:
    """Rows per supervised agency with any digitization or reuse in the period, and the total."""
    lo, hi = period_bounds(start, end)
    with db.transaction() as session:
        agencies = scope(session, actor)
        stored = and_(
            Document.source == "scan",
            Document.state == "stored",
            Document.stored_at >= lo,
            Document.stored_at < hi,
            Document.agency_id.in_(agencies),
        )
        scanned = {
            agency_id: (int(n or 0), int(pages or 0), int(charged or 0), int(fees or 0))
            for agency_id, n, pages, charged, fees in session.execute(
                select(
                    Document.agency_id,
                    func.count(),
                    func.sum(Document.pages),
                    _sum(Document.fee_amount > 0),
                    func.sum(func.coalesce(Document.fee_amount, 0)),
                )
                .where(stored)
                .group_by(Document.agency_id)
            )
        }
        c = DossierComponent
        reused = {
            agency_id: (int(own or 0), int(portal or 0), int(national or 0))
            for agency_id, own, portal, national in session.execute(
                select(
                    Dossier.agency_id,
                    _sum(c.source == "own"),
                    _sum(c.source == "portal"),
                    _sum(c.source == "national"),
                )
                .join(Dossier, Dossier.id == c.dossier_id)
                .where(c.created_at >= lo, c.created_at < hi, Dossier.agency_id.in_(agencies))
                .group_by(Dossier.agency_id)
            )
        }
        names = {
            a.id: (a.code, a.name)
            for a in session.scalars(
                select(Agency).where(Agency.id.in_(set(scanned) | set(reused)))
            )
        }
    rows = []
    for agency_id, (code, name) in sorted(names.items(), key=lambda item: item[1][0]):
        n, pages, charged, fees = scanned.get(agency_id, (0, 0, 0, 0))
        own, portal, national = reused.get(agency_id, (0, 0, 0))
        again = own + portal + national
        rows.append(
            DigitizationRow(
                code, name, n + again, n, pages, again, own, portal, national, charged, fees
            )
        )
    sums = (sum(getattr(r, f.name) for r in rows) for f in fields(DigitizationRow)[2:])
    return rows, DigitizationRow("", "Tổng cộng", *sums)


def _table(rows: list[DigitizationRow], total: DigitizationRow) -> list[list[object]]:
    return [HEADERS_VI, *(list(astuple(r)) for r in rows), list(astuple(total))]


def to_csv(rows: list[DigitizationRow], total: DigitizationRow) -> bytes:
    """Export the digitization report as CSV (UTF-8 with a BOM for Excel)."""
    return csv_bytes(_table(rows, total))


def add_sheet(
    book: Any, rows: list[DigitizationRow], total: DigitizationRow, start: date, end: date
) -> None:
    """Add the digitization report to an Excel workbook as its own sheet."""
    heading = f"Số hoá giấy tờ từ {start:%d/%m/%Y} đến trước {end:%d/%m/%Y}"
    fill_sheet(book.create_sheet("Số hoá"), heading, _table(rows, total), {"B": 40})

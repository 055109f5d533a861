"""Documents past their retention period (giấy tờ quá thời hạn lưu trữ, 001 §II.1).

A document type's retention period is set in the catalogue (years, or permanent). This report
lists the stored documents of the supervised agencies whose period has run out, counted from
the day each was stored, so that someone decides what to do with them: nothing here deletes or
changes a document.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from datetime import date, datetime, time

from sqlalchemy import and_, func, or_, select

from app.domain.document_metadata import local_today
from app.domain.status import VN_TZ
from app.models import Agency, Document, DocumentType, Dossier
from app.services.core.actors import Actor
from app.services.deadlines.statistics import csv_bytes
from app.services.deadlines.supervision import scope
from app.storage.db import db

MAX_ROWS = 1000


@dataclass(frozen=True)
class PastRetention:
    storage_key: str
    type_code: str
    type_name: str
    owner_name: str
    dossier_code: str
    agency_name: str
    stored_on: date
    retention_years: int
    expired_on: date


HEADERS_VI = [
    "Mã lưu trữ",
    "Mã loại giấy tờ",
    "Loại giấy tờ",
    "Chủ sở hữu",
    "Mã hồ sơ",
    "Cơ quan lưu",
    "Ngày lưu",
    "Thời hạn lưu trữ (năm)",
    "Hết hạn ngày",
]


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def past_retention(actor: Actor, today: date | None = None) -> tuple[list[PastRetention], int]:
    """The supervised agencies' stored documents past their type's retention period (first
    MAX_ROWS, oldest first) and how many there are in all; nothing is deleted."""
    today = today or local_today()
    with db.transaction() as session:
        agencies = scope(session, actor)
        periods = session.scalars(
            select(DocumentType.retention_years)
            .where(DocumentType.retention_years.is_not(None), ~DocumentType.retention_permanent)
            .distinct()
        ).all()
        if not periods:
            return [], 0
        # stored before the day its period ran out: stored on D, kept until D + years
        expired = or_(
            *(
                and_(
                    DocumentType.retention_years == years,
                    Document.stored_at
                    < datetime.combine(years_before(today, years), time.min, VN_TZ),
                )
                for years in periods
            )
        )
        where = (
            Document.state == "stored",
            Document.agency_id.in_(agencies),
            ~DocumentType.retention_permanent,
            expired,
        )
        joined = (
            select(Document, DocumentType, Agency.name, Dossier.code)
            .join(DocumentType, DocumentType.code == Document.type_code)
            .join(Agency, Agency.id == Document.agency_id)
            .outerjoin(Dossier, Dossier.id == Document.dossier_id)
        )
        count = session.scalar(
            select(func.count())
            .select_from(Document)
            .join(DocumentType, DocumentType.code == Document.type_code)
            .where(*where)
        )
        rows = session.execute(
            joined.where(*where).order_by(Document.stored_at, Document.id).limit(MAX_ROWS)
        ).all()
        listed = []
        for document, doc_type, agency_name, dossier_code in rows:
            stored_on = document.stored_at.astimezone(VN_TZ).date()
            years = int(doc_type.retention_years)
            listed.append(
                PastRetention(
                    document.storage_key or "",
                    doc_type.code,
                    doc_type.name,
                    document.owner_name or "",
                    dossier_code or "",
                    agency_name,
                    stored_on,
                    years,
                    years_before(stored_on, -years),
                )
            )
    return listed, int(count or 0)


def to_csv(rows: list[PastRetention]) -> bytes:
    """Export the documents past their retention period as CSV (UTF-8 with a BOM)."""
    return csv_bytes([HEADERS_VI, *(list(astuple(r)) for r in rows)])

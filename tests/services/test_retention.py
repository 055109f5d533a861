"""A retention period per document type (thời hạn lưu trữ, 001 §II.1) and the report of
documents past it: listed for a decision, never deleted silently."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.domain.status import VN_TZ
from app.models import Document, DocumentType
from app.services.catalogs.commands import SaveDocumentType
from app.services.catalogs.document_type_catalog import save_document_type
from app.services.core.errors import Forbidden, InvalidInput
from app.services.deadlines import retention_report
from app.services.documents import drafts
from app.storage.db import db
from tests.documents.scans import numbered_pdf
from tests.services.helpers import receive
from tests.services.test_documents import CCCD, metadata, scan


def _retain(actors, years: int | None, permanent: bool = False) -> None:
    with db.transaction() as session:
        name = session.scalar(select(DocumentType.name).where(DocumentType.code == CCCD))
    save_document_type(
        SaveDocumentType(CCCD, name, retention_years=years, retention_permanent=permanent),
        actors["phantich"],
    )


@pytest.fixture
def stored_2020(actors, clock) -> int:
    officer = actors["tiepnhan"]
    clock.set(datetime(2020, 3, 10, 9, tzinfo=VN_TZ))
    document_id = scan(receive(officer), officer, numbered_pdf(1))
    drafts.confirm(document_id, metadata(), officer)
    return document_id


def test_001_II_1_a_document_past_its_types_retention_is_listed_and_kept(actors, stored_2020):
    _retain(actors, 5)
    rows, count = retention_report.past_retention(actors["giamsat"], date(2025, 3, 11))
    assert count == 1 and rows[0].expired_on == date(2025, 3, 10)
    assert rows[0].retention_years == 5 and rows[0].type_code == CCCD
    with db.transaction() as session:
        assert session.get(Document, stored_2020).state == "stored"  # nothing deleted


def test_a_document_is_not_listed_on_the_last_day_of_its_period(actors, stored_2020):
    _retain(actors, 5)
    assert retention_report.past_retention(actors["giamsat"], date(2025, 3, 10)) == ([], 0)


def test_permanent_or_undecided_retention_lists_nothing(actors, stored_2020):
    assert retention_report.past_retention(actors["giamsat"], date(2090, 1, 1)) == ([], 0)
    _retain(actors, None, permanent=True)
    assert retention_report.past_retention(actors["giamsat"], date(2090, 1, 1)) == ([], 0)


def test_only_a_supervisor_sees_the_retention_report(actors, stored_2020):
    with pytest.raises(Forbidden):
        retention_report.past_retention(actors["tiepnhan"], date(2090, 1, 1))


@pytest.mark.parametrize(("years", "permanent"), [(0, False), (101, False), (5, True)])
def test_a_retention_period_out_of_range_or_both_ways_is_refused(actors, years, permanent):
    with pytest.raises(InvalidInput) as refused:
        _retain(actors, years, permanent)
    assert set(refused.value.fields) == {"retention_years"}


def test_the_catalogue_keeps_the_retention_period(actors):
    _retain(actors, 20)
    with db.transaction() as session:
        row = session.scalar(select(DocumentType).where(DocumentType.code == CCCD))
        assert (row.retention_years, row.retention_permanent) == (20, False)


def test_a_leap_day_ends_its_period_on_the_28th():
    assert retention_report.years_before(date(2024, 2, 29), 1) == date(2023, 2, 28)

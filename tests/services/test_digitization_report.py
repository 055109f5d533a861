"""The digitization report per unit and period (001 §I.2.b(15)): documents newly digitized and
their pages, components reused instead (by source), on-demand fees; the same in CSV and XLSX."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from app.domain.documents import on_demand_fee
from app.domain.status import VN_TZ
from app.models import Dossier, DossierComponent
from app.services.core.errors import Forbidden
from app.services.deadlines import digitization_statistics as report
from app.services.documents import drafts
from app.storage.db import db
from tests.documents.scans import numbered_pdf
from tests.services.helpers import receive
from tests.services.test_documents import metadata, scan

NOV = (date(2026, 11, 1), date(2026, 12, 1))


def _reuse(code: str, *sources: str) -> None:
    with db.transaction() as session:
        dossier_id = session.scalar(select(Dossier.id).where(Dossier.code == code))
        for n, source in enumerate(sources):
            session.add(
                DossierComponent(
                    dossier_id=dossier_id,
                    type_code="CCCD",
                    name="Thẻ căn cước công dân",
                    source=source,
                    ref=f"R-{n}",
                )
            )


@pytest.fixture
def november(actors, clock) -> str:
    officer = actors["tiepnhan"]
    clock.set(datetime(2026, 10, 30, 9, tzinfo=VN_TZ))
    october = receive(officer)
    drafts.confirm(scan(october, officer, numbered_pdf(1)), metadata(), officer)  # not counted
    clock.set(datetime(2026, 11, 10, 9, tzinfo=VN_TZ))
    code = receive(officer)
    drafts.confirm(scan(code, officer, numbered_pdf(1)), metadata(), officer)
    drafts.confirm(
        scan(code, officer, numbered_pdf(3), pages=2, rescans="3", classification="on_demand"),
        metadata(),
        officer,
    )
    scan(code, officer, numbered_pdf(1))  # a draft never confirmed is not counted
    _reuse(code, "own", "portal", "portal", "national")
    return code


def test_001_I_2_b_15_digitization_counts_documents_pages_reuse_and_fees_per_unit(actors, november):
    rows, total = report.report(actors["giamsat"], *NOV)
    assert len(rows) == 1
    row = rows[0]
    assert (row.digitized, row.pages) == (2, 3)  # the rescan is not a page
    assert (row.reused, row.reused_own, row.reused_portal, row.reused_national) == (4, 1, 2, 1)
    assert row.documents == 6 and row.fee_documents == 1
    assert row.fees == on_demand_fee(2)  # charged for the paper pages, not the rescan
    assert (total.documents, total.fees, total.agency_name) == (6, row.fees, "Tổng cộng")


def test_a_period_before_anything_was_digitized_is_empty(actors, november):
    rows, total = report.report(actors["giamsat"], date(2026, 9, 1), date(2026, 10, 1))
    assert rows == [] and total.documents == 0


def test_only_a_supervisor_sees_the_digitization_report(actors, november):
    with pytest.raises(Forbidden):
        report.report(actors["tiepnhan"], *NOV)


def test_the_csv_and_the_sheet_carry_the_same_rows_and_total(actors, november):
    rows, total = report.report(actors["giamsat"], *NOV)
    table = list(csv.reader(io.StringIO(report.to_csv(rows, total).decode("utf-8-sig"))))
    assert table[0] == report.HEADERS_VI
    assert table[-1][1] == "Tổng cộng" and table[-1][2] == "6" and table[-1][4] == "3"
    book = Workbook()
    report.add_sheet(book, rows, total, *NOV)
    sheet = book["Số hoá"]
    assert sheet["A2"].value == "Mã cơ quan" and sheet.cell(sheet.max_row, 3).value == 6

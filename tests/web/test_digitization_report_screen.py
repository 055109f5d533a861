"""The supervisor's statistics page shows the digitization report per unit (001 §I.2.b(15))
with its own CSV export, and the XLSX workbook carries it as a sheet."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.services.test_digitization_report import november  # noqa: F401 (fixture)
from tests.web.helpers import login

PERIOD = "start=2026-11-01&end=2026-12-01"


def test_the_statistics_page_lists_digitization_per_unit_with_csv_and_xlsx(client, november):  # noqa: F811
    login(client, "giamsat")
    html = client.get(f"/supervisor/statistics?{PERIOD}").get_data(as_text=True)
    section = html.split('id="digitization-statistics"', 1)[1]
    assert "Số hoá giấy tờ theo đơn vị" in section and "table=digitization" in section
    exported = client.get(f"/supervisor/statistics?{PERIOD}&format=csv&table=digitization")
    assert exported.status_code == 200 and "so-hoa-" in exported.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0][2] == "Tổng số giấy tờ" and table[-1][2] == "6"
    workbook = client.get(f"/supervisor/statistics?{PERIOD}&format=xlsx")
    assert "Số hoá" in load_workbook(io.BytesIO(workbook.data)).sheetnames


def test_an_officer_cannot_export_the_digitization_report(client, november):  # noqa: F811
    login(client, "tiepnhan")
    response = client.get(f"/supervisor/statistics?{PERIOD}&format=csv&table=digitization")
    assert response.status_code == 403

"""The retention period in the document-type catalogue and the supervisor's list of documents
past it (001 §II.1), with hostile values refused on their field."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from app.domain.status import VN_TZ
from app.services.documents import drafts
from tests.documents.scans import numbered_pdf
from tests.services.helpers import receive
from tests.services.test_documents import CCCD, metadata, scan
from tests.web.helpers import login, post

TYPE = {"code": "KQ.G04.000070", "name": "Giấy phép xây dựng", "active": "on"}


def test_the_catalogue_saves_and_shows_a_retention_period(client, actors):
    login(client, "phantich")
    saved = post(client, "/catalogs/document-types", {**TYPE, "retention_years": "20"})
    assert saved.status_code == 302
    html = client.get("/catalogs/document-types").get_data(as_text=True)
    row = html.split('data-code="KQ.G04.000070"', 1)[1].split("</tr>", 1)[0]
    assert "20 năm" in row


def test_a_permanent_retention_is_shown_as_such(client, actors):
    login(client, "phantich")
    post(client, "/catalogs/document-types", {**TYPE, "retention_permanent": "on"})
    html = client.get("/catalogs/document-types").get_data(as_text=True)
    assert "Vĩnh viễn" in html.split('data-code="KQ.G04.000070"', 1)[1].split("</tr>", 1)[0]


@pytest.mark.parametrize(
    "extra",
    [
        {"retention_years": "-1"},
        {"retention_years": "abc"},
        {"retention_years": "0"},
        {"retention_years": "1e3"},
        {"retention_years": "٥"},
        {"retention_years": "9" * 5000},
        {"retention_years": "5", "retention_permanent": "on"},
        {"retention_permanent": "yes please"},
    ],
)
def test_a_wrong_retention_is_refused_with_a_message_not_a_500(client, actors, extra):
    login(client, "phantich")
    response = post(client, "/catalogs/document-types", {**TYPE, **extra})
    assert response.status_code == 422


def test_the_supervisor_lists_and_exports_documents_past_retention(client, actors, clock):
    officer = actors["tiepnhan"]
    clock.set(datetime(2015, 1, 5, 9, tzinfo=VN_TZ))
    drafts.confirm(scan(receive(officer), officer, numbered_pdf(1)), metadata(), officer)
    clock.set(datetime(2026, 11, 20, 9, tzinfo=VN_TZ))
    login(client, "phantich")
    name = "Thẻ căn cước công dân"
    post(client, "/catalogs/document-types", {"code": CCCD, "name": name, "retention_years": "10"})
    login(client, "giamsat")
    html = client.get("/supervisor/retention").get_data(as_text=True)
    assert 'id="past-retention"' in html and "05/01/2025" in html
    exported = client.get("/supervisor/retention?format=csv").get_data(as_text=True)
    table = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    assert table[0][0] == "Mã lưu trữ" and len(table) == 2 and table[1][1] == CCCD

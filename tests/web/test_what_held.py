"""Attacks that the system already withstood (issue 13, "What held"), kept as rules so they
stay withstood: cross-agency access, markup and SQL in input, zip bombs (docs/SECURITY.md)."""

from __future__ import annotations

import io
import zipfile

import pytest

from app.services.core import queue
from app.services.core.errors import InvalidInput
from app.services.process_models import models_repo
from tests.web.helpers import login, logout, receive_at_counter

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def listed(client, q: str | None = None) -> str:
    """The rows of the dossier list (not the search box nor a flash message)."""
    response = client.get("/dossiers", query_string={"q": q} if q is not None else {})
    assert response.status_code == 200
    return response.get_data(as_text=True).split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def test_an_officer_of_another_agency_gets_not_found_for_a_dossier(client):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    assert client.get(f"/dossiers/{code}").status_code == 200
    logout(client)
    login(client, "tiepnhanyt")
    assert client.get(f"/dossiers/{code}").status_code == 404
    assert code not in listed(client, code)


def test_markup_in_a_name_is_shown_as_text_not_run(client):
    login(client, "tiepnhan")
    code = receive_at_counter(client, owner_name=f"Nguyễn {SCRIPT}")
    page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("q", ["' OR 1=1 --", "%' OR '1'='1", "x'); DROP TABLE dossier; --"])
def test_sql_in_the_search_box_is_a_search_for_that_text(client, q):
    login(client, "tiepnhan")
    code = receive_at_counter(client)
    assert code not in listed(client, q)
    assert code in listed(client)  # the table is still there


def test_a_zip_bomb_is_refused_before_it_is_inflated(actors):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("m.bpmn", b"\0" * (models_repo.MAX_TOTAL_BYTES + 1))
    assert len(buffer.getvalue()) < 100_000  # small on the wire, large unpacked
    with pytest.raises(InvalidInput, match="quá lớn"):
        models_repo.import_zip(buffer.getvalue(), "p", "", actors["phantich"])


def test_a_zip_with_too_many_members_is_refused(actors):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(models_repo.MAX_FILES + 1):
            archive.writestr(f"f{n}.json", "{}")
    with pytest.raises(InvalidInput, match="Quá nhiều tệp"):
        models_repo.import_zip(buffer.getvalue(), "p", "", actors["phantich"])

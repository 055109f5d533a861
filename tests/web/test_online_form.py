"""The citizen's online submission form is read by the web layer into the service's command:
the e-only box is a check box, each field is sent once; a wrong shape is a located 422 and
registers nothing."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app.models import Dossier
from app.services.accounts import sessions
from app.services.citizens import portal_sign_in
from app.storage.db import db
from app.web import server_session
from tests.documents.scans import numbered_pdf
from tests.web.helpers import TOKEN

AN = "001090012345"
SUBMIT = "/citizen/submit/2.000488"


@pytest.fixture
def citizen(client):  # noqa: ANN201
    signed = portal_sign_in.sign_in({"sub": "VN-000001", "identifier": AN, "name": "Nguyễn Văn An"})
    with client.session_transaction() as session:
        session["citizen_id"] = signed.id
        session[server_session.CITIZEN] = sessions.start_for_citizen(signed.id)
    return client


def _dossiers() -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Dossier))


def _form(client, **fields) -> list[tuple[str, object]]:  # noqa: ANN001
    """A complete submission: a PDF for every component offered, plus `fields`."""
    page = client.get(SUBMIT).get_data(as_text=True)
    types = re.findall(r'name="file_([^"]+)"', page)
    assert types, "the submission page offers an upload per component"
    pairs: list[tuple[str, object]] = [("csrf_token", TOKEN.search(page).group(1))]
    pairs += [(f"file_{t}", (io.BytesIO(numbered_pdf(1)), f"{t}.pdf")) for t in types]
    return pairs + [(k, v) for k, v in fields.items()]


def _post(client, pairs):  # noqa: ANN001, ANN202
    return client.post(SUBMIT, data=MultiDict(pairs), content_type="multipart/form-data")


def test_a_ticked_e_only_box_reaches_the_dossier(citizen):
    sent = _post(citizen, _form(citizen, e_only="on", summary="Cấp phiếu"))
    assert sent.status_code == 302, sent.get_data(as_text=True)[:800]
    code = sent.headers["Location"].rsplit("/", 1)[-1]
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        assert dossier.data["e_only"] is True and dossier.channel == "online"


@pytest.mark.parametrize("value", ["yes", "checked", "on " * 1000])
def test_an_e_only_box_with_a_value_no_browser_sends_is_refused(citizen, value):
    before = _dossiers()
    answer = _post(citizen, _form(citizen, e_only=value))
    assert answer.status_code == 422
    assert "e_only: " in answer.get_data(as_text=True)
    assert _dossiers() == before


def test_a_field_sent_twice_is_refused(citizen):
    before = _dossiers()
    pairs = _form(citizen, summary="Cấp phiếu") + [("summary", "Một nội dung khác")]
    answer = _post(citizen, pairs)
    assert answer.status_code == 422
    assert "summary: " in answer.get_data(as_text=True)
    assert _dossiers() == before

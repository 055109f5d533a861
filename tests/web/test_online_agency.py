"""Choosing the performing agency online (002 §4.a Bước 1, §5.a Bước 1: "lựa chọn dịch vụ
công, cơ quan thực hiện phù hợp"): the submission screen lists the agencies that perform the
procedure, the citizen's commune first; the dossier belongs to the one chosen and its steps go
to that agency's officers, as if received at its counter. Hostile posts are refused with a
message and register nothing."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app.models import Agency, Dossier
from app.services.accounts import sessions
from app.services.citizens import portal_sign_in
from app.services.dossiers import inbox
from app.storage.db import db
from app.web import server_session
from tests.documents.scans import numbered_pdf
from tests.web.helpers import TOKEN

AN = "001090012345"
COMMUNE, SO, CENTRE, TRANSPORT = "000.21.33.H31", "000.00.12.H31", "000.00.01.H31", "000.00.11.H31"
POLICE = "000.00.07.H31"
COPY, LICENCE = "1.005092", "1.002809"


def _sign_in(client, address: str | None):  # noqa: ANN001, ANN202
    claims = {"sub": "VN-000001", "identifier": AN, "name": "Nguyễn Văn An"}
    signed = portal_sign_in.sign_in(claims | ({"address": address} if address else {}))
    with client.session_transaction() as session:
        session["citizen_id"] = signed.id
        session[server_session.CITIZEN] = sessions.start_for_citizen(signed.id)
    return client


@pytest.fixture
def citizen(client):  # noqa: ANN201
    """Nguyễn Văn An, living in xã Tân Hưng (the portal profile's permanent address)."""
    return _sign_in(client, "Thôn Đông, Xã Tân Hưng, tỉnh Hưng Yên")


def _dossiers() -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Dossier))


def _listed(page: str) -> list[str]:
    return re.findall(r'name="agency" value="([^"]+)"', page)


def _form(client, procedure: str, **fields) -> list[tuple[str, object]]:  # noqa: ANN001
    """A complete submission of `procedure` (a PDF per component) plus `fields`."""
    page = client.get(f"/citizen/submit/{procedure}").get_data(as_text=True)
    types = re.findall(r'name="file_([^"]+)"', page)
    pairs: list[tuple[str, object]] = [("csrf_token", TOKEN.search(page).group(1))]
    pairs += [(f"file_{t}", (io.BytesIO(numbered_pdf(1)), f"{t}.pdf")) for t in types]
    return pairs + [(k, v) for k, v in fields.items()]


def _post(client, procedure: str, pairs):  # noqa: ANN001, ANN202
    return client.post(
        f"/citizen/submit/{procedure}", data=MultiDict(pairs), content_type="multipart/form-data"
    )


def _owner_of(code: str) -> str:
    with db.transaction() as session:
        return session.scalar(select(Dossier).where(Dossier.code == code)).agency.code


def test_002_5a_buoc_1_the_screen_lists_the_performing_agencies_with_the_citizens_commune_first(
    citizen,
):
    page = citizen.get(f"/citizen/submit/{COPY}").get_data(as_text=True)
    assert _listed(page) == [COMMUNE, SO]
    assert "Nơi cư trú của bạn" in page and "UBND xã Tân Hưng" in page
    # nothing is pre-chosen when several agencies perform it: the citizen decides
    assert "checked" not in page[page.index('id="agency-choice"') : page.index("</fieldset>")]


def test_a_citizen_living_elsewhere_sees_the_competent_agency_first(client):
    page = _sign_in(client, "Số 12 Hàng Bài, Phường Hoàn Kiếm, Hà Nội")
    listed = _listed(page.get(f"/citizen/submit/{COPY}").get_data(as_text=True))
    assert listed == [SO, COMMUNE]


def test_a_procedure_with_one_agency_offers_it_chosen(citizen):
    page = citizen.get("/citizen/submit/2.000488").get_data(as_text=True)
    assert _listed(page) == [SO]
    assert re.search(r'name="agency" value="000.00.12.H31" required\s+checked', page)


def test_the_dossier_chosen_for_the_commune_belongs_to_it_and_waits_at_its_counter(citizen, actors):
    sent = _post(citizen, COPY, _form(citizen, COPY, agency=COMMUNE))
    assert sent.status_code == 302, sent.get_data(as_text=True)[:800]
    code = sent.headers["Location"].rsplit("/", 1)[-1]
    # numbered by the commune, owned by it: its model and steps as at its counter (path C2)
    assert code.startswith(COMMUNE + "-") and _owner_of(code) == COMMUNE
    assert code in {t.dossier_code for t in inbox.inbox(actors["xatanhung"]).pool}
    assert code not in {t.dossier_code for t in inbox.inbox(actors["tiepnhan"]).pool}


def test_the_licence_renewal_chosen_for_the_service_centre_goes_to_the_centre(citizen):
    page = citizen.get(f"/citizen/submit/{LICENCE}").get_data(as_text=True)
    assert set(_listed(page)) == {TRANSPORT, CENTRE}
    sent = _post(citizen, LICENCE, _form(citizen, LICENCE, agency=CENTRE))
    assert sent.status_code == 302, sent.get_data(as_text=True)[:800]
    code = sent.headers["Location"].rsplit("/", 1)[-1]
    assert code.startswith(CENTRE + "-") and _owner_of(code) == CENTRE


def test_several_agencies_and_none_chosen_is_refused_and_registers_nothing(citizen):
    before = _dossiers()
    answer = _post(citizen, COPY, _form(citizen, COPY))
    assert answer.status_code == 422
    assert "Thủ tục này do nhiều cơ quan thực hiện: chọn một cơ quan" in answer.get_data(
        as_text=True
    )
    assert _dossiers() == before


@pytest.mark.parametrize(
    "posted",
    [
        POLICE,  # an agency of the province that does not perform it
        TRANSPORT,  # performs another procedure
        "999.99.99.Z99",  # no such agency
        "<script>x</script>",
        "0" * 5000,
    ],
)
def test_an_agency_that_does_not_perform_the_procedure_is_refused(citizen, posted):
    before = _dossiers()
    answer = _post(citizen, COPY, _form(citizen, COPY, agency=posted))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "không thực hiện thủ tục này" in html and "<script>x" not in html
    assert _dossiers() == before


def test_an_agency_that_stopped_operating_is_refused_even_when_posted(citizen):
    with db.transaction() as session:
        session.scalar(select(Agency).where(Agency.code == COMMUNE)).active = False
    page = citizen.get(f"/citizen/submit/{COPY}").get_data(as_text=True)
    assert _listed(page) == [SO]
    before = _dossiers()
    answer = _post(citizen, COPY, _form(citizen, COPY, agency=COMMUNE))
    assert answer.status_code == 422
    assert "đã ngừng hoạt động" in answer.get_data(as_text=True)
    assert _dossiers() == before


def test_an_agency_sent_twice_is_refused(citizen):
    before = _dossiers()
    answer = _post(citizen, COPY, _form(citizen, COPY, agency=COMMUNE) + [("agency", SO)])
    assert answer.status_code == 422 and "agency: " in answer.get_data(as_text=True)
    assert _dossiers() == before

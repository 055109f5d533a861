"""The counter form's choices reach the dossier: the "electronic result only" box (001 §II.2.c
Bước 4) and a state agency as the owner (001 §II.1 Bước 2)."""

from __future__ import annotations

from sqlalchemy import select

from app.models import Dossier
from app.storage.db import db
from tests.web.helpers import login, post

FORM = {
    "procedure_code": "2.000488",
    "owner_id_type": "cccd",
    "owner_id": "001090012345",
    "owner_name": "Nguyễn Văn An",
}


def _stored(response) -> dict:
    assert response.status_code == 302, response.get_data(as_text=True)
    code = response.headers["Location"].rsplit("/", 1)[-1]
    with db.transaction() as session:
        return dict(session.scalar(select(Dossier).where(Dossier.code == code)).data)


def test_the_counter_form_offers_the_e_only_choice(client, actors):
    login(client, "tiepnhan")
    html = client.get("/counter/new").get_data(as_text=True)
    assert 'name="e_only"' in html and "Chỉ nhận kết quả điện tử" in html


def test_ticking_e_only_at_the_counter_stores_it_on_the_dossier(client, actors):
    login(client, "tiepnhan")
    assert _stored(post(client, "/counter/new", {**FORM, "e_only": "on"})).get("e_only") is True


def test_the_dossier_page_says_the_result_is_electronic_only(client, actors):
    login(client, "tiepnhan")
    response = post(client, "/counter/new", {**FORM, "e_only": "on"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="e-only"' in page and "Chỉ nhận kết quả điện tử" in page


def test_leaving_e_only_unticked_stores_no_choice(client, actors):
    login(client, "tiepnhan")
    assert "e_only" not in _stored(post(client, "/counter/new", FORM))


def test_the_counter_offers_a_state_agency_as_the_owner(client, actors):
    login(client, "tiepnhan")
    html = client.get("/counter/new").get_data(as_text=True)
    assert 'value="agency_code"' in html and "Mã định danh cơ quan nhà nước" in html


def test_a_state_agency_received_at_the_counter_is_owner_type_3(client, actors):
    login(client, "tiepnhan")
    form = {**FORM, "owner_id_type": "agency_code", "owner_id": "000.00.15.H31"}
    response = post(client, "/counter/new", {**form, "owner_name": "Trường THPT Hưng Yên"})
    code = response.headers["Location"].rsplit("/", 1)[-1]
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        assert (dossier.owner_type, dossier.owner_id) == (3, "000.00.15.H31")


def test_a_wrong_agency_code_is_refused_under_the_identifier_field_not_with_a_500(client, actors):
    login(client, "tiepnhan")
    form = {**FORM, "owner_id_type": "agency_code", "owner_id": "000.00.15.H31<script>"}
    response = post(client, "/counter/new", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "000.00.12.H31" in html.split('name="owner_id"', 1)[1].split("</div>", 1)[0]
    assert "<script>" not in html


def test_an_unknown_identifier_kind_is_refused_not_a_500(client, actors):
    login(client, "tiepnhan")
    response = post(client, "/counter/new", {**FORM, "owner_id_type": "ministry"})
    assert response.status_code == 422

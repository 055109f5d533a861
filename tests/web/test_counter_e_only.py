"""The counter form's "electronic result only" box reaches the dossier (001 §II.2.c Bước 4)."""

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


def test_leaving_e_only_unticked_stores_no_choice(client, actors):
    login(client, "tiepnhan")
    assert "e_only" not in _stored(post(client, "/counter/new", FORM))

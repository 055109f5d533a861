"""The citizen's dossier page while a supplement is asked: the deadline in the citizen's words,
every component with its state, the type list with the components first, and an empty
supplement refused with a message, on the web form and on the portal's API."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from app.models import Document
from app.storage.db import db
from tests.documents.scans import numbered_pdf
from tests.web.test_form_fields import (  # noqa: F401 - the `citizen` fixture
    ask_supplement,
    citizen,
    citizen_post,
    online,
    portal,
    snapshot,
)


def waiting_for_supplement(client, app, actors) -> str:
    code = online(actors)
    paid = {"amount": snapshot(code)["data"]["fee_amount"], "transaction_id": f"GD-{code}"}
    assert portal(client, app, f"/dossiers/{code}/payment", paid).status_code == 200
    ask_supplement(code, actors)
    assert snapshot(code)["status"] == 5
    return code


def test_the_page_shows_the_deadline_and_every_component(citizen, client, app, actors):  # noqa: F811
    code = waiting_for_supplement(client, app, actors)
    page = citizen.get(f"/citizen/dossiers/{code}").get_data(as_text=True)
    deadline = re.search(r'id="supplement-deadline">(.*?)</p>', page, re.S).group(1)
    assert re.search(r"Hạn bổ sung: \d\d/\d\d/\d{4}", deadline)
    assert re.search(r"còn \d+ ngày làm việc", deadline)
    for type_code in ("TK.LLTP.01", "KQ.G01.000023", "TK.UQ.01"):
        assert f'data-type="{type_code}"' in page
    assert page.count("Chưa có") == 2  # the two required components nobody sent yet


def test_an_empty_supplement_is_refused_on_the_web_form(citizen, client, app, actors):  # noqa: F811
    code = waiting_for_supplement(client, app, actors)
    for note in ("", "   ", "\u200b\u200b"):
        response = citizen_post(citizen, code, "supplement", {"note": note})
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and "Hồ sơ bổ sung đang trống" in page
    assert snapshot(code)["status"] == 5


def test_an_empty_supplement_is_refused_on_the_portal_api(client, app, actors):
    code = waiting_for_supplement(client, app, actors)
    for body in ({}, {"note": " "}, {"note": "", "documents": ["", "  "]}):
        response = portal(client, app, f"/dossiers/{code}/supplement", body)
        assert response.status_code == 422, body
        assert "Hồ sơ bổ sung đang trống" in response.json["error"]
    wrong = portal(client, app, f"/dossiers/{code}/supplement", {"documents": [{"id": 1}]})
    assert wrong.status_code == 422
    assert snapshot(code)["status"] == 5
    sent = portal(client, app, f"/dossiers/{code}/supplement", {"documents": ["DOC-000007"]})
    assert sent.status_code == 200 and snapshot(code)["status"] == 4


def test_a_supplement_file_outside_the_components_needs_other(citizen, client, app, actors):  # noqa: F811
    code = waiting_for_supplement(client, app, actors)
    page = citizen.get(f"/citizen/dossiers/{code}").get_data(as_text=True)
    assert page.index('value="KQ.G01.000023"') < page.index('value="khac"')
    assert page.index('value="KQ.G15.000031"') > page.index('value="khac"')

    def send(**form):  # noqa: ANN202
        files = {"files": (io.BytesIO(numbered_pdf(1)), "giay.pdf")}
        return citizen_post(
            citizen, code, "supplement", {**form, **files}, content_type="multipart/form-data"
        )

    refused = send(type_code="KQ.G15.000031")
    assert refused.status_code == 422 and "không thuộc thành phần" in refused.get_data(as_text=True)
    assert snapshot(code)["status"] == 5
    assert send(type_code="khac", other_type_code="KQ.G15.000031").status_code == 302
    with db.transaction() as session:
        [document] = session.scalars(select(Document).where(Document.source == "online")).all()
    assert document.type_code == "KQ.G15.000031" and document.name.endswith("(bổ sung)")
    after = citizen.get(f"/citizen/dossiers/{code}").get_data(as_text=True)
    assert "Đã bổ sung, chờ cơ quan xác nhận" in after

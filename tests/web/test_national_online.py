"""Online submission with the form's data from the national databases (001 §II.2.b Bước 4):
the fields of the procedure's model tied to master-data codes are filled for the signed-in
citizen, read-only; changing one needs a reason, recorded in the dossier's history; a
population database that is down leaves them editable with a notice, and the submission goes
through."""

from __future__ import annotations

import io
import re

import pytest
import requests
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app.models import AuditEvent, Dossier
from app.services.accounts import sessions
from app.services.citizens import portal_sign_in
from app.services.dossiers import tasks
from app.storage.db import db
from app.web import server_session
from tests.documents.scans import numbered_pdf
from tests.services.helpers import open_task
from tests.web.helpers import TOKEN, login, post

pytestmark = pytest.mark.simulators
SUBMIT = "/citizen/submit/2.000488"


@pytest.fixture
def citizen(client):  # noqa: ANN201
    signed = portal_sign_in.sign_in(
        {"sub": "VN-000001", "identifier": "001090012345", "name": "Nguyễn Văn An"}
    )
    with client.session_transaction() as session:
        session["citizen_id"] = signed.id
        session[server_session.CITIZEN] = sessions.start_for_citizen(signed.id)
    return client


def submission(client, **fields) -> tuple[str, list[tuple[str, object]]]:  # noqa: ANN001
    page = client.get(SUBMIT).get_data(as_text=True)
    pairs: list[tuple[str, object]] = [("csrf_token", TOKEN.search(page).group(1))]
    for t in re.findall(r'name="file_([^"]+)"', page):
        if f'name="use_{t}"' not in page:
            pairs.append((f"file_{t}", (io.BytesIO(numbered_pdf(1)), f"{t}.pdf")))
    agency = re.search(r'name="agency" value="([^"]+)"', page)
    pairs.append(("agency", agency.group(1)))
    return page, pairs + list(fields.items())


def send(client, pairs):  # noqa: ANN001, ANN202
    return client.post(SUBMIT, data=MultiDict(pairs), content_type="multipart/form-data")


def dossiers() -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Dossier))


def test_the_submission_shows_the_citizens_data_from_the_population_database(citizen):
    page = citizen.get(SUBMIT).get_data(as_text=True)
    assert 'id="national-form"' in page and "Từ CSDL quốc gia về dân cư" in page
    start = page.index('name="owner_permanent_address"')
    tag = page[page.rindex("<", 0, start) : page.index(">", start)]
    assert "Số 12 Hàng Bài" in tag and "readonly" in tag


def test_the_filled_data_go_with_the_dossier_to_the_officers_steps(citizen):
    _, pairs = submission(citizen)
    sent = send(citizen, pairs)
    assert sent.status_code == 302, sent.get_data(as_text=True)[:1500]
    code = sent.headers["Location"].rsplit("/", 1)[-1]
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        assert dossier.data["owner_date_of_birth"] == "1990-05-12"
        assert dossier.data["owner_nationality"] == "Việt Nam"


def test_a_filled_field_changed_without_a_reason_is_refused_and_nothing_registered(citizen):
    before = dossiers()
    _, pairs = submission(citizen, owner_full_name="Nguyễn Văn Bình")
    refused = send(citizen, pairs)
    assert refused.status_code == 422
    assert "«Họ và tên chủ hồ sơ» lấy từ CSDL quốc gia về dân cư: ghi lý do để sửa" in (
        refused.get_data(as_text=True)
    )
    assert dossiers() == before


def test_a_field_the_form_does_not_have_is_refused(citizen):
    _, pairs = submission(citizen, owner_id="079095000123", reception_note__reason="x")
    assert send(citizen, pairs).status_code == 422


def test_a_change_with_a_reason_is_kept_and_recorded_in_the_history(citizen):
    reason = "Đã chuyển nơi ở, chưa cập nhật CSDL"
    _, pairs = submission(
        citizen,
        owner_current_address="Số 3 Lý Thái Tổ, Phường Hoàn Kiếm, Hà Nội",
        owner_current_address__reason=reason,
    )
    sent = send(citizen, pairs)
    assert sent.status_code == 302, sent.get_data(as_text=True)[:1500]
    code = sent.headers["Location"].rsplit("/", 1)[-1]
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        assert dossier.data["owner_current_address"].startswith("Số 3 Lý Thái Tổ")
        [event] = session.scalars(
            select(AuditEvent).where(
                AuditEvent.dossier_id == dossier.id, AuditEvent.kind == "national_data_changed"
            )
        ).all()
        [change] = event.data["changes"]
    assert (change["old"], change["reason"]) == ("Số 12 Hàng Bài, Phường Hoàn Kiếm, Hà Nội", reason)


def test_the_population_database_down_leaves_the_fields_to_type_and_the_submission_works(
    citizen, national_url
):
    down = {"sources": ["population"]}
    requests.post(f"{national_url}/_sim/registers/down", json=down, timeout=5).raise_for_status()
    page, pairs = submission(citizen, owner_full_name="Nguyễn Văn An")
    assert "Không kết nối được CSDL quốc gia về dân cư" in page
    sent = send(citizen, pairs)
    assert sent.status_code == 302, sent.get_data(as_text=True)[:1500]


def test_a_typed_value_longer_than_the_form_allows_is_refused_on_its_field(citizen, national_url):
    down = {"sources": ["population"]}
    requests.post(f"{national_url}/_sim/registers/down", json=down, timeout=5).raise_for_status()
    _, pairs = submission(citizen, owner_gender="x" * 100)
    refused = send(citizen, pairs)
    assert refused.status_code == 422 and "«Giới tính» không hợp lệ" in refused.get_data(
        as_text=True
    )


def test_the_officer_sees_the_citizens_change_and_reason_at_reception(citizen, app, actors):
    reason = "Đã chuyển nơi ở, chưa cập nhật CSDL"
    _, pairs = submission(
        citizen,
        owner_current_address="Số 3 Lý Thái Tổ, Phường Hoàn Kiếm, Hà Nội",
        owner_current_address__reason=reason,
    )
    code = send(citizen, pairs).headers["Location"].rsplit("/", 1)[-1]
    task = open_task(code, "reception")
    assert task is not None, "an online dossier is received at the reception step"
    tasks.claim_task(task.id, actors["tiepnhan"])
    officer = app.test_client()
    login(officer, "tiepnhan")
    page = officer.get(f"/tasks/{task.id}").get_data(as_text=True)
    start = page.index('name="owner_current_address"')
    tag = page[page.rindex("<", 0, start) : page.index(">", start)]
    assert "Số 3 Lý Thái Tổ" in tag and "readonly" not in tag
    assert reason in page
    kept = post(officer, f"/tasks/{task.id}", reception_with(reason), page=f"/tasks/{task.id}")
    assert kept.status_code == 302, kept.get_data(as_text=True)[:1500]


def reception_with(reason: str) -> dict[str, str]:
    """The reception form as the officer sends it, keeping the citizen's change and reason."""
    return {
        "components_checked": "on",
        "original_count": "1",
        "copy_count": "0",
        "owner_current_address": "Số 3 Lý Thái Tổ, Phường Hoàn Kiếm, Hà Nội",
        "owner_current_address__reason": reason,
    }

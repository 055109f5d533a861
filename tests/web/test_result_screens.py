"""The result on the officers' screens (001 §II.2.b Bước 5): the template edited in the
procedure's catalogue page, filled on the appraisal step, read on the approval step exactly as
it will be signed, and an outdated approval refused."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.models import Procedure
from app.services.core import queue
from app.services.dossiers import tasks
from app.storage.db import db
from tests.services.helpers import complete, deliver, open_task, receive
from tests.web.helpers import login, post

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}
ACCEPT = {"decision": "accept", "appraisal_note": "Đủ điều kiện"}
TEMPLATE_URL = "/catalogs/procedures/2.000488/result-template"


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


@pytest.fixture
def appraisal(actors) -> tuple[str, str]:
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    task = open_task(code, "appraisal")
    tasks.claim_task(task.id, actors["chuyenvien"])
    return code, task.id


def stored_template() -> dict | None:
    with db.transaction() as session:
        return session.scalar(select(Procedure.result_template).where(Procedure.code == "2.000488"))


def template_form(**overrides) -> dict:
    form = {
        "title": "Quyết định cấp phiếu",
        "body": "Cấp cho {ho_ten} ({owner_id}): {noi_dung}",
        "signer_title": "GIÁM ĐỐC",
        "place": "Hưng Yên",
        "rfield-0-name": "ho_ten",
        "rfield-0-label": "Họ và tên",
        "rfield-0-type": "text",
        "rfield-0-required": "on",
        "rfield-0-default": "{owner_name}",
        "rfield-1-name": "",
        "rfield-1-label": "",
        "rfield-2-name": "noi_dung",
        "rfield-2-label": "Nội dung",
        "rfield-2-type": "long_text",
    }
    return {**form, **overrides}


def test_the_catalogue_page_saves_a_result_template(client):
    login(client, "quantri")
    response = post(client, TEMPLATE_URL, template_form())
    assert response.status_code == 302
    saved = stored_template()
    assert saved["title"] == "Quyết định cấp phiếu"
    assert [f["name"] for f in saved["fields"]] == ["ho_ten", "noi_dung"]
    assert saved["fields"][1]["type"] == "long_text" and saved["fields"][1]["required"] is False
    page = client.get("/catalogs/procedures/2.000488").get_data(as_text=True)
    assert TEMPLATE_URL in page


@pytest.mark.parametrize(
    ("overrides", "located", "message"),
    [
        ({"body": "Cấp cho {ho_tenn}"}, "body", "{ho_tenn}"),
        ({"rfield-2-name": "ho_ten"}, "field-2-name", "trùng"),
        ({"rfield-2-type": "html"}, "field-2-type", "html"),
        ({"rfield-0-name": "Họ tên"}, "field-0-name", "chữ thường"),
        ({"title": ""}, "title", "bắt buộc"),
    ],
)
def test_a_wrong_template_is_refused_422_at_its_field(client, overrides, located, message):
    login(client, "quantri")
    before = stored_template()
    response = post(client, TEMPLATE_URL, template_form(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page and 'id="form-errors"' in page
    assert stored_template() == before  # nothing saved


def test_the_appraisal_fills_the_result_and_the_approval_reads_exactly_that_draft(
    client, appraisal, actors
):
    code, task_id = appraisal
    login(client, "chuyenvien")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'id="result-form"' in page and "Tình trạng án tích" in page
    assert 'value="Nguyễn Văn An"' in page  # the default from the dossier
    hostile = "<script>alert(1)</script>"
    values = {
        "rf-ho_ten": "Nguyễn Văn An",
        "rf-so_dinh_danh": "001090012345",
        "rf-an_tich": f"Không có án tích {hostile}",
        "rf-cam_dam_nhiem": "Không bị cấm",
    }
    response = post(client, f"/tasks/{task_id}/result-draft", values, f"/tasks/{task_id}")
    assert response.status_code == 302
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Dự thảo phiên bản 1" in page and hostile not in page
    draft_pdf = client.get(f"/tasks/{task_id}/result-preview").data
    assert draft_pdf.startswith(b"%PDF-")

    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    approval = open_task(code, "approval").id
    tasks.claim_task(approval, actors["lanhdao"])
    login(client, "lanhdao")
    page = client.get(f"/tasks/{approval}").get_data(as_text=True)
    assert 'name="result_draft_version" value="1"' in page
    assert 'value="Phiếu lý lịch tư pháp số 1"' in page  # the name is the drafted title
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and hostile not in page
    assert client.get(f"/tasks/{approval}/result-preview").data == draft_pdf


def test_bad_values_come_back_located_and_nothing_is_saved(client, appraisal):
    _code, task_id = appraisal
    login(client, "chuyenvien")
    values = {"rf-ho_ten": "", "rf-an_tich": "x" * 6000, "rf-cam_dam_nhiem": "Không"}
    response = post(client, f"/tasks/{task_id}/result-draft", values, f"/tasks/{task_id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="result-error"' in page and "Bắt buộc nhập" in page and "tối đa 5000" in page
    assert "Dự thảo phiên bản" not in page


def test_a_non_pdf_upload_is_refused_422(client, appraisal):
    _code, task_id = appraisal
    login(client, "chuyenvien")
    from tests.web.helpers import token

    response = client.post(
        f"/tasks/{task_id}/result-upload",
        data={
            "csrf_token": token(client, f"/tasks/{task_id}"),
            "title": "Quyết định",
            "file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "quyet-dinh.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "phải là tệp PDF" in response.get_data(as_text=True)


def test_approving_an_outdated_version_from_the_page_is_refused_409(client, appraisal, actors):
    code, task_id = appraisal
    login(client, "chuyenvien")
    base = {"rf-ho_ten": "An", "rf-so_dinh_danh": "1", "rf-cam_dam_nhiem": "Không"}
    for verdict in ("Không có án tích", "Có 01 án tích"):
        post(client, f"/tasks/{task_id}/result-draft", {**base, "rf-an_tich": verdict})
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    approval = open_task(code, "approval").id
    login(client, "lanhdao")
    data = {"approval_decision": "approve", "result_name": "Phiếu", "result_draft_version": "1"}
    response = post(client, f"/tasks/{approval}", data)
    assert response.status_code == 409
    assert "phiên bản 2" in response.get_data(as_text=True)
    assert open_task(code, "approval") is not None


def test_the_result_screens_read_in_english_outside_data_values(app, client, appraisal, actors):
    from tests.web.test_one_language import data_values, untranslated

    code, task_id = appraisal
    login(client, "chuyenvien")
    client.get("/lang/en")
    base = {"rf-ho_ten": "An", "rf-so_dinh_danh": "1", "rf-cam_dam_nhiem": "Không bị cấm"}
    fill_error = post(client, f"/tasks/{task_id}/result-draft", {**base, "rf-an_tich": ""})
    assert fill_error.status_code == 422
    post(client, f"/tasks/{task_id}/result-draft", {**base, "rf-an_tich": "Không có án tích"})
    fill = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    approval = open_task(code, "approval").id
    tasks.claim_task(approval, actors["lanhdao"])
    login(client, "lanhdao")
    client.get("/lang/en")
    read = client.get(f"/tasks/{approval}").get_data(as_text=True)
    login(client, "quantri")
    client.get("/lang/en")
    catalogue = client.get(TEMPLATE_URL).get_data(as_text=True)
    refused = post(client, TEMPLATE_URL, template_form(body="{nope}")).get_data(as_text=True)
    with app.app_context():
        data = data_values()
    for page in (fill_error.get_data(as_text=True), fill, read, catalogue, refused):
        assert untranslated(page, data) == []
    assert "Save the draft and preview" in fill and "Draft version 1" in read
    assert "Result template" in catalogue and "{nope}" in refused


def test_an_api_approval_names_the_version_it_read(client, appraisal, actors):
    from tests.web.helpers import api_headers

    code, task_id = appraisal
    login(client, "chuyenvien")
    base = {"rf-ho_ten": "An", "rf-so_dinh_danh": "1", "rf-cam_dam_nhiem": "Không bị cấm"}
    for verdict in ("Không có án tích", "Có 01 án tích"):
        post(client, f"/tasks/{task_id}/result-draft", {**base, "rf-an_tich": verdict})
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    approval = open_task(code, "approval").id
    login(client, "lanhdao")
    body = {"approval_decision": "approve", "result_name": "Phiếu"}
    url = f"/api/tasks/{approval}/complete"
    stale = client.post(f"{url}?result_draft_version=1", json=body, headers=api_headers(client))
    assert stale.status_code == 409
    fresh = client.post(f"{url}?result_draft_version=2", json=body, headers=api_headers(client))
    assert fresh.status_code == 200 and open_task(code, "approval") is None

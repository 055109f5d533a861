"""The import screen: an analyst uploads a model made with another tool, reads the report
element by element, confirms the roles, and opens the result in the editor as a draft."""

from __future__ import annotations

import io
import json
import re
from html import unescape
from pathlib import Path

import pytest

from tests.web.helpers import login, token

CORPUS = Path(__file__).parent.parent / "data" / "foreign_models"
URL = "/models/import-foreign"


@pytest.fixture
def analyst(client):
    login(client, "phantich")
    return client


def upload(client, data: bytes, name: str = "model.bpmn", **extra):  # noqa: ANN001, ANN201
    return client.post(
        URL,
        data={"model": (io.BytesIO(data), name), "csrf_token": token(client, URL), **extra},
        content_type="multipart/form-data",
    )


def test_the_models_list_links_to_the_import_screen(analyst):
    assert f'href="{URL}"' in analyst.get("/models").get_data(as_text=True)


def test_an_upload_shows_the_report_element_by_element(analyst):
    data = (CORPUS / "camunda-bpm-examples" / "parse-bpmn-process.bpmn").read_bytes()
    page = upload(analyst, data, "parse-bpmn-process.bpmn")
    html = unescape(page.get_data(as_text=True))
    assert page.status_code == 200
    assert "Cần quyết định" in html and "Đã đổi" in html
    assert "kịch bản viết bằng groovy: viết lại bằng Python" in html
    assert "điều kiện «${foo != 'bar'}» thành «foo != 'bar'»" in html
    assert 'name="role:management"' in html  # the proposed role, to confirm


def test_confirmed_roles_are_applied_when_importing_again(analyst):
    data = (CORPUS / "camunda-bpm-examples" / "parse-bpmn-process.bpmn").read_text()
    page = analyst.post(
        URL,
        data={
            "source": data,
            "name": "parse-bpmn-process.bpmn",
            "role:management": "reception",
            "csrf_token": token(analyst, URL),
        },
    )
    html = unescape(page.get_data(as_text=True))
    assert "«management» ứng với vai trò «Cán bộ một cửa» (đã xác nhận)" in html


def test_an_imported_model_opens_in_the_editor_as_a_draft(analyst):
    data = (CORPUS / "camunda-bpm-examples" / "react-example.bpmn").read_bytes()
    html = upload(analyst, data, "react-example.bpmn").get_data(as_text=True)
    assert "Mô hình đã hợp lệ" in html
    files = unescape(re.search(r'name="files" value="([^"]*)"', html).group(1))
    response = analyst.post(
        f"{URL}/draft",
        data={
            "files": files,
            "process_id": "reactExample",
            "name": "react-example.bpmn",
            "csrf_token": token(analyst, URL),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/models/reactExample/edit?revision=1")
    editor = analyst.get(response.headers["Location"]).get_data(as_text=True)
    assert "forms/Task_1a9adlo.schema.json" in unescape(editor)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
            "DOCTYPE",
        ),
        (b"\x00\x01binary", "nhị phân"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "không phải tệp BPMN 2.0"),
        (b"<a>" + b" " * (2 * 1024 * 1024 + 1) + b"</a>", "quá lớn"),
    ],
    ids=["xxe", "binary", "svg", "huge"],
)
def test_hostile_files_are_refused_on_the_page_with_the_reason(analyst, data, reason):
    page = upload(analyst, data)
    assert page.status_code == 422
    assert reason in unescape(page.get_data(as_text=True))


def test_a_draft_of_unsafe_files_is_refused(analyst):
    files = json.dumps({"../../etc/passwd.bpmn": "<x/>"})
    response = analyst.post(
        f"{URL}/draft",
        data={"files": files, "process_id": "p", "csrf_token": token(analyst, URL)},
    )
    assert response.status_code in (400, 422)


def test_without_a_csrf_token_nothing_is_imported(analyst):
    data = (CORPUS / "camunda-bpm-examples" / "react-example.bpmn").read_bytes()
    response = analyst.post(
        URL, data={"model": (io.BytesIO(data), "m.bpmn")}, content_type="multipart/form-data"
    )
    assert response.status_code == 400


def test_officers_cannot_import(client):
    login(client, "tiepnhan")
    assert client.get(URL).status_code == 403


def test_the_report_reads_in_english_in_english_mode(analyst):
    from tests.web.test_one_language import untranslated

    analyst.get("/lang/en")
    data = (CORPUS / "camunda-bpm-examples" / "camunda-testing-job-announcement.bpmn").read_bytes()
    page = upload(analyst, data, "job.bpmn").get_data(as_text=True)
    assert "Element by element" in page and "To decide" in page
    assert "lane «Management» stands for role «Leader» (proposed, to confirm)" in unescape(page)
    left = untranslated(page, ["Đỗ Minh Khoa", "Sở Tư pháp tỉnh Hưng Yên"])  # data: the user
    assert left == [], left

"""The task screen's workbench over HTTP: the files open inline only for those who may see the
dossier, supplement files are confirmed or rejected per file, the leader previews the result."""

from __future__ import annotations

import pytest

from app.services.accounts import sessions
from app.services.citizens import portal_sign_in
from app.services.core import queue
from app.services.dossiers import dossier_queries
from app.web import server_session
from app.web.citizen_session import SESSION_KEY
from tests.services.helpers import complete, open_task
from tests.services.test_workbench import ACCEPT, TYPED, supplemented
from tests.web.helpers import login, logout, post, token


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def test_the_step_screen_lists_components_supplement_and_history_in_words(client, actors):
    code, document_id = supplemented(actors)
    login(client, "chuyenvien")
    page = client.get(f"/tasks/{open_task(code, 'appraisal').id}").get_data(as_text=True)
    assert "Công dân nộp bản uỷ quyền" in page and "Nộp văn bản uỷ quyền" in page
    assert f'data-document="{document_id}" data-state="waiting"' in page
    assert f"/documents/{document_id}/file" in page and 'id="viewer"' in page
    assert "Đã kiểm tra đủ thành phần hồ sơ theo quy định" in page
    assert "components_checked" not in page and "supplement_request:" not in page
    assert "vendor/pdfjs/pdf.worker.min.mjs" in page


def test_a_file_is_served_inline_as_pdf_to_an_officer_of_the_dossier(client, actors):
    _, document_id = supplemented(actors)
    login(client, "chuyenvien")
    response = client.get(f"/documents/{document_id}/file")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data.startswith(b"%PDF")


def test_another_agencys_officer_gets_404(client, actors):
    code, document_id = supplemented(actors)
    login(client, "chuyenvientc")
    assert client.get(f"/documents/{document_id}/file").status_code == 404
    preview = client.get(f"/tasks/{open_task(code, 'appraisal').id}/result-preview")
    assert preview.status_code == 404


def test_the_dossiers_own_citizen_gets_nothing_from_the_officers_routes(client, actors):
    code, document_id = supplemented(actors)
    citizen = portal_sign_in.sign_in(
        {"sub": "VN-000001", "identifier": "001090012345", "name": "Nguyễn Văn An"}
    )
    with client.session_transaction() as session:
        session[SESSION_KEY] = citizen.id
        session[server_session.CITIZEN] = sessions.start_for_citizen(citizen.id)
    task_id = open_task(code, "appraisal").id
    for url in (f"/documents/{document_id}/file", f"/tasks/{task_id}"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        assert b"%PDF" not in response.data and b"uq.pdf" not in response.data


@pytest.mark.parametrize(
    "path",
    [
        "/documents/{id}/file?original=../../../../etc/passwd",
        "/documents/{id}/file?original=%2e%2e%2f%2e%2e%2fsecrets",
        "/documents/..%2f{id}/file",
        "/documents/-1/file",
        "/documents/99999999/file",
    ],
)
def test_path_tricks_on_the_file_route_find_nothing(client, actors, path):
    _, document_id = supplemented(actors)
    login(client, "chuyenvien")
    response = client.get(path.format(id=document_id))
    assert response.status_code == 404 and b"%PDF" not in response.data


def test_a_file_is_confirmed_from_the_step_screen(client, actors):
    code, document_id = supplemented(actors)
    task_id = open_task(code, "appraisal").id
    login(client, "chuyenvien")
    url = f"/tasks/{task_id}/documents/{document_id}/review"
    screen = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    for asked in ('name="summary"', 'name="validity"', 'name="valid_until"', 'value="national"'):
        assert asked in screen  # the six fields of 001 §II.2.c, asked where the file is confirmed
    unasked = {k: v for k, v in TYPED.items() if k != "validity"}
    refused = post(client, url, {"verdict": "confirm", **unasked}, page=f"/tasks/{task_id}")
    assert refused.status_code == 422 and "Chọn thời hạn hiệu lực" in refused.get_data(as_text=True)
    response = post(client, url, {"verdict": "confirm", **TYPED}, page=f"/tasks/{task_id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("#supplement")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert f'data-document="{document_id}" data-state="supplemented"' in page
    again = post(client, url, {"verdict": "confirm", **TYPED}, page=f"/tasks/{task_id}")
    assert again.status_code == 409


def test_missing_metadata_or_reason_is_refused_on_the_screen(client, actors):
    code, document_id = supplemented(actors)
    task_id = open_task(code, "appraisal").id
    login(client, "chuyenvien")
    url = f"/tasks/{task_id}/documents/{document_id}/review"
    refused = post(client, url, {"verdict": "confirm"}, page=f"/tasks/{task_id}")
    assert refused.status_code == 422 and 'role="alert"' in refused.get_data(as_text=True)
    blank = post(client, url, {"verdict": "reject", "reason": " "}, page=f"/tasks/{task_id}")
    assert blank.status_code == 422 and "Nhập lý do từ chối" in blank.get_data(as_text=True)
    odd = post(client, url, {"verdict": "delete"}, page=f"/tasks/{task_id}")
    assert odd.status_code == 422
    rejected = post(
        client, url, {"verdict": "reject", "reason": "Bản mờ"}, page=f"/tasks/{task_id}"
    )
    assert rejected.status_code == 302
    assert "Bản mờ" in client.get(f"/tasks/{task_id}").get_data(as_text=True)


def test_review_without_csrf_is_refused(client, actors):
    code, document_id = supplemented(actors)
    task_id = open_task(code, "appraisal").id
    login(client, "chuyenvien")
    token(client, f"/tasks/{task_id}")
    response = client.post(
        f"/tasks/{task_id}/documents/{document_id}/review", data={"verdict": "confirm"}
    )
    assert response.status_code == 400


def test_the_leader_previews_the_unsigned_result_inline(client, actors):
    code, _ = supplemented(actors)
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    approval = open_task(code, "approval").id
    login(client, "lanhdao")
    page = client.get(f"/tasks/{approval}").get_data(as_text=True)
    assert f'data-initial="/tasks/{approval}/result-preview"' in page
    response = client.get(f"/tasks/{approval}/result-preview")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.data.startswith(b"%PDF")
    logout(client)
    login(client, "chuyenvien")
    assert client.get(f"/tasks/{approval}/result-preview").status_code == 404
    assert not dossier_queries.task_detail(approval, actors["chuyenvien"]).previews_result


def test_a_file_of_another_dossier_cannot_be_confirmed_through_this_step(client, actors):
    code, _ = supplemented(actors)
    _, other_document = supplemented(actors)
    task_id = open_task(code, "appraisal").id
    login(client, "chuyenvien")
    url = f"/tasks/{task_id}/documents/{other_document}/review"
    response = post(client, url, {"verdict": "confirm", **TYPED}, page=f"/tasks/{task_id}")
    assert response.status_code == 404
    rejected = post(client, url, {"verdict": "reject", "reason": "x"}, page=f"/tasks/{task_id}")
    assert rejected.status_code == 404


def test_a_leader_sees_waiting_files_but_may_not_confirm_them(client, actors):
    code, document_id = supplemented(actors)
    complete(code, "appraisal", actors["chuyenvien"], ACCEPT)
    approval = open_task(code, "approval").id
    login(client, "lanhdao")
    page = client.get(f"/tasks/{approval}").get_data(as_text=True)
    assert 'id="supplement-waiting"' in page and f"/documents/{document_id}/review" not in page
    url = f"/tasks/{approval}/documents/{document_id}/review"
    response = post(client, url, {"verdict": "confirm", **TYPED}, page=f"/tasks/{approval}")
    assert response.status_code == 403

"""A service's message reaches the reader in one language, theirs: Vietnamese by default,
English under `?lang=en`; as text in JSON; escaped like any other text in a page."""

from __future__ import annotations

import json
import re

import pytest

from app.i18n import _l
from app.services.core.errors import InvalidInput, NotFound
from app.services.deadlines import supervision
from app.services.deadlines.supervision import TaskFilter
from app.services.process_models.deploy import read_bundle
from config import ROOT
from tests.web.helpers import api_headers, login, token

VIETNAMESE = re.compile(
    r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.IGNORECASE
)
ALERT = re.compile(r'<p class="error" role="alert">(.*?)</p>', re.S)
HOSTILE_STATE = '<img src=x onerror="alert(1)">'


def _alert(page: str) -> str:
    found = ALERT.search(page)
    assert found, "the error page shows no message"
    return found.group(1)


@pytest.fixture
def supervisor(client):
    login(client, "giamsat")
    return client


def test_a_service_error_on_a_page_is_vietnamese_only_by_default(supervisor):
    response = supervisor.get("/supervisor/tasks?state=later&lang=vi")
    assert response.status_code == 422
    assert _alert(response.get_data(as_text=True)) == "Trạng thái thời hạn không hợp lệ: later"


def test_a_service_error_on_a_page_is_english_only_under_lang_en(supervisor):
    response = supervisor.get("/supervisor/tasks?state=later&lang=en")
    assert response.status_code == 422
    message = _alert(response.get_data(as_text=True))
    assert message == "Invalid deadline state: later"
    assert not VIETNAMESE.search(message) and " / " not in message


def test_a_user_controlled_value_in_a_service_message_is_escaped(supervisor):
    for lang in ("vi", "en"):
        response = supervisor.get(
            "/supervisor/tasks", query_string={"state": HOSTILE_STATE, "lang": lang}
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        assert HOSTILE_STATE not in page
        assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in _alert(page)


def test_a_json_error_answer_is_a_string_in_the_readers_language(client):
    login(client, "tiepnhan")
    for lang, expected in (("vi", "Không tìm thấy công việc"), ("en", "Task not found")):
        response = client.post(f"/api/tasks/nope/claim?lang={lang}", headers=api_headers(client))
        assert response.status_code == 404
        body = json.loads(response.get_data(as_text=True))
        assert body == {"error": expected, "fields": {}}


def test_validation_problems_sent_to_the_editor_are_english_under_lang_en(client):
    login(client, "phantich")
    files = read_bundle(ROOT / "bpmn")
    files["counter_dossier.bpmn"] = files["counter_dossier.bpmn"].replace(
        "<spiffworkflow:formJsonSchemaFilename>forms/approval.schema.json"
        "</spiffworkflow:formJsonSchemaFilename>",
        "",
    )
    answers = {}
    for lang in ("vi", "en"):
        response = client.post(
            f"/models/counter_dossier/validate?lang={lang}",
            data=json.dumps({"files": files}),
            content_type="application/json",
            headers={"X-CSRFToken": token(client, "/models")},
        )
        assert response.status_code == 200
        answers[lang] = [p["message"] for p in response.get_json()["problems"]]
    assert answers == {
        "vi": ["bước của người dùng chưa có biểu mẫu"],
        "en": ["user task has no form"],
    }


def test_an_error_raised_before_the_language_is_known_reads_in_the_readers_language(app):
    """The message stays lazy inside the error: raised once, read in each reader's language."""
    error = NotFound(
        _l("Không tìm thấy hồ sơ %(code)s", code="<HS-1>"), fields={"code": _l("bắt buộc")}
    )
    with app.test_request_context("/?lang=en"):
        assert (error.message, error.fields, str(error)) == (
            "Dossier <HS-1> not found",
            {"code": "required"},
            "Dossier <HS-1> not found",
        )
    with app.test_request_context("/?lang=vi"):
        assert error.message == "Không tìm thấy hồ sơ <HS-1>"
    assert type(error.message) is str and all(type(v) is str for v in error.fields.values())
    assert error.message == "Không tìm thấy hồ sơ <HS-1>"  # outside a request: Vietnamese


def test_a_service_refusal_read_outside_a_request_is_vietnamese(actors):
    with pytest.raises(InvalidInput) as refused:
        supervision.task_list(actors["giamsat"], TaskFilter(state="later"))
    assert refused.value.message == "Trạng thái thời hạn không hợp lệ: later"

"""The editor's JSON calls: drafts, validation, tests, deploy, code checks, form preview."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from app.models import AuditEvent, ModelDraft
from app.services.process_models.deploy import read_bundle
from app.storage.db import db
from config import ROOT
from tests.web.helpers import login, token
from tests.web.helpers import post_model_json as call

FILES = read_bundle(ROOT / "bpmn")
BASE = "/models/counter_dossier"


@pytest.fixture
def analyst(client):
    login(client, "phantich")
    return client


def test_saving_keeps_every_revision_with_its_problem_count(analyst):
    first = call(analyst, f"{BASE}/drafts", {"files": FILES, "comment": "bản đầu"})
    assert first.status_code == 200 and first.json == {"revision": 1, "problems": []}
    broken = {**FILES, "forms/appraisal.schema.json": "{not json"}
    second = call(analyst, f"{BASE}/drafts", {"files": broken})
    errors = [p for p in second.json["problems"] if p["severity"] == "error"]
    assert second.json["revision"] == 2 and len(errors) == 1
    assert errors[0]["file"] == "forms/appraisal.schema.json" and errors[0]["code"] == "json"
    with db.transaction() as session:
        drafts = session.scalars(select(ModelDraft).order_by(ModelDraft.revision)).all()
        assert [(d.revision, d.problems, d.comment) for d in drafts] == [
            (1, 0, "bản đầu"),
            (2, 1, ""),
        ]
        kinds = session.scalars(select(AuditEvent.kind).where(AuditEvent.kind.like("model_%")))
        assert list(kinds).count("model_draft_saved") == 2
    page = analyst.get(f"{BASE}/edit").get_data(as_text=True)
    assert "bản nháp số 2" in page  # the editor opens the newest revision
    assert "bản nháp số 1" in analyst.get(f"{BASE}/edit?revision=1").get_data(as_text=True)
    assert analyst.get(f"{BASE}/edit?revision=9").status_code == 404


def test_validation_locates_each_problem(analyst):
    xml = FILES["counter_dossier.bpmn"].replace(
        "<spiffworkflow:formJsonSchemaFilename>forms/approval.schema.json"
        "</spiffworkflow:formJsonSchemaFilename>",
        "",
    )
    response = call(analyst, f"{BASE}/validate", {"files": {**FILES, "counter_dossier.bpmn": xml}})
    problems = response.json["problems"]
    assert [(p["element_id"], p["message"]) for p in problems] == [
        ("approval", "bước của người dùng chưa có biểu mẫu")
    ]
    assert problems[0]["file"] == "counter_dossier.bpmn" and problems[0]["line"] > 1


def test_model_tests_report_each_case_with_its_path(analyst):
    results = call(analyst, f"{BASE}/tests", {"files": FILES}).json["results"]
    assert {r["file"] for r in results} == {n for n in FILES if n.endswith(".test.json")}
    assert all(r["passed"] for r in results)
    accept = next(r for r in results if r["file"] == "tests/accept.test.json")
    # the called account check's steps come before the call activity itself completes
    assert accept["path"][:4] == ["start", "gw_channel", "ac_start", "find_account"]
    assert accept["path"].index("check_account") > accept["path"].index("link_account")
    assert "return_result" in accept["path"]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "Gói trống"),
        ({"../x.bpmn": "<x/>"}, "không an toàn"),
        ({"a.exe": "x"}, "Loại tệp không nhận"),
        ({"forms/a.json": "{}"}, "không có tệp .bpmn"),
        ({"a.bpmn": 5}, "phải là văn bản"),
    ],
)
def test_bad_bundles_get_a_clear_message(analyst, files, message):
    response = call(analyst, f"{BASE}/drafts", {"files": files})
    assert response.status_code == 422 and message in response.json["error"]


def test_a_failing_test_blocks_deploy_unless_an_admin_overrides(client):
    failing = json.loads(FILES["tests/accept.test.json"])
    failing["expect"]["statuses"] = [1, 2]
    files = {**FILES, "tests/accept.test.json": json.dumps(failing)}
    login(client, "phantich")
    blocked = call(client, f"{BASE}/deploy", {"files": files, "comment": "thử"})
    assert blocked.status_code == 422 and "kiểm thử mô hình không đạt" in blocked.json["error"]
    refused = call(client, f"{BASE}/deploy", {"files": files, "override_reason": "gấp"})
    assert refused.status_code == 403
    client.post("/logout", data={"csrf_token": token(client, "/inbox")})
    login(client, "quantri")
    done = call(client, f"{BASE}/deploy", {"files": files, "override_reason": "Sửa gấp theo QĐ"})
    assert done.status_code == 200 and done.json["version_id"] > 1


def test_officers_cannot_use_the_editor(client):
    login(client, "tiepnhan")
    assert client.get(f"{BASE}/edit").status_code == 403
    assert call(client, f"{BASE}/drafts", {"files": FILES}).status_code == 403


def test_code_is_checked_against_the_sandbox_as_typed(analyst):
    ok = call(analyst, "/models/check-code", {"kind": "expression", "source": "decision == 'x'"})
    assert ok.json == {"ok": True, "problems": []}
    bad = call(analyst, "/models/check-code", {"kind": "script", "source": "import os"})
    assert bad.json["ok"] is False and bad.json["problems"]
    syntax = call(analyst, "/models/check-code", {"kind": "expression", "source": "a ==="})
    assert syntax.json["ok"] is False
    wrong = call(analyst, "/models/check-code", {"kind": "sql", "source": "1"})
    assert wrong.status_code == 422


def test_code_checks_give_validation_verdicts_when_the_bundle_comes_with_them(analyst):
    def check(source: str, **extra):
        body = {"kind": "expression", "source": source, **extra}
        return call(analyst, "/models/check-code", body).json

    assert check("approval_decision == 'approve'", files=FILES)["ok"] is True
    unknown = check("approval_decison == 'approve'", files=FILES)
    assert unknown["ok"] is False and "approval_decison" in unknown["problems"][0]
    for hostile in ("json.codecs.sys.modules['os']", "getattr(x, 'y')", "'{0}'.format(x)"):
        assert check(hostile)["ok"] is False
        assert check(hostile, files=FILES)["ok"] is False
    bad_bundle = call(
        analyst, "/models/check-code", {"kind": "expression", "source": "1", "files": {"../x": ""}}
    )
    assert bad_bundle.status_code == 422


def test_the_form_preview_renders_the_officers_screen_or_says_what_is_wrong(analyst):
    schema = {
        "title": "Xác minh",
        "type": "object",
        "required": ["ok"],
        "properties": {"ok": {"type": "boolean", "title": "Đã xác minh"}},
    }
    shown = call(analyst, "/models/form-preview", {"schema": json.dumps(schema)})
    assert shown.status_code == 200
    assert "Đã xác minh" in shown.get_data(as_text=True) and 'type="checkbox"' in shown.get_data(
        as_text=True
    )
    broken = call(analyst, "/models/form-preview", {"schema": '{"type": 5}'})
    assert broken.status_code == 422 and "JSON Schema không hợp lệ" in broken.json["error"]
    not_json = call(analyst, "/models/form-preview", {"schema": "{"})
    assert not_json.status_code == 422 and "dòng 1" in not_json.json["error"]


def test_the_cli_writes_the_newest_draft_back_into_a_folder(app, analyst, tmp_path):
    edited = {**FILES, "forms/extra.schema.json": '{"type": "object", "properties": {}}'}
    call(analyst, f"{BASE}/drafts", {"files": edited})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["models", "export", "--draft", "--dir", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert "bản nháp số 1" in result.output
    assert (tmp_path / "b" / "forms" / "extra.schema.json").read_text() == edited[
        "forms/extra.schema.json"
    ]
    assert read_bundle(tmp_path / "b") == edited
    both = runner.invoke(args=["models", "export", "--out", "x.zip", "--dir", "y"])
    assert both.exit_code == 2 and "cần đúng một trong --out" in both.output


def test_ui_hints_shape_the_rendered_form(analyst):
    schema = {
        "type": "object",
        "ui:order": ["note", "day"],
        "properties": {
            "day": {"type": "string", "format": "date", "title": "Ngày hẹn"},
            "choice": {"type": "string", "enum": ["a", "b"], "ui:widget": "radio"},
            "note": {
                "type": "string",
                "title": "Ghi chú",
                "ui:widget": "textarea",
                "ui:help": "Ghi rõ lý do",
            },
        },
    }
    html = call(analyst, "/models/form-preview", {"schema": json.dumps(schema)}).get_data(
        as_text=True
    )
    assert html.index("Ghi chú") < html.index("Ngày hẹn") < html.index('name="choice"')
    assert '<textarea name="note"' in html and "Ghi rõ lý do" in html
    assert 'name="day" value="" placeholder="dd/mm/yyyy"' in html  # the date widget
    assert 'type="radio" name="choice" value="a"' in html


def _editor_texts(page: str) -> dict[str, str]:
    """The texts the editor's page hands its JavaScript (#editor-texts)."""
    start = page.index('<script type="application/json" id="editor-texts">')
    body = page[page.index(">", start) + 1 : page.index("</script>", start)]
    return json.loads(body)


def test_the_editor_gets_every_text_its_script_asks_for_in_the_readers_language(analyst):
    from tests.web.test_one_language import vietnamese_bits

    english = _editor_texts(analyst.get(f"{BASE}/edit?lang=en").get_data(as_text=True))
    vietnamese = _editor_texts(analyst.get(f"{BASE}/edit?lang=vi").get_data(as_text=True))
    scripts = "".join(p.read_text() for p in (ROOT / "static" / "src" / "modeler").glob("*.js"))
    asked = set(re.findall(r"\bt\('(\w+)'", scripts))
    assert {"unsaved", "valid", "deployed", "lane_role", "dmn_name"} <= asked  # the scan works
    assert asked <= set(english) and set(english) == set(vietnamese)
    assert {k: v for k, v in english.items() if vietnamese_bits(v)} == {}
    assert english["saved"] == "Saved draft no. %(n)s"  # placeholders left for the script
    assert vietnamese["valid"] == "Mô hình hợp lệ" and english["valid"] == "The model is valid"

"""Every problem reaches the analyst: the editor's JSON calls and the command line keep each
one (several on one element too), located by file, line, element id and label, with a stable
code, in Vietnamese or in English."""

from __future__ import annotations

import json
import re

import pytest

from app.engine.errors import Problem
from app.services.core.errors import InvalidModel
from app.services.process_models.deploy import read_bundle, refuse_problems
from config import ROOT
from tests.web.helpers import login
from tests.web.helpers import post_model_json as call

FILES = read_bundle(ROOT / "bpmn")
BASE = "/models/counter_dossier"
VIETNAMESE = re.compile(r"[đĐ]|[^\x00-\x7f«»…–—→↳·]")
FIELDS = {"message", "code", "severity", "file", "line", "element_id", "name", "detail"}


@pytest.fixture
def analyst(client):
    login(client, "phantich")
    return client


def two_on_approval() -> dict[str, str]:
    """The approval step without its form and outside every lane: two problems, one element."""
    xml = FILES["counter_dossier.bpmn"].replace(
        "<spiffworkflow:formJsonSchemaFilename>forms/approval.schema.json"
        "</spiffworkflow:formJsonSchemaFilename>",
        "",
    )
    xml = re.sub(r"<bpmn:flowNodeRef>approval</bpmn:flowNodeRef>", "", xml)
    return {**FILES, "counter_dossier.bpmn": xml}


def deleted_flow() -> dict[str, str]:
    xml = FILES["counter_dossier.bpmn"]
    flow = re.search(r'<bpmn:sequenceFlow id="Flow_gw_account_merge_reception"[^>]*/>', xml)
    assert flow is not None
    return {**FILES, "counter_dossier.bpmn": xml.replace(flow.group(0), "")}


def flat(problems: list[dict]) -> list[dict]:
    return [q for p in problems for q in (p, *flat(p["consequences"]))]


def test_validation_lists_two_problems_on_one_element_each_located_and_named(analyst):
    problems = call(analyst, f"{BASE}/validate", {"files": two_on_approval()}).json["problems"]
    on_approval = [p for p in problems if p["element_id"] == "approval"]
    assert {p["code"] for p in on_approval} == {"user-task-without-lane", "user-task-without-form"}
    for p in on_approval:
        assert set(p) >= FIELDS and p["consequences"] == []
        assert p["file"] == "counter_dossier.bpmn" and p["line"] > 1
        assert p["name"] == "Phê duyệt kết quả" and p["severity"] == "error"


def test_a_deleted_flow_is_one_problem_in_the_response_with_its_consequences(analyst):
    problems = call(analyst, f"{BASE}/validate", {"files": deleted_flow()}).json["problems"]
    assert [(p["code"], p["element_id"]) for p in problems] == [
        ("flow-missing", "gw_account_merge")
    ]
    under = problems[0]["consequences"]
    assert len(under) > 20 and all(set(p) >= FIELDS for p in under)
    assert {"reception", "approval"} <= {p["element_id"] for p in under}


def test_problems_read_in_english_on_an_english_page(analyst):
    url = f"{BASE}/validate?lang=en"
    problems = call(analyst, url, {"files": deleted_flow()}).json["problems"]
    assert "leads nowhere" in problems[0]["message"]
    for p in flat(problems):
        # the model's own labels, quoted, are the analyst's data, not the page's words
        assert not VIETNAMESE.search(re.sub(r"«[^»]*»", "", p["message"])), p["message"]
    english = call(analyst, url, {"files": two_on_approval()}).json["problems"]
    vietnamese = call(analyst, f"{BASE}/validate?lang=vi", {"files": two_on_approval()})
    # the same problems under the same codes, only the words differ
    assert [p["code"] for p in english] == [p["code"] for p in vietnamese.json["problems"]]
    assert [p["message"] for p in english] != [p["message"] for p in vietnamese.json["problems"]]


def test_a_refused_deploy_lists_every_problem_and_keeps_the_older_fields(analyst):
    refused = call(analyst, f"{BASE}/deploy", {"files": two_on_approval(), "comment": "thử"})
    assert refused.status_code == 422 and "2 lỗi" in refused.json["error"]
    problems = refused.json["problems"]
    assert [(p["code"], p["element_id"]) for p in problems] == [
        ("user-task-without-lane", "approval"),
        ("user-task-without-form", "approval"),
    ]
    # the older shape, keyed by place, joins the messages instead of dropping one
    [(where, messages)] = refused.json["fields"].items()
    assert where.endswith(":approval") and messages.count(";") == 1


def test_model_tests_refused_on_a_broken_model_list_every_problem(analyst):
    refused = call(analyst, f"{BASE}/tests", {"files": two_on_approval()})
    assert refused.status_code == 422
    assert len(refused.json["problems"]) == 2
    assert "; " in refused.json["fields"]["approval"]


FOREIGN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs"
  targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="Process_1" name="Quy trình lạ" isExecutable="false">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:userTask id="Task_1" name="Duyệt" />
    <bpmn:endEvent id="End_1" />
    <bpmn:sequenceFlow id="F1" sourceRef="StartEvent_1" targetRef="Task_1" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_the_cli_validates_the_only_process_of_a_foreign_file(app, tmp_path):
    path = tmp_path / "diagram.bpmn"
    path.write_text(FOREIGN, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["models", "validate", str(path)])
    assert result.exit_code == 1
    assert "Did you mean" not in result.output and "không có quy trình" not in result.output
    lines = result.output.splitlines()
    assert any(
        line.startswith("diagram.bpmn:4:Process_1 «Quy trình lạ»: [process-not-executable]")
        for line in lines
    )
    # the knock-on elements are printed under their cause, indented
    assert any(line.startswith("diagram.bpmn:6:Task_1 «Duyệt»: [flow-missing]") for line in lines)
    assert any(line.startswith("    ↳ diagram.bpmn:7:End_1:") for line in lines)


def test_the_cli_names_the_processes_found_when_the_one_asked_for_is_not_there(app, tmp_path):
    path = tmp_path / "diagram.bpmn"
    path.write_text(FOREIGN, encoding="utf-8")
    result = app.test_cli_runner().invoke(
        args=["models", "validate", str(path), "--process", "counter_dossier"]
    )
    assert result.exit_code == 1
    assert "[process-not-found]" in result.output
    assert "Process_1 («Quy trình lạ»)" in result.output


def test_the_cli_asks_which_process_when_a_file_has_several(app, tmp_path):
    path = tmp_path / "two.bpmn"
    path.write_text(
        FOREIGN.replace(
            "</bpmn:definitions>",
            '<bpmn:process id="Process_2" name="Thứ hai" isExecutable="true" /></bpmn:definitions>',
        ),
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["models", "validate", str(path)])
    assert result.exit_code == 2
    assert "Process_1 «Quy trình lạ»" in result.output and "Process_2 «Thứ hai»" in result.output


def test_the_cli_prints_every_problem_as_json_and_the_project_bundle_as_valid(app, tmp_path):
    folder = tmp_path / "bundle"
    for name, text in two_on_approval().items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["models", "validate", "--dir", str(folder), "--json"])
    assert result.exit_code == 1
    shown = json.loads(result.stdout)
    assert shown["process"] == "counter_dossier"
    assert [(p["code"], p["element_id"]) for p in shown["problems"]] == [
        ("user-task-without-lane", "approval"),
        ("user-task-without-form", "approval"),
    ]
    valid = runner.invoke(args=["models", "validate"])
    assert valid.exit_code == 0 and "counter_dossier: hợp lệ" in valid.output


def test_a_refused_cli_deploy_prints_every_problem(app, tmp_path):
    folder = tmp_path / "bundle"
    for name, text in two_on_approval().items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["models", "deploy", "--dir", str(folder)])
    assert result.exit_code == 1
    assert "[user-task-without-lane]" in result.output
    assert "[user-task-without-form]" in result.output


def test_warnings_and_notes_do_not_block_a_deploy_errors_do(app):
    note = Problem("chưa chạy", code="stage-skipped", severity="info")
    warning = Problem("nên đặt tên", "m.bpmn", "a", 3, "unnamed", severity="warning")
    refuse_problems([note, warning])  # nothing to refuse
    error = Problem("hỏng", "m.bpmn", "a", 3, "broken", name="Bước A")
    with app.app_context(), pytest.raises(InvalidModel) as err:
        refuse_problems([warning, error])
    assert err.value.message == "Gói có 1 lỗi"
    assert [(p["code"], p["severity"], p["name"]) for p in err.value.problems] == [
        ("unnamed", "warning", None),
        ("broken", "error", "Bước A"),
    ]
    assert err.value.fields == {"m.bpmn:3:a": "nên đặt tên; hỏng"}

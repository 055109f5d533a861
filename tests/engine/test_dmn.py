"""DMN tables run by the engine: a business rule task picks the processing department."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.engine import ProcessRun, parse_bundle
from app.engine.validation import validate
from app.services.process_models.deploy import catalogs, read_bundle

FILES = read_bundle(Path(__file__).parent / "models" / "department")
BPMN = FILES["p.bpmn"]


@pytest.mark.parametrize(
    ("channel", "department"),
    [("online", "Phòng Hành chính tư pháp"), ("counter", "Bộ phận một cửa")],
)
def test_the_decision_table_chooses_the_department_by_procedure_and_channel(channel, department):
    run, _ = ProcessRun.start(
        parse_bundle(FILES, "p"), {"procedure_code": "1.005092", "channel": channel}
    )
    assert run.finished and run.latest_data()["department"] == department


def test_a_business_rule_task_must_name_a_decision_of_the_bundle():
    missing = BPMN.replace(
        "choose_department</spiffworkflow:calledDecisionId>",
        "nope</spiffworkflow:calledDecisionId>",
    )
    found = [
        (p.element_id, p.message) for p in validate({**FILES, "p.bpmn": missing}, "p", catalogs())
    ]
    assert found == [("choose", "bảng quyết định «nope» không có trong gói")]
    bare = BPMN.replace(
        "<bpmn:extensionElements><spiffworkflow:calledDecisionId>choose_department"
        "</spiffworkflow:calledDecisionId></bpmn:extensionElements>",
        "",
    )
    found = [
        (p.element_id, p.message) for p in validate({**FILES, "p.bpmn": bare}, "p", catalogs())
    ]
    assert found == [("choose", "chưa chọn bảng quyết định (DMN)")]

"""Model validation, rule by rule, on small broken models: each problem is located."""

from __future__ import annotations

import pytest

from app.domain.roles import role_for_lane
from app.engine.validation import Catalogs, validate
from app.engine.variables import bundle_variables
from app.services.process_models.deploy import check_bundle, read_bundle
from config import ROOT

CATALOGS = Catalogs(role_for_lane, {"portal.sync_status": {"dossier_code": str, "status": int}})
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions '
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="D" '
    'targetNamespace="http://bpmn.io/schema/bpmn">'
)


def model(body: str, lanes: str = "") -> dict[str, str]:
    lane_set = f'<bpmn:laneSet id="LS">{lanes}</bpmn:laneSet>' if lanes else ""
    return {
        "m.bpmn": f'{HEAD}<bpmn:process id="p" isExecutable="true">{lane_set}{body}'
        "</bpmn:process></bpmn:definitions>"
    }


def chain(*middle: str, flows: str = "") -> str:
    """start → each element in `middle` (by id order s, a, b, ...) → end."""
    ids = ["start", *[m.split('id="')[1].split('"')[0] for m in middle], "end"]
    links = "".join(
        f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}" />'
        for i, (a, b) in enumerate(zip(ids, ids[1:], strict=False))
    )
    return (
        '<bpmn:startEvent id="start" />'
        + "".join(middle)
        + '<bpmn:endEvent id="end" />'
        + links
        + flows
    )


def problems(files: dict[str, str]) -> list[tuple[str | None, str]]:
    """The errors (not the notes of a check that could not run), as (element, message)."""
    return [
        (p.element_id, p.message) for p in validate(files, "p", CATALOGS) if p.severity == "error"
    ]


def test_every_model_in_bpmn_is_valid():
    assert check_bundle(read_bundle(ROOT / "bpmn"), "counter_dossier") == []


FORM = '{"type": "object", "properties": {}}'
WITH_FORM = (
    "<bpmn:extensionElements><spiffworkflow:formJsonSchemaFilename>forms/a.schema.json"
    "</spiffworkflow:formJsonSchemaFilename></bpmn:extensionElements>"
)
LANE_A = (
    '<bpmn:lane id="L" name="Cán bộ một cửa"><bpmn:flowNodeRef>a</bpmn:flowNodeRef></bpmn:lane>'
)


def test_a_clean_small_model_has_no_problems():
    task = f'<bpmn:userTask id="a" name="A">{WITH_FORM}</bpmn:userTask>'
    files = {**model(chain(task), LANE_A), "forms/a.schema.json": FORM}
    assert problems(files) == []


def test_a_user_task_needs_a_form_that_is_in_the_bundle():
    bare = '<bpmn:userTask id="a" name="A" />'
    assert problems(model(chain(bare), LANE_A)) == [("a", "bước của người dùng chưa có biểu mẫu")]
    task = f'<bpmn:userTask id="a" name="A">{WITH_FORM}</bpmn:userTask>'
    assert problems(model(chain(task), LANE_A)) == [("a", "thiếu biểu mẫu: forms/a.schema.json")]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><x>&b;</x>',
            "DOCTYPE",
        ),
        ("<bpmn:definitions", "XML không hợp lệ"),
        ('<?xml version="1.0"?><html><body>hi</body></html>', "không phải tệp BPMN"),
        (
            HEAD + '<bpmn:process id="p"><bpmn:bogus id="x"/></bpmn:process></bpmn:definitions>',
            "sai lược đồ",
        ),
    ],
)
def test_hostile_broken_or_foreign_files_are_refused_with_a_reason(text, fragment):
    (element, message), *_later = problems({"m.bpmn": text})
    assert fragment in message


def test_oversized_files_are_refused():
    assert "quá lớn" in problems({"m.bpmn": "x" * (3 * 1024 * 1024)})[0][1]


def test_user_task_outside_a_lane_or_in_an_unknown_role_lane():
    outside = problems(model(chain('<bpmn:userTask id="a" />')))
    unknown = problems(
        model(
            chain('<bpmn:userTask id="a" />'),
            '<bpmn:lane id="L" name="Thủ quỹ"><bpmn:flowNodeRef>a</bpmn:flowNodeRef></bpmn:lane>',
        )
    )
    assert (
        "a",
        "công việc của người dùng không thuộc làn nào",
    ) in outside
    assert any(e == "a" and "Thủ quỹ" in m for e, m in unknown)


def operator(name: str, params: str) -> str:
    return (
        f'<bpmn:serviceTask id="a"><bpmn:extensionElements><spiffworkflow:serviceTaskOperator '
        f'id="{name}"><spiffworkflow:parameters>{params}</spiffworkflow:parameters>'
        "</spiffworkflow:serviceTaskOperator></bpmn:extensionElements></bpmn:serviceTask>"
    )


def test_unknown_operator_missing_or_ill_typed_parameters():
    unknown = problems(model(chain(operator("portal.nope", ""))))
    missing = problems(
        model(
            chain(
                operator(
                    "portal.sync_status",
                    '<spiffworkflow:parameter id="dossier_code" type="str" value="code" />',
                )
            )
        )
    )
    typed = problems(
        model(
            chain(
                operator(
                    "portal.sync_status",
                    '<spiffworkflow:parameter id="dossier_code" type="str" value="code" />'
                    '<spiffworkflow:parameter id="status" type="str" value="4" />',
                )
            )
        )
    )
    assert any("không có dịch vụ" in m for _, m in unknown)
    assert any("thiếu tham số «status»" in m for _, m in missing)
    assert any("«status» phải có kiểu int" in m for _, m in typed)


def test_script_condition_and_parameter_code_is_checked_against_the_sandbox():
    script = '<bpmn:scriptTask id="a"><bpmn:script>import os</bpmn:script></bpmn:scriptTask>'
    escape = '<bpmn:scriptTask id="a"><bpmn:script>x = ().__class__</bpmn:script></bpmn:scriptTask>'
    assert any("import" in m for _, m in problems(model(chain(script))))
    assert any("__class__" in m for _, m in problems(model(chain(escape))))


def test_exclusive_gateway_branches_need_conditions_or_a_default():
    body = (
        '<bpmn:startEvent id="start" /><bpmn:exclusiveGateway id="g" />'
        '<bpmn:endEvent id="e1" /><bpmn:endEvent id="e2" />'
        '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="g" />'
        '<bpmn:sequenceFlow id="f1" sourceRef="g" targetRef="e1"><bpmn:conditionExpression '
        'xsi:type="bpmn:tFormalExpression">x == (</bpmn:conditionExpression></bpmn:sequenceFlow>'
        '<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="e2" />'
    )
    found = problems(model(body))
    assert any(e == "f2" and "thiếu điều kiện" in m for e, m in found)
    assert any(e == "f1" and "điều kiện" in m for e, m in found)


def test_unreachable_elements_and_dead_ends_are_named():
    body = (
        chain('<bpmn:exclusiveGateway id="g" default="f1" />')
        + '<bpmn:task id="orphan" /><bpmn:task id="stuck" /><bpmn:task id="stuck2" />'
        '<bpmn:sequenceFlow id="fx" sourceRef="g" targetRef="stuck">'
        "<bpmn:conditionExpression>True</bpmn:conditionExpression></bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="fy" sourceRef="g" targetRef="stuck2">'
        "<bpmn:conditionExpression>False</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )
    found = problems(model(body))
    assert ("orphan", "không thể tới được phần tử này từ sự kiện bắt đầu") in found
    assert ("stuck", "phần tử không dẫn tới đâu (thiếu luồng ra)") in found
    assert ("stuck2", "phần tử không dẫn tới đâu (thiếu luồng ra)") in found


def test_timer_expressions_must_parse():
    timer = (
        '<bpmn:intermediateCatchEvent id="a"><bpmn:timerEventDefinition><bpmn:timeDuration '
        'xsi:type="bpmn:tFormalExpression">"P3X"</bpmn:timeDuration>'
        "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
    )
    assert any(e == "a" and "P3X" in m for e, m in problems(model(chain(timer))))


def test_call_activity_must_name_a_process_of_the_bundle():
    call = '<bpmn:callActivity id="a" calledElement="elsewhere" />'
    assert any(e == "a" and "elsewhere" in m for e, m in problems(model(chain(call))))


def test_invalid_form_schema_is_reported_with_its_file():
    files = {**model(chain('<bpmn:task id="a" />')), "forms/x.schema.json": '{"type": "objekt"}'}
    [(element, message)] = problems(files)
    assert "JSON Schema không hợp lệ" in message


def test_problems_carry_file_and_line():
    found = validate(model(chain('<bpmn:userTask id="a" />')), "p", CATALOGS)
    assert found and all(p.element_id == "a" for p in found)
    for problem in found:
        assert problem.file == "m.bpmn" and isinstance(problem.line, int) and problem.line >= 1


@pytest.mark.parametrize("tag", ["complexGateway", "adHocSubProcess"])
def test_elements_the_engine_does_not_run_are_named_not_crashed_on(tag):
    element = f'<bpmn:{tag} id="x" name="Phần tử lạ" />'
    [(element_id, message)] = problems(model(chain(element)))
    assert element_id == "x"
    assert message.startswith("«Phần tử lạ»") and f"bpmn:{tag}" in message
    assert "chưa được máy quy trình hỗ trợ" in message


def test_step_data_visibility_must_name_known_role_codes():
    props = (
        '<spiffworkflow:properties><spiffworkflow:property name="dataVisibleTo" '
        'value="leader, giamdoc" /></spiffworkflow:properties>'
    )
    task = WITH_FORM.replace("</bpmn:extensionElements>", f"{props}</bpmn:extensionElements>")
    files = {
        **model(chain(f'<bpmn:userTask id="a" name="A">{task}</bpmn:userTask>'), LANE_A),
        "forms/a.schema.json": FORM,
    }
    assert problems(files) == [("a", "dataVisibleTo: «giamdoc» không phải mã vai trò")]


def _performer_model(target: str) -> dict[str, str]:
    props = (
        '<spiffworkflow:properties><spiffworkflow:property name="assignToPerformerOf" '
        f'value="{target}" /></spiffworkflow:properties>'
    )
    task_b = WITH_FORM.replace("</bpmn:extensionElements>", f"{props}</bpmn:extensionElements>")
    lanes = LANE_A.replace("</bpmn:lane>", "<bpmn:flowNodeRef>b</bpmn:flowNodeRef></bpmn:lane>")
    body = chain(
        f'<bpmn:userTask id="a" name="A">{WITH_FORM}</bpmn:userTask>',
        '<bpmn:scriptTask id="s"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>',
        f'<bpmn:userTask id="b" name="B">{task_b}</bpmn:userTask>',
    )
    return {**model(body, lanes), "forms/a.schema.json": FORM}


def test_assign_to_performer_of_names_a_user_task_of_the_process():
    assert problems(_performer_model("a")) == []
    assert problems(_performer_model("b")) == []  # a step may come back to its own performer


@pytest.mark.parametrize("target", ["nowhere", "s", "start", ""])
def test_assign_to_performer_of_an_unknown_or_non_user_step_is_located(target):
    assert problems(_performer_model(target)) == [
        ("b", f"assignToPerformerOf: «{target}» không phải bước của người dùng trong quy trình")
    ]


def test_pre_and_post_scripts_are_checked_like_script_tasks():
    pre = (
        '<bpmn:task id="a"><bpmn:extensionElements><spiffworkflow:preScript>'
        "x = json.dumps(1)</spiffworkflow:preScript></bpmn:extensionElements></bpmn:task>"
    )
    found = problems(model(chain(pre)))
    assert any(e == "a" and "kịch bản trước" in m and "«json»" in m for e, m in found)


def test_decision_table_expressions_are_checked_against_the_sandbox():
    files = read_bundle(ROOT / "bpmn")
    dmn = files["choose_department.dmn"].replace(
        "<text>procedure_code</text>", "<text>procedure_code.format_map({})</text>"
    )
    found = validate({**files, "choose_department.dmn": dmn}, "counter_dossier", CATALOGS)
    assert any(
        p.file == "choose_department.dmn" and p.element_id == "in_procedure_expr" for p in found
    )


def test_a_decision_table_declaring_entities_is_refused_before_any_parser_reads_it():
    files = read_bundle(ROOT / "bpmn")
    laughs = '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    dmn = files["choose_department.dmn"].replace("?>", "?>" + laughs, 1)
    assert laughs in dmn
    found = check_bundle({**files, "choose_department.dmn": dmn}, "counter_dossier")
    errors = [(p.file, "DOCTYPE" in p.message) for p in found if p.severity == "error"]
    assert errors == [("choose_department.dmn", True)]
    # the checks that need the table say once that they did not run, the engine's among them
    assert {p.code for p in found if p.severity == "info"} == {"stage-skipped"}


def test_a_bundle_declares_form_fields_results_messages_decisions_and_assignments():
    names = bundle_variables(read_bundle(ROOT / "bpmn"))
    assert {"decision", "citizen", "withdrawal", "department_code", "consult_agencies"} <= names
    assert "c" not in names  # a comprehension's variable stays inside it

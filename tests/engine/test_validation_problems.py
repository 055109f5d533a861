"""Every problem at once, in the analyst's language: each foreign or hostile construct gives
a located problem (file, line, element id and label, a stable code) whatever the engine would
have said; every stage reports together; knock-on problems are folded under their cause."""

from __future__ import annotations

import re

import pytest

from app.engine.engine_messages import translated
from app.engine.errors import Problem
from app.engine.validation import validate
from app.services.process_models.deploy import catalogs, read_bundle
from config import ROOT
from tests.engine.test_validation import CATALOGS, FORM, LANE_A, WITH_FORM, chain, model

# What no message shown to an analyst may carry: the engine's raw reprs, its English, a
# line break.
RAW = re.compile(r"<Element|0x[0-9a-f]{4,}|\n|Traceback|Exception|Error\(")
ENGINE_ENGLISH = re.compile(
    r"not supported|must specify|No start event|Cannot resolve|Unknown Time|is required|"
    r"not executable|Did you mean|missing condition",
)


def errors(files: dict[str, str], process_id: str = "p") -> list[Problem]:
    return [p for p in validate(files, process_id, CATALOGS) if p.severity == "error"]


def data_store(tag: str) -> str:
    """A task reading from a data store reference (and its store, declared at the top)."""
    return chain(
        '<bpmn:task id="a" name="Đọc kho"><bpmn:property id="prop" name="in" />'
        '<bpmn:dataInputAssociation id="dia"><bpmn:sourceRef>dsr</bpmn:sourceRef>'
        "<bpmn:targetRef>prop</bpmn:targetRef></bpmn:dataInputAssociation></bpmn:task>",
        flows=f'<bpmn:dataStoreReference id="dsr" name="Kho hồ sơ" {tag} />',
    )


def with_store() -> dict[str, str]:
    [(name, text)] = model(chain('<bpmn:task id="a" />')).items()
    store = '<bpmn:dataStore id="store" name="CSDL dân cư" />'
    return {name: text.replace("</bpmn:process>", f"</bpmn:process>{store}")}


def one(body: str) -> dict[str, str]:
    return model(chain(body))


# (what, bundle, code, element id, element label): each must be one located problem.
FOREIGN = [
    ("data store reference", model(data_store("")), "unsupported-element", "dsr", "Kho hồ sơ"),
    ("data store", with_store(), "unsupported-element", "store", "CSDL dân cư"),
    (
        "multi-instance call activity without cardinality",
        one(
            '<bpmn:callActivity id="a" name="Gọi lặp" calledElement="p">'
            "<bpmn:multiInstanceLoopCharacteristics /></bpmn:callActivity>"
        ),
        "multi-instance-without-cardinality",
        "a",
        "Gọi lặp",
    ),
    (
        "multi-instance with both cardinality and input",
        one(
            '<bpmn:task id="a" name="Lặp"><bpmn:multiInstanceLoopCharacteristics>'
            "<bpmn:loopCardinality>3</bpmn:loopCardinality>"
            "<bpmn:loopDataInputRef>items</bpmn:loopDataInputRef>"
            "</bpmn:multiInstanceLoopCharacteristics></bpmn:task>"
        ),
        "multi-instance-cardinality-and-input",
        "a",
        "Lặp",
    ),
    (
        "sub-process without a start event",
        one('<bpmn:subProcess id="a" name="Xử lý con"><bpmn:task id="t" /></bpmn:subProcess>'),
        "subprocess-start-events",
        "a",
        "Xử lý con",
    ),
    (
        "sub-process with two start events",
        one(
            '<bpmn:subProcess id="a" name="Hai đầu"><bpmn:startEvent id="s1" />'
            '<bpmn:startEvent id="s2" /></bpmn:subProcess>'
        ),
        "subprocess-start-events",
        "a",
        "Hai đầu",
    ),
    (
        "task with two outgoing flows",
        model(
            chain(
                '<bpmn:task id="a" name="Rẽ ngầm" />',
                flows='<bpmn:sequenceFlow id="fz" sourceRef="a" targetRef="end" />',
            )
        ),
        "multiple-outgoing-flows",
        "a",
        "Rẽ ngầm",
    ),
    (
        "flow to an element that is not there",
        model(
            chain(
                '<bpmn:task id="a" />',
                flows='<bpmn:sequenceFlow id="fz" name="Ma" sourceRef="end" targetRef="ghost" />',
            )
        ),
        "flow-end-missing",
        "fz",
        "Ma",
    ),
    (
        "message event naming no message",
        one(
            '<bpmn:intermediateCatchEvent id="a" name="Chờ thư">'
            '<bpmn:messageEventDefinition messageRef="nowhere" /></bpmn:intermediateCatchEvent>'
        ),
        "event-reference-missing",
        "a",
        "Chờ thư",
    ),
    (
        "signal event naming no signal",
        one(
            '<bpmn:intermediateCatchEvent id="a" name="Chờ hiệu">'
            '<bpmn:signalEventDefinition signalRef="nowhere" /></bpmn:intermediateCatchEvent>'
        ),
        "event-reference-missing",
        "a",
        "Chờ hiệu",
    ),
    (
        "conditional event without a condition (the BPMN schema's English, located)",
        one(
            '<bpmn:intermediateCatchEvent id="a" name="Khi đủ">'
            "<bpmn:conditionalEventDefinition /></bpmn:intermediateCatchEvent>"
        ),
        "schema",
        "a",
        "Khi đủ",
    ),
    (
        "an attribute the schema does not know",
        one('<bpmn:task id="a" name="Lạ" camundaAsyncBefore="true" />'),
        "schema",
        "a",
        "Lạ",
    ),
    (
        "loop without condition or maximum (no model runs a loop: the engine's complaint folds)",
        one('<bpmn:task id="a" name="Lặp mãi"><bpmn:standardLoopCharacteristics /></bpmn:task>'),
        "construct-not-run",
        "a",
        "Lặp mãi",
    ),
    (
        "boundary event of no kind (the engine's message carries raw XML)",
        model(
            chain(
                '<bpmn:task id="a" />',
                flows='<bpmn:boundaryEvent id="b" name="Bắt gì?" attachedToRef="a" />'
                '<bpmn:sequenceFlow id="fb" sourceRef="b" targetRef="end" />',
            )
        ),
        "catch-event-without-definition",
        "b",
        "Bắt gì?",
    ),
    (
        "complex gateway",
        one('<bpmn:complexGateway id="a" name="Phức hợp" />'),
        "unsupported-element",
        "a",
        "Phức hợp",
    ),
    (
        "business rule task without a decision table",
        one('<bpmn:businessRuleTask id="a" name="Chọn phòng" />'),
        "decision-not-chosen",
        "a",
        "Chọn phòng",
    ),
    (
        "call activity naming a process not in the bundle",
        one('<bpmn:callActivity id="a" name="Gọi ngoài" calledElement="elsewhere" />'),
        "call-activity-unknown-process",
        "a",
        "Gọi ngoài",
    ),
]


@pytest.mark.parametrize(
    ("files", "code", "element", "label"),
    [case[1:] for case in FOREIGN],
    ids=[case[0] for case in FOREIGN],
)
def test_each_foreign_construct_is_one_located_problem_in_our_words(files, code, element, label):
    found = [p for p in errors(files) if p.code == code]
    assert [p.element_id for p in found] == [element]
    [problem] = found
    assert problem.file == "m.bpmn" and isinstance(problem.line, int) and problem.line >= 1
    assert problem.name == label
    for shown in (problem, *problem.consequences):
        assert not RAW.search(str(shown.message)) and not ENGINE_ENGLISH.search(str(shown.message))


def test_the_engine_saying_the_same_as_our_check_is_folded_under_it():
    [problem] = [p for p in errors(model(data_store(""))) if p.element_id == "dsr"]
    # the engine stops on the task reading the store: that is this problem's consequence
    assert [(c.code, c.element_id, c.name) for c in problem.consequences] == [
        ("data-association-unresolved", "a", "Đọc kho")
    ]
    assert all(p.code != "data-association-unresolved" for p in errors(model(data_store(""))))


def test_a_non_executable_process_still_shows_every_other_problem():
    body = chain(
        '<bpmn:userTask id="u" name="Duyệt" />',
        '<bpmn:businessRuleTask id="r" name="Chọn phòng" />',
        '<bpmn:scriptTask id="s" name="Tính"><bpmn:script>import os</bpmn:script>'
        "</bpmn:scriptTask>",
    )
    files = {"m.bpmn": model(body)["m.bpmn"].replace('isExecutable="true"', "")}
    codes = {(p.code, p.element_id) for p in errors(files)}
    assert {
        ("process-not-executable", "p"),
        ("user-task-without-lane", "u"),
        ("user-task-without-form", "u"),
        ("decision-not-chosen", "r"),
        ("script", "s"),
    } <= codes


def test_a_business_rule_task_without_a_table_does_not_hide_the_rest():
    body = chain(
        '<bpmn:businessRuleTask id="r" name="Chọn phòng" />',
        '<bpmn:userTask id="u" name="Duyệt" />',
        '<bpmn:serviceTask id="v" name="Gọi Cổng" />',
    )
    codes = [p.code for p in errors(model(body))]
    assert "decision-not-chosen" in codes
    assert {"user-task-without-lane", "user-task-without-form", "service-without-operator"} <= set(
        codes
    )


def test_two_problems_on_one_element_are_both_kept():
    task = '<bpmn:userTask id="a" name="A" />'
    found = [(p.code, p.element_id) for p in errors(model(chain(task)))]
    assert ("user-task-without-lane", "a") in found and ("user-task-without-form", "a") in found


def test_one_deleted_flow_is_one_problem_with_its_consequences_under_it():
    files = read_bundle(ROOT / "bpmn")
    xml = files["counter_dossier.bpmn"]
    flow = re.search(r'<bpmn:sequenceFlow id="Flow_gw_account_merge_reception"[^>]*/>', xml)
    assert flow is not None
    broken = {**files, "counter_dossier.bpmn": xml.replace(flow.group(0), "")}
    [problem] = [p for p in validate(broken, "counter_dossier", catalogs())]
    assert (problem.code, problem.element_id) == ("flow-missing", "gw_account_merge")
    assert "«Tiếp nhận hồ sơ»" in problem.message  # the element the flow went to, by label
    under = {p.element_id: p for p in problem.consequences}
    assert len(under) > 20 and {"reception", "appraisal", "approval", "end"} <= set(under)
    assert under["reception"].name == "Tiếp nhận hồ sơ" and under["reception"].line > 1
    assert all(p.code == "unreachable" for p in problem.consequences)


def test_an_element_no_flow_enters_carries_the_elements_after_it():
    body = chain('<bpmn:task id="a" />') + (
        '<bpmn:task id="island" name="Đảo" /><bpmn:task id="after" name="Sau đảo" />'
        '<bpmn:endEvent id="end2" /><bpmn:sequenceFlow id="i1" sourceRef="island" '
        'targetRef="after" /><bpmn:sequenceFlow id="i2" sourceRef="after" targetRef="end2" />'
    )
    [problem] = errors(model(body))
    assert (problem.code, problem.element_id, problem.name) == ("unreachable", "island", "Đảo")
    assert [p.element_id for p in problem.consequences] == ["after", "end2"]


def test_a_process_without_start_event_is_one_problem_not_one_per_element():
    body = '<bpmn:task id="a" /><bpmn:endEvent id="end" />'
    body += '<bpmn:sequenceFlow id="f" sourceRef="a" targetRef="end" />'
    found = errors(model(body))
    assert [(p.code, p.element_id) for p in found] == [("process-without-start-event", "p")]


def test_a_stage_that_cannot_run_says_so_once():
    files = {**model(chain('<bpmn:task id="a" />')), "forms/a.schema.json": "{not json"}
    found = validate(files, "p", CATALOGS)
    notes = [p for p in found if p.severity == "info"]
    assert [p.code for p in found if p.severity == "error"] == ["json"]
    assert notes and {p.code for p in notes} == {"stage-skipped"}
    assert len({str(p.message) for p in notes}) == len(notes)


def test_a_process_not_in_the_bundle_names_the_processes_found():
    found = errors(model(chain()), "counter_dossier")
    [problem] = [p for p in found if p.code == "process-not-found"]
    assert "«counter_dossier»" in problem.message and "p" in problem.message
    assert "Did you mean" not in problem.message


@pytest.mark.parametrize(
    ("engine_says", "code"),
    [
        ("Process x is not executable.", "process-not-executable"),
        ("No start event found", "process-without-start-event"),
        (
            "Cannot resolve dataInputAssociation <Element {http://www.omg.org/spec/BPMN/"
            "20100524/MODEL}sourceRef at 0x7fdb60231fc0>",
            "data-association-unresolved",
        ),
        (
            'TypeError("NodeParser.raise_validation_exception() got an unexpected keyword '
            "argument 'node'\")",
            "event-reference-missing",
        ),
        ("Time Specification Error. Unknown Time Specification. ", "timer-without-definition"),
        (
            "The process 'x' was not found. Did you mean one of the following: ?",
            "process-not-found",
        ),
        ('No DMN Diagram available with id "None", Available DMN ids are: ', "decision-not-chosen"),
    ],
)
def test_known_engine_messages_become_ours(engine_says, code):
    problem = translated(engine_says, "m.bpmn", "a")
    assert (problem.code, problem.element_id, problem.detail) == (code, "a", None)
    assert not RAW.search(str(problem.message)) and not ENGINE_ENGLISH.search(str(problem.message))


def test_an_unknown_engine_message_keeps_its_words_cleaned_in_the_detail():
    problem = translated(
        "Something new about <Element {http://www.omg.org/spec/BPMN/20100524/MODEL}task at "
        "0x7f00deadbeef>\n   on two lines",
        "m.bpmn",
        "a",
    )
    assert problem.code == "engine-refused" and problem.element_id == "a"
    assert problem.detail == "Something new about bpmn:task on two lines"
    assert not RAW.search(str(problem.message))


def test_a_clean_model_still_has_no_problem_at_all():
    task = f'<bpmn:userTask id="a" name="A">{WITH_FORM}</bpmn:userTask>'
    files = {**model(chain(task), LANE_A), "forms/a.schema.json": FORM}
    assert validate(files, "p", CATALOGS) == []


@pytest.mark.parametrize(
    ("condition", "says"),
    [
        ("${amount &gt; 100}", "«${amount > 100}» là biểu thức JUEL"),
        ("x == (", "ngoặc «(» chưa đóng"),
        ("x._secret", "tên «_secret» bắt đầu bằng «_» không được dùng"),
    ],
)
def test_the_restricted_compilers_refusals_are_in_our_words(condition, says):
    body = (
        '<bpmn:startEvent id="start" /><bpmn:exclusiveGateway id="g" default="f2" />'
        '<bpmn:endEvent id="e1" /><bpmn:endEvent id="e2" />'
        '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="g" />'
        '<bpmn:sequenceFlow id="f1" name="Lớn" sourceRef="g" targetRef="e1">'
        f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="e2" />'
    )
    [problem] = [p for p in errors(model(body)) if p.code == "condition" and says in p.message]
    assert (problem.element_id, problem.name) == ("f1", "Lớn")
    assert "Dòng 1" in problem.message
    assert "SyntaxError" not in problem.message and "invalid" not in problem.message


def test_a_decision_table_expression_is_named_by_its_column():
    files = read_bundle(ROOT / "bpmn")
    dmn = files["choose_department.dmn"].replace(
        "<text>procedure_code</text>", "<text>procedure_code.format_map({})</text>"
    )
    found = validate({**files, "choose_department.dmn": dmn}, "counter_dossier", CATALOGS)
    [problem] = [p for p in found if p.file == "choose_department.dmn"]
    line = next(n for n, text in enumerate(dmn.splitlines(), 1) if "in_procedure_expr" in text)
    assert (problem.code, problem.element_id, problem.line) == (
        "decision-expression",
        "in_procedure_expr",
        line,
    )
    assert problem.name == "Mã thủ tục"  # the input column's label

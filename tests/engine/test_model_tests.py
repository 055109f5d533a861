"""Analysts' model tests: run in memory, fail precisely, and gate deployment."""

from __future__ import annotations

import json

from app.engine import parse_bundle
from app.engine.instance import ProcessRun
from app.engine.model_tests import run_all
from app.services.process_models.deploy import read_bundle
from config import ROOT

FILES = read_bundle(ROOT / "bpmn")
CASE = json.loads(FILES["tests/accept.test.json"])


def run(case: dict) -> list:
    """The result of `case` (put in place of the accept case), and the bundle's other results."""
    files = {**FILES, "tests/accept.test.json": json.dumps(case)}
    results = run_all(parse_bundle(files, "counter_dossier"), files)
    mine = [r for r in results if r.file == "tests/accept.test.json"]
    return mine + [[r for r in results if r.file != "tests/accept.test.json"]]


def test_the_models_own_cases_pass():
    results = run_all(parse_bundle(FILES, "counter_dossier"), FILES)
    assert len(results) >= 2 and all(r.passed for r in results), [r.failures for r in results]


def test_a_wrong_status_expectation_fails_saying_what_happened():
    [result, _] = run({**CASE, "expect": {**CASE["expect"], "statuses": [1, 2, 4, 10]}})
    assert not result.passed
    assert result.failures == [
        "trạng thái: mong đợi [1, 2, 4, 10], thực tế ['1', '2', '4', '9', '10']"
    ]


def test_a_step_for_a_task_not_waiting_fails_with_what_is_waiting():
    steps = [*CASE["steps"][:2], {"task": "approval", "data": {}}]
    [result, _] = run({**CASE, "steps": steps})
    assert result.failures == ["bước 3: «approval» không đang chờ; đang chờ: ['reception']"]


def test_a_missing_service_call_and_a_path_out_of_order_are_reported():
    [result, _] = run({**CASE, "steps": [{"service": "warehouse.store_result"}]})
    assert "không có lời gọi «warehouse.store_result» đang chờ" in result.failures[0]
    [result, _] = run({**CASE, "expect": {"path_contains": ["approval", "reception"]}})
    assert "đường đi thiếu (theo thứ tự): ['reception']" in result.failures[0]


def test_the_path_is_checked_exactly_unless_the_case_asks_for_contains():
    gaps = ["check_account", "reception", "appraisal", "approval", "return_result", "end"]
    # the old runner's reading (in order, others between) passes only when asked for
    [result, _] = run({**CASE, "expect": {"path_contains": gaps}})
    assert result.passed, result.failures
    [result, _] = run({**CASE, "expect": {"path": gaps}})
    assert not result.passed
    assert result.failures[0].startswith(f"đường đi: mong đợi đúng {gaps}, thực tế ['start'")
    # the exact path of the same run passes, one element more or less does not
    [result, _] = run({**CASE, "expect": {"path": result.path}})
    assert result.passed, result.failures
    [longer, _] = run({**CASE, "expect": {"path": [*result.path, "end"]}})
    [shorter, _] = run({**CASE, "expect": {"path": result.path[1:]}})
    assert not longer.passed and not shorter.passed


def test_a_case_that_is_not_json_fails():
    files = {**FILES, "tests/broken.test.json": "{nope"}
    results = run_all(parse_bundle(files, "counter_dossier"), files)
    broken = next(r for r in results if r.file == "tests/broken.test.json")
    assert not broken.passed and "JSON không hợp lệ" in broken.failures[0]


def test_data_a_form_would_refuse_fails_the_case_at_its_step_naming_each_field():
    steps = [dict(s) for s in CASE["steps"]]
    # the same step with valid data passes (the whole case does)
    assert steps[3]["task"] == "appraisal" and run(CASE)[0].passed
    steps[3] = {
        "task": "appraisal",
        "data": {"decision": "maybe", "appraisal_note": 7, "fee_due": True, "bonus": 1},
    }
    [result, _] = run({**CASE, "steps": steps})
    assert not result.passed
    assert result.failures[:2] == [
        "bước 4 («appraisal»): «fee_due» là biến của hệ thống, biểu mẫu không được ghi",
        "bước 4 («appraisal»): trường «bonus» không có trong biểu mẫu của bước",
    ]
    assert sorted(result.failures[2:]) == [
        "bước 4 («appraisal»): «appraisal_note» không hợp lệ theo biểu mẫu: "
        "7 is not of type 'string'",
        "bước 4 («appraisal»): «decision» không hợp lệ theo biểu mẫu: "
        "'maybe' is not valid under any of the given schemas",
    ]
    assert len(result.failures) == 4  # the run stopped there: the step never reached the engine
    assert "appraisal" not in result.path


def test_a_field_of_another_steps_form_is_undeclared_at_this_one():
    steps = [dict(s) for s in CASE["steps"]]
    reception = steps[2]
    steps[2] = {**reception, "data": {**reception["data"], "decision": "accept"}}
    [result, _] = run({**CASE, "steps": steps})
    assert result.failures == [
        "bước 3 («reception»): trường «decision» không có trong biểu mẫu của bước"
    ]


def test_a_failing_service_call_raises_an_incident_and_the_step_keeps_waiting():
    failing = {
        "name": "portal down",
        "start": CASE["start"],
        "steps": [{"service": "portal.check_account", "error": "HTTP 503"}],
        "expect": {
            "incidents": ["portal.check_account"],
            "waiting": ["find_account"],
            "statuses": [1],
            "finished": False,
        },
    }
    [result, _] = run(failing)
    assert result.passed, result.failures
    # retried later with a result, the dossier moves on to reception
    retried = {
        **failing,
        "steps": [
            *failing["steps"],
            {"service": "portal.check_account", "result": {"exists": True, "account": {"id": "1"}}},
            CASE["steps"][1],
        ],
        "expect": {"incidents": ["portal.check_account"], "waiting": ["reception"]},
    }
    [result, _] = run(retried)
    assert result.passed, result.failures
    wrong = {**failing, "expect": {"incidents": [], "waiting": ["reception"]}}
    [result, _] = run(wrong)
    assert result.failures == [
        "sự cố: mong đợi [], thực tế ['portal.check_account']",
        "đang chờ: mong đợi ['reception'], thực tế ['find_account']",
    ]


def test_a_message_the_process_does_not_wait_for_fails_the_case():
    steps = [*CASE["steps"][:3], {"message": "rut_ho_so", "payload": {"reason": "muộn"}}]
    [result, _] = run({**CASE, "steps": steps})
    assert result.failures == ["bước 4: quy trình không chờ thông điệp «rut_ho_so»; chờ: không có"]


CALL_FAILS = read_bundle(ROOT / "tests" / "engine" / "models" / "call_fails")


def run_call_fails(steps: list[dict], expect: dict) -> object:
    case = {"name": "call fails", "start": {"owner_id": "001090012345"}, "steps": steps}
    files = {**CALL_FAILS, "tests/case.test.json": json.dumps({**case, "expect": expect})}
    [result] = run_all(parse_bundle(files, "call_fails"), files)
    return result


def test_a_declared_failure_goes_into_the_engine_and_takes_the_models_error_path():
    failure = {"service": "warehouse.list_documents", "error": "HTTP 503", "code": "UNAVAILABLE"}
    result = run_call_fails(
        [failure, {"task": "by_hand", "data": {"found": True}}],
        {
            "path": ["start", "lookup_failed", "by_hand", "end_by_hand"],
            "incidents": [],
            "finished": True,
            "data": {"call_error": {"message": "HTTP 503", "code": "UNAVAILABLE"}},
        },
    )
    assert result.passed, result.failures
    # the model handled it: a case expecting an incident for it fails
    wrong = run_call_fails([failure], {"incidents": ["warehouse.list_documents"]})
    assert wrong.failures == ["sự cố: mong đợi ['warehouse.list_documents'], thực tế []"]


def test_a_failure_no_error_event_catches_is_an_incident_and_the_call_keeps_waiting():
    failure = {"service": "warehouse.list_documents", "error": "HTTP 504", "code": "TIMEOUT"}
    expect = {"path": ["start"], "incidents": ["warehouse.list_documents"], "waiting": ["lookup"]}
    result = run_call_fails([failure], {**expect, "finished": False})
    assert result.passed, result.failures
    # answered later, the call completes on the normal path
    answer = {"service": "warehouse.list_documents", "result": {"documents": []}}
    result = run_call_fails(
        [failure, answer],
        {"path": ["start", "lookup", "end_ok"], "incidents": ["warehouse.list_documents"]},
    )
    assert result.passed, result.failures


def test_the_engine_reports_a_failure_it_cannot_route_and_follows_one_it_can():
    definition = parse_bundle(CALL_FAILS, "call_fails")
    run_, changes = ProcessRun.start(definition, {"owner_id": "1"})
    [call] = changes.service_calls
    unhandled = run_.fail_service_call(call.task_id, "HTTP 504", "TIMEOUT")
    assert unhandled is not None and unhandled.unhandled_failures == [call]
    assert unhandled.completed == [] and "lookup" in run_.trace()[1]
    routed = run_.fail_service_call(call.task_id, "HTTP 503", "UNAVAILABLE")
    assert routed is not None and routed.unhandled_failures == []
    assert call.task_id in routed.cancelled
    assert [t.element_id for t in routed.ready] == ["by_hand"]
    # the call is no longer waiting: neither a result nor another failure reaches it
    assert run_.fail_service_call(call.task_id, "again", "UNAVAILABLE") is None
    assert run_.complete_service_call(call.task_id, {}) is None


def test_a_failure_inside_a_called_process_is_caught_by_the_error_event_around_the_call():
    case = {
        "name": "wrapped",
        "start": {"owner_id": "001090012345"},
        "steps": [
            {"service": "warehouse.list_documents", "error": "HTTP 500"},
            {"task": "by_hand", "data": {"found": False}},
        ],
        "expect": {
            "path": ["start", "b_start", "any_failure", "by_hand", "end_by_hand"],
            "incidents": [],
            "finished": True,
        },
    }
    files = {**CALL_FAILS, "tests/case.test.json": json.dumps(case)}
    [result] = run_all(parse_bundle(files, "wrapped"), files)
    assert result.passed, result.failures


def test_only_a_waiting_call_can_fail_not_the_call_activity_around_it():
    run_, changes = ProcessRun.start(parse_bundle(CALL_FAILS, "wrapped"), {"owner_id": "1"})
    [call] = changes.service_calls
    [around] = [t for t in run_.workflow.get_tasks() if t.task_spec.bpmn_id == "run_lookup"]
    assert run_.fail_service_call(str(around.id), "HTTP 500") is None
    routed = run_.fail_service_call(call.task_id, "HTTP 500")
    assert routed is not None and [t.element_id for t in routed.ready] == ["by_hand"]

"""Analysts' model tests: run in memory, fail precisely, and gate deployment."""

from __future__ import annotations

import json

import pytest

from app.engine import parse_bundle
from app.engine.model_tests import run_all
from app.services.deploy import read_bundle
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
    [result, _] = run({**CASE, "expect": {"path": ["approval", "reception"]}})
    assert "đường đi thiếu" in result.failures[0]


def test_a_case_that_is_not_json_fails():
    files = {**FILES, "tests/broken.test.json": "{nope"}
    results = run_all(parse_bundle(files, "counter_dossier"), files)
    broken = next(r for r in results if r.file == "tests/broken.test.json")
    assert not broken.passed and "JSON không hợp lệ" in broken.failures[0]


@pytest.mark.parametrize("key", ["decision"])
def test_invalid_form_data_in_a_case_shows_up_as_a_wrong_path(key):
    steps = [dict(s) for s in CASE["steps"]]
    steps[3] = {"task": "appraisal", "data": {key: "refuse", "appraisal_note": "x"}}
    [result, _] = run({**CASE, "steps": steps})
    assert not result.passed and "«approval» không đang chờ" in result.failures[0]


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

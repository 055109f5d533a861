"""Model tests from the editor run in a bounded child: a bomb in the bundle is a located
failure in the results, and the process that asked goes on."""

from __future__ import annotations

import json
import os

from app.services.process_models.deploy import read_bundle, run_model_tests
from tests.services.helpers import MODELS


def _with_case(path: str) -> dict[str, str]:
    case = {
        "name": f"nhánh {path}",
        "start": {"owner_id": "001090012345"},
        "steps": [{"task": "choose", "data": {"path": path}}],
        "expect": {"finished": True},
    }
    return {**read_bundle(MODELS / "bomb"), "tests/bomb.test.json": json.dumps(case)}


def test_a_bomb_in_a_model_test_is_a_failure_naming_the_element_and_the_limit():
    parent = os.getpid()
    [result] = run_model_tests(_with_case("task"), "bomb")
    assert not result.passed
    assert "bomb_task" in result.failures[0] and "bước" in result.failures[0]
    assert os.getpid() == parent


def test_the_next_model_test_run_works_after_a_bomb():
    run_model_tests(_with_case("task"), "bomb")
    [result] = run_model_tests(_with_case("none"), "bomb")
    assert result.passed, result.failures

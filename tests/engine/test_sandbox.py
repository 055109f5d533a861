"""Scripts and conditions run restricted: escapes fail, ordinary data work succeeds."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.domain.process_variables import SYSTEM_VARIABLES
from app.engine import ScriptError, check_expression, check_script, sandbox
from app.engine.sandbox import RestrictedEnvironment
from app.services.dossiers.reception import _start_data

ESCAPES = [
    "().__class__.__base__.__subclasses__()",
    "getattr((), '__class__')",
    "__import__('os').system('true')",
    "open('/etc/passwd').read()",
    "[c for c in ().__class__.__mro__]",
    "eval('1+1')",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_escape_attempts_are_refused(source: str) -> None:
    env = RestrictedEnvironment()
    with pytest.raises((ScriptError, NameError, AttributeError, TypeError)):
        env.evaluate(source, {})


@pytest.mark.parametrize(
    "source",
    [
        "x = '{0.__class__}'.format(1)",
        "x = str.format('{0.__class__}', 1)",
        "x = '{a}'.format_map({})",
    ],
)
def test_format_methods_are_refused_at_run_time_on_strings_and_on_str(source: str) -> None:
    with pytest.raises(AttributeError, match="format"):
        RestrictedEnvironment().execute(source, {})


def test_checkers_report_forbidden_names_without_running_them() -> None:
    assert check_expression("().__class__") != []
    assert check_script("import os") != []
    with pytest.raises(ScriptError):
        RestrictedEnvironment().execute("import os", {})
    assert check_expression("decision == 'accept'") == []


def test_script_updates_task_data_and_leaves_no_helpers_behind() -> None:
    env = RestrictedEnvironment()
    context = {"items": [{"fee": 10}, {"fee": 15}], "count": 1}
    env.execute(
        "total = sum(i['fee'] for i in items)\ncount += 1\nlabels = {}\nlabels['a'] = 1", context
    )
    assert context["total"] == 25
    assert context["count"] == 2
    assert context["labels"] == {"a": 1}
    assert "math" not in context and "_getattr_" not in context


def test_condition_sees_task_data() -> None:
    env = RestrictedEnvironment()
    assert env.evaluate(
        'decision == "accept" and len(items) > 1', {"decision": "accept", "items": [1, 2]}
    )


def test_every_attribute_a_script_reads_passes_through_the_one_wrapping_hook(monkeypatch):
    seen: list[str] = []

    def spy(obj: object, name: str, value: object) -> object:
        seen.append(name)
        return value

    monkeypatch.setattr(sandbox, "wrap_attribute", spy)
    context = {"name": " an "}
    RestrictedEnvironment().execute("label = name.strip().upper()", context)
    assert context["label"] == "AN" and seen == ["strip", "upper"]


def test_the_namespace_holds_the_math_functions_but_no_module():
    env = RestrictedEnvironment()
    assert env.evaluate("floor(2.7) + ceil(0.2) + sqrt(4)", {}) == 5
    for name in ("math", "json", "date", "timedelta", "setattr", "delattr", "getattr"):
        with pytest.raises(NameError):
            env.evaluate(name, {})
    with pytest.raises(NameError, match="__build_class__"):
        env.execute("class A:\n    pass", {})


def test_the_system_variables_cover_the_start_data_of_a_dossier():
    procedure = SimpleNamespace(
        code="1.0", result_e_only=False, step_durations={}, result_type_code="", name="T"
    )
    agency = SimpleNamespace(code="A")
    dossier = SimpleNamespace(
        procedure=procedure,
        channel="online",
        data={"online_form": {}, "online_components": [], "portal_account_id": "1"},
        code="X",
        agency=agency,
        receiving_agency=None,
        phone="",
        email="",
        owner_id_type="cccd",
        owner_id="0",
        owner_name="B",
    )
    assert set(_start_data(dossier, 0)) <= SYSTEM_VARIABLES

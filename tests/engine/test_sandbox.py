"""Scripts and conditions run restricted: escapes fail, ordinary data work succeeds."""

from __future__ import annotations

import pytest

from app.engine import ScriptError, check_expression, check_script
from app.engine.sandbox import RestrictedEnvironment

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

"""Every hostile script and condition of the corpus is refused at validation or fails
harmlessly at run time: no file appears, no secret comes back, resource bombs stop quickly."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pytest

from app.engine.sandbox import RestrictedEnvironment, check_expression, check_script
from app.engine.timekeeping import script_helpers
from app.engine.validation import validate
from tests.engine.hostile_corpus import CORPUS, Hostile
from tests.engine.test_validation import CATALOGS, HEAD

SECRET = "s3cret-the-sandbox-must-never-see"
FORM = (
    '{"type": "object", "properties": {"decision": {"type": "string"}, '
    '"items": {"type": "array"}, "name": {"type": "string"}}}'
)
KNOWN = frozenset({"decision", "items", "name"})
LIMITS = importlib.util.find_spec("app.engine.limits") is not None
PLAIN = [h for h in CORPUS if not h.bomb]
BOMBS = [h for h in CORPUS if h.bomb]


def ident(entry: Hostile) -> str:
    return entry.source.splitlines()[-1][:40]


def check(entry: Hostile, known: frozenset[str] | None = KNOWN) -> list[str]:
    return (check_script if entry.kind == "script" else check_expression)(entry.source, known)


def run(entry: Hostile, marker: Path) -> tuple[object, BaseException | None]:
    env = RestrictedEnvironment(script_helpers(None))
    context = {"decision": "accept", "items": [1, 2], "name": "An"}
    source = entry.source.replace("MARKER", str(marker))
    try:
        if entry.kind == "script":
            env.execute(source, context)
            return context, None
        return env.evaluate(source, context), None
    except Exception as exc:  # what a hostile script may raise: anything, harmlessly
        return context, exc


@pytest.fixture(autouse=True)
def secret(monkeypatch):
    monkeypatch.setenv("GQTTHC_HOSTILE_SECRET", SECRET)


def test_the_corpus_is_big_enough_and_covers_each_family():
    assert len(CORPUS) >= 40
    joined = "\n".join(h.source for h in CORPUS)
    for family in ("format", "gi_frame", "@", "lambda x=", "__traceback__", "ｅｖａｌ", "getattr"):
        assert family in joined


@pytest.mark.parametrize("entry", [h for h in CORPUS if h.outcome == "refused"], ids=ident)
def test_hostile_code_is_refused_at_validation_with_its_line(entry):
    problems = check(entry)
    assert problems and all(p.startswith(("Line ", "Dòng ")) for p in problems)


def beyond_names(entry: Hostile) -> bool:
    """Refused for more than an unknown name (the editor, without the bundle, lets unknown
    lower-case names through: `date.today()` fails at run time instead)."""
    return any("không phải biến của quy trình" not in p for p in check(entry))


@pytest.mark.parametrize(
    "entry", [h for h in CORPUS if h.outcome == "refused" and beyond_names(h)], ids=ident
)
def test_the_editor_refuses_it_too_without_the_bundle(entry):
    assert check(entry, None)


@pytest.mark.parametrize("entry", [h for h in CORPUS if h.outcome != "refused"], ids=ident)
def test_what_validation_lets_through_is_code_a_model_may_write(entry):
    assert check(entry) == []


@pytest.mark.parametrize("entry", PLAIN, ids=ident)
def test_hostile_code_run_anyway_reaches_nothing(entry, tmp_path):
    marker = tmp_path / "pwned"
    result, raised = run(entry, marker)
    assert not marker.exists()
    assert SECRET not in repr(result) and SECRET not in repr(raised)
    if entry.outcome == "raises":
        assert raised is not None
    if entry.outcome == "harmless":
        assert raised is None


@pytest.mark.skipif(not LIMITS, reason="the script limits (app.engine.limits) are not merged")
@pytest.mark.parametrize("entry", BOMBS, ids=ident)
def test_resource_bombs_stop_within_about_two_seconds(entry, tmp_path):
    started = time.process_time()
    _, raised = run(entry, tmp_path / "pwned")
    assert raised is not None
    assert time.process_time() - started < 2.5


def flow_model(script: str = "", condition: str = "") -> dict[str, str]:
    task = (
        '<bpmn:scriptTask id="a"><bpmn:script><![CDATA[' + script + "]]></bpmn:script>"
        "</bpmn:scriptTask>"
        if script
        else '<bpmn:task id="a" />'
    )
    cond = (
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"><![CDATA['
        + condition
        + "]]></bpmn:conditionExpression>"
    )
    body = (
        f'<bpmn:startEvent id="start" />{task}<bpmn:endEvent id="end" />'
        '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="a" />'
        f'<bpmn:sequenceFlow id="f1" sourceRef="a" targetRef="end">'
        f"{cond if condition else ''}</bpmn:sequenceFlow>"
    )
    return {
        "m.bpmn": f'{HEAD}\n<bpmn:process id="p" isExecutable="true">\n{body}\n'
        "</bpmn:process></bpmn:definitions>",
        "forms/f.schema.json": FORM,
    }


@pytest.mark.parametrize(
    ("files", "element", "fragment"),
    [
        (flow_model(script="x = 1\ny = json.codecs.sys.modules['os']"), "a", "«json»"),
        (flow_model(script="@after_working_days\ndef f():\n    pass"), "a", "decorator"),
        (flow_model(condition="'{0.__init__}'.format(decision)"), "f1", ".format()"),
        (flow_model(condition="ｅｖａｌ('1') == decision"), "f1", "giả dạng"),
        (flow_model(condition="undeclared_variable == 1"), "f1", "undeclared_variable"),
    ],
)
def test_model_validation_locates_hostile_code(files, element, fragment):
    found = [p for p in validate(files, "p", CATALOGS) if fragment in p.message]
    assert found, validate(files, "p", CATALOGS)
    problem = found[0]
    assert problem.file == "m.bpmn" and problem.element_id == element
    assert problem.line == 4  # the element's line in the file; the code's line is in the message


def test_the_bundles_own_names_pass_validation():
    script = "total = len(items)\nlabel = f'{name}: {total}'"
    assert validate(flow_model(script=script, condition="total > 1 and label"), "p", CATALOGS) == []


def test_the_process_variables_the_system_sets_are_known_to_every_model():
    condition = "channel == 'online' and fee_due and agency_code != reception_agency_code"
    assert validate(flow_model(condition=condition), "p", CATALOGS) == []

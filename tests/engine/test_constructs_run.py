"""What validates runs: every construct the validation accepts (`RUNNABLE`) is taken through by
an instance of one of the small models in `models/constructs/`, which validate clean, start,
and run to their end through the engine's own operations (people's steps, service results,
messages, the clock), stored and reloaded between each operation as the service layer does.

In a model, an element whose id starts with `alt_` is a branch that must NOT be taken; every
other element must be passed through (completed, or interrupted by a boundary event that was)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from app.engine import ProcessRun, parse_bundle, safe_xml
from app.engine.validation import validate
from app.engine.validation_constructs import NOT_RUN, RUNNABLE, constructs
from tests.engine.test_validation import CATALOGS, chain, model, problems

MODELS = Path(__file__).parent / "models" / "constructs"
START = datetime(2026, 3, 4, 1, 0, tzinfo=UTC)  # a Wednesday, 08:00 in Vietnam
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"

# What the outside world answers, per model: people's form data, service results, messages.
ANSWERS = {"answer": {"approved": True}}
RESULTS = {"call": {"ok": True}}
PAYLOADS = {"reply": {"text": "đã bổ sung"}, "withdraw": {}, "question": {}, "answer": {}}


def bundle(model: str) -> dict[str, str]:
    files = {"m.bpmn": (MODELS / model).read_text(encoding="utf-8")}
    for path in MODELS.rglob("*"):
        if path.is_file() and path.suffix in (".dmn", ".json"):
            files[path.relative_to(MODELS).as_posix()] = path.read_text(encoding="utf-8")
    return files


def models() -> list[str]:
    return sorted(p.name for p in MODELS.glob("*.bpmn"))


def drive(files: dict[str, str], clock) -> ProcessRun:
    """Run an instance to its end: messages first, then the clock (to the next timer), then
    service results, then people; the state is dumped and reloaded after every operation."""
    definition = parse_bundle(files, "p")
    run, changes = ProcessRun.start(definition, {})
    calls = list(changes.service_calls)
    delivered: set[str] = set()
    for _round in range(40):
        if run.finished:
            return run
        run = ProcessRun.load(definition, run.dump())
        changes = _one_operation(run, clock, calls, delivered)
        assert changes is not None, f"stuck; waiting: {run.trace()[1]}"
        calls = [c for c in calls if c.task_id not in changes.left] + changes.service_calls
    raise AssertionError(f"did not finish; waiting: {run.trace()[1]}")


def _one_operation(run: ProcessRun, clock, calls: list, delivered: set[str]):  # noqa: ANN202
    for name in run.waiting_messages():
        if name not in delivered:
            delivered.add(name)
            return run.deliver_message(name, PAYLOADS[name])
    due = run.next_timer_at()
    if due is not None and due < START + timedelta(days=60):
        clock.set(max(due, clock.freeze()) + timedelta(seconds=1))
        changes = run.fire_timers()
        if changes.completed:
            return changes
    for call in calls:
        changes = run.complete_service_call(call.task_id, RESULTS[call.element_id])
        calls.remove(call)
        return changes
    for task in sorted(run.ready_user_tasks(), key=lambda t: t.element_id.startswith("alt_")):
        return run.complete_user_task(task.id, ANSWERS.get(task.element_id, {}))
    return None


def passed_through(run: ProcessRun, tree: etree._Element) -> set[str]:
    done = set(run.trace()[0])
    interrupted = {
        el.get("attachedToRef")
        for el in tree.iter(f"{BPMN}boundaryEvent")
        if el.get("id") in done and el.get("cancelActivity") != "false"
    }
    return done | interrupted


@pytest.fixture(autouse=True)
def at_start(clock) -> None:
    clock.set(START)


@pytest.mark.parametrize("model", models())
def test_each_construct_model_validates_and_an_instance_runs_through_it_to_its_end(model, clock):
    files = bundle(model)
    assert problems(files) == []
    tree = safe_xml.parse(files["m.bpmn"])
    run = drive(files, clock)
    assert run.finished
    ids = {
        el.get("id")
        for kind in RUNNABLE | {"subProcess"}
        for el in tree.iter(f"{BPMN}{kind.split('/')[0]}")
    }
    ids = {i for i in ids if i}
    went = passed_through(run, tree)
    assert sorted(i for i in ids if not i.startswith("alt_") and i not in went) == []
    assert sorted(i for i in ids if i.startswith("alt_") and i in set(run.trace()[0])) == []


def test_every_construct_validation_accepts_is_run_by_a_model():
    covered = {
        construct
        for model in models()
        for construct, _el in constructs(safe_xml.parse(bundle(model)["m.bpmn"]))
    }
    assert sorted(RUNNABLE - covered) == []


def test_every_construct_of_the_projects_own_models_is_accepted():
    root = Path(__file__).parents[2] / "bpmn"
    used = {
        construct
        for path in root.glob("*.bpmn")
        for construct, _el in constructs(safe_xml.parse(path.read_text(encoding="utf-8")))
    }
    assert sorted(used - RUNNABLE) == []


@pytest.mark.parametrize(
    ("element", "construct"),
    [
        (
            '<bpmn:endEvent id="x" name="Phát"><bpmn:signalEventDefinition signalRef="s" />'
            "</bpmn:endEvent>",
            "endEvent/signal",
        ),
        ('<bpmn:sendTask id="x" name="Gửi" />', "sendTask"),
        ('<bpmn:transaction id="x" name="Giao dịch" />', "transaction"),
        (
            '<bpmn:intermediateCatchEvent id="x" name="Khi"><bpmn:conditionalEventDefinition>'
            "<bpmn:condition>a</bpmn:condition></bpmn:conditionalEventDefinition>"
            "</bpmn:intermediateCatchEvent>",
            "intermediateCatchEvent/conditional",
        ),
        (
            '<bpmn:intermediateThrowEvent id="x" name="Đền"><bpmn:compensateEventDefinition />'
            "</bpmn:intermediateThrowEvent>",
            "intermediateThrowEvent/compensate",
        ),
        (
            '<bpmn:manualTask id="x" name="Lặp"><bpmn:standardLoopCharacteristics />'
            "</bpmn:manualTask>",
            "loop",
        ),
    ],
)
def test_a_construct_no_model_runs_is_refused_located_by_name(element, construct):
    found = problems(model(chain(element)))
    assert [e for e, _m in found] == ["x"]
    assert construct in found[0][1] and "«" in found[0][1]


@pytest.mark.parametrize(
    ("element", "folded"),
    [
        (
            '<bpmn:endEvent id="x" name="Phát"><bpmn:signalEventDefinition signalRef="s" />'
            "</bpmn:endEvent>",
            ["event-reference-missing"],
        ),
        ('<bpmn:transaction id="x" name="Giao dịch" />', ["subprocess-start-events"]),
        (
            '<bpmn:task id="x" name="Lặp"><bpmn:standardLoopCharacteristics /></bpmn:task>',
            ["loop-without-condition"],
        ),
    ],
)
def test_what_else_is_wrong_with_a_construct_no_model_runs_is_folded_under_it_once(element, folded):
    [problem] = [p for p in validate(model(chain(element)), "p", CATALOGS) if p.element_id == "x"]
    assert problem.code == NOT_RUN and problem.name
    assert [(c.element_id, c.code) for c in problem.consequences] == [("x", c) for c in folded]


def test_a_multi_instance_straight_after_a_boundary_event_is_refused_with_the_way_out():
    files = bundle("activities.bpmn")
    files["m.bpmn"] = (
        files["m.bpmn"]
        .replace(
            'sourceRef="call_child" targetRef="definite"', 'sourceRef="call_child" targetRef="each"'
        )
        .replace('<bpmn:sequenceFlow id="f5b" sourceRef="definite" targetRef="each"/>', "")
        .replace('<bpmn:exclusiveGateway id="definite" name="Nhánh lỗi đã chắc chắn"/>', "")
    )
    found = problems(files)
    assert [e for e, _m in found] == ["each"]
    assert "Bắt lỗi" in found[0][1] and "gateway" in found[0][1]


def test_a_timer_start_event_holds_the_instance_until_its_moment(clock):
    run, _ = ProcessRun.start(parse_bundle(bundle("start_timer.bpmn"), "p"), {})
    assert run.trace() == ([], ["start"])
    assert run.next_timer_at() == START + timedelta(hours=1)
    clock.set(START + timedelta(minutes=59))
    assert not run.fire_timers().completed
    clock.set(START + timedelta(hours=1, seconds=1))
    assert "start" in [c.element_id for c in run.fire_timers().completed]

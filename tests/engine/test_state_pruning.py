"""The stored state stays flat along a path: finished called processes and the finished part of
the task tree are left out, and an instance saved and loaded after every step runs exactly as
one kept in memory (same path, statuses, calls, data, trace)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.engine import ProcessRun, model_tests, parse_bundle, pruning
from app.engine.migration import migrate, plan
from app.services.process_models.deploy import read_bundle
from config import ROOT

FILES = read_bundle(ROOT / "bpmn")
T0 = datetime(2026, 3, 6, 8, 0, tzinfo=UTC)
CASES = {name.split("/")[-1]: case for name, case in model_tests.cases(FILES).items()}


def _drive(definition, case: dict[str, Any], stored: bool) -> tuple[ProcessRun, dict[str, Any]]:
    """Run a model case, saving and loading the state after every step when `stored`."""
    run, changes = ProcessRun.start(definition, dict(case["start"]))
    seen, path, sizes = model_tests._Progress(), [], []
    result = model_tests.CaseResult("", "", False)
    model_tests._collect(changes, path, seen)
    after = [_observed(run, changes)]
    for index, step in enumerate(case["steps"], start=1):
        if stored:
            state = run.dump()
            sizes.append(len(state))
            run = ProcessRun.load(definition, state)
        changes = model_tests._step(run, step, seen, result, index)
        assert changes is not None, result.failures
        model_tests._collect(changes, path, seen)
        after.append(_observed(run, changes))
    if stored:
        state = run.dump()
        sizes.append(len(state))
        run = ProcessRun.load(definition, state)
    seen_calls = [(operator, element) for operator, _id, element in seen.calls]
    return run, {
        "path": path,
        "statuses": seen.statuses,
        "calls": seen_calls,
        "incidents": seen.incidents,
        "data": run.latest_data(),
        "trace": run.trace(),
        "finished": run.finished,
        "ready": sorted(t.element_id for t in run.ready_user_tasks()),
        "messages": run.waiting_messages(),
        "sizes": sizes,
        "after_each_step": after,
    }


def _observed(run: ProcessRun, changes) -> dict[str, Any]:
    """What the services read of an instance after a step (task ids differ between runs)."""
    return {
        "completed": [c.element_id for c in changes.completed],
        "calls": [(c.operator, c.element_id, c.params) for c in changes.service_calls],
        "entered": [(t.element_id, t.data) for t in changes.entered],
        "left": len(changes.left),
        "cancelled": len(changes.cancelled),
        "finished": changes.finished,
        "next_timer_at": changes.next_timer_at,
        "data": run.latest_data(),
        "trace": run.trace(),
        "messages": run.waiting_messages(),
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_instance_stored_after_every_step_runs_as_one_kept_in_memory(
    counter_definition, name, clock
):
    clock.set(T0)  # both runs put their timers at the same moments
    _, kept = _drive(counter_definition, CASES[name], stored=False)
    _, stored = _drive(counter_definition, CASES[name], stored=True)
    kept.pop("sizes")
    sizes = stored.pop("sizes")
    assert stored == kept
    assert len(sizes) == len(CASES[name]["steps"]) + 1


@pytest.mark.parametrize("name", ["accept.test.json", "c1_bcci.test.json"])
def test_a_finished_counter_instance_stores_less_than_12_kb(counter_definition, name):
    run, outcome = _drive(counter_definition, CASES[name], stored=True)
    state = json.loads(run.dump())
    assert outcome["finished"]
    assert outcome["sizes"][-1] < 12 * 1024
    assert state["subprocesses"] == {}
    assert len(state["tasks"]) <= 3


@pytest.mark.parametrize("name", ["accept.test.json", "c1_bcci.test.json"])
def test_the_state_at_the_end_of_a_path_is_no_larger_than_at_its_start(counter_definition, name):
    _, outcome = _drive(counter_definition, CASES[name], stored=True)
    sizes = outcome["sizes"]
    assert sizes[-1] <= sizes[0]
    assert max(sizes) <= 1.3 * sizes[0]


def _to_appraisal(definition, start: dict[str, Any]) -> ProcessRun:
    """The counter case up to appraisal, the state saved and loaded after every step."""
    run, changes = ProcessRun.start(definition, dict(start))
    seen, path = model_tests._Progress(), []
    result = model_tests.CaseResult("", "", False)
    model_tests._collect(changes, path, seen)
    for index, step in enumerate(CASES["accept.test.json"]["steps"][:3], start=1):
        run = ProcessRun.load(definition, run.dump())
        changes = model_tests._step(run, step, seen, result, index)
        assert changes is not None, result.failures
        model_tests._collect(changes, path, seen)
    return ProcessRun.load(definition, run.dump())


def test_a_loop_taken_many_times_does_not_grow_the_state(counter_definition, start_data):
    run = _to_appraisal(counter_definition, start_data)
    sizes, paths = [], []
    for _ in range(12):
        [appraisal] = run.ready_user_tasks()
        assert appraisal.element_id == "appraisal"
        changes = run.complete_user_task(appraisal.id, {"decision": "refuse"})
        [leader] = changes.ready
        run.complete_user_task(leader.id, {"refusal_decision": "return", "refusal_note": "Xem"})
        state = json.loads(run.dump())
        paths.append(state.pop(pruning.PRUNED_KEY))
        sizes.append(len(json.dumps(state)))
        run = ProcessRun.load(counter_definition, run.dump())
    # the tree and the called processes stay the same size; only the path taken grows
    assert max(sizes) - min(sizes) < 0.05 * min(sizes)
    assert len(paths) == 12 and len(set(map(len, paths))) == 12
    done, waiting = run.trace()
    assert done.count("appraisal") == 12 and waiting[0] == "appraisal"


CALLED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    id="d" targetNamespace="http://example.org/pruning">
  <bpmn:process id="outer" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first"/>
    <bpmn:callActivity id="first" calledElement="inner"/>
    <bpmn:boundaryEvent id="too_long" attachedToRef="first">
      <bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="second"/>
    <bpmn:callActivity id="second" calledElement="inner"/>
    <bpmn:boundaryEvent id="reminder" attachedToRef="second" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="end"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f4" sourceRef="too_long" targetRef="late"/>
    <bpmn:endEvent id="late"/>
    <bpmn:sequenceFlow id="f5" sourceRef="reminder" targetRef="reminded"/>
    <bpmn:endEvent id="reminded"/>
  </bpmn:process>
  <bpmn:process id="inner" isExecutable="true">
    <bpmn:startEvent id="i_start"/>
    <bpmn:sequenceFlow id="i1" sourceRef="i_start" targetRef="work"/>
    <bpmn:userTask id="work"/>
    <bpmn:sequenceFlow id="i2" sourceRef="work" targetRef="i_end"/>
    <bpmn:endEvent id="i_end"/>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def called():
    return parse_bundle({"outer.bpmn": CALLED}, "outer")


def _reload(definition, run: ProcessRun) -> tuple[ProcessRun, dict[str, Any]]:
    state = run.dump()
    return ProcessRun.load(definition, state), json.loads(state)


def test_a_running_called_process_and_its_boundary_timer_are_kept(called, clock):
    clock.set(T0)
    run, _ = ProcessRun.start(called, {"n": 1})
    run, state = _reload(called, run)
    assert len(state["subprocesses"]) == 1
    assert run.next_timer_at() == T0 + timedelta(hours=1)
    clock.set(T0 + timedelta(hours=2))
    changes = run.fire_timers()
    assert [c.element_id for c in changes.completed] == ["too_long", "late"]
    assert changes.finished
    run, state = _reload(called, run)
    assert state["subprocesses"] == {} and run.trace()[0][-2:] == ["too_long", "late"]


def test_a_finished_called_process_is_left_out_and_the_next_one_kept(called, clock):
    clock.set(T0)
    run, _ = ProcessRun.start(called, {"n": 1})
    run, _ = _reload(called, run)
    [work] = run.ready_user_tasks()
    run.complete_user_task(work.id, {"answer": 42})
    run, state = _reload(called, run)
    [running] = state["subprocesses"].values()
    assert any(t["task_spec"] == "work" and t["state"] == 16 for t in running["tasks"].values())
    assert run.latest_data()["answer"] == 42
    # the second call's non-interrupting timer still fires while it runs
    clock.set(T0 + timedelta(hours=2))
    assert "reminder" in [c.element_id for c in run.fire_timers().completed]
    run, _ = _reload(called, run)
    [work] = run.ready_user_tasks()
    changes = run.complete_user_task(work.id, {"answer": 43})
    assert changes.finished
    run, state = _reload(called, run)
    done, waiting = run.trace()
    assert done.count("work") == 2 and done[-1] == "end" and waiting == []
    assert run.latest_data()["answer"] == 43 and state["subprocesses"] == {}


def test_the_path_left_out_survives_further_saves_without_duplicates(counter_definition):
    case = CASES["accept.test.json"]
    run, kept = _drive(counter_definition, case, stored=True)
    again = ProcessRun.load(
        counter_definition, ProcessRun.load(counter_definition, run.dump()).dump()
    )
    assert again.trace() == kept["trace"]
    assert again.trace()[0] == case["expect"]["path"]


def _edited(files: dict[str, str], old: str, new: str) -> dict[str, str]:
    edited = dict(files)
    assert old in edited["counter_dossier.bpmn"]
    edited["counter_dossier.bpmn"] = edited["counter_dossier.bpmn"].replace(old, new)
    return edited


def test_a_pruned_instance_moves_to_a_new_version_and_runs_to_the_end(counter_definition):
    case = CASES["accept.test.json"]
    run = _to_appraisal(counter_definition, case["start"])
    files = _edited(FILES, 'name="Trả kết quả', 'name="Trả kết quả cho công dân')
    target = parse_bundle(files, "counter_dossier")
    assert plan(run, target).movable
    migrate(run, target)
    run = ProcessRun.load(target, run.dump())
    seen = model_tests._Progress()
    result = model_tests.CaseResult("", "", False)
    path: list[str] = []
    for index, step in enumerate(case["steps"][3:], start=4):
        changes = model_tests._step(run, step, seen, result, index)
        assert changes is not None, result.failures
        model_tests._collect(changes, path, seen)
        run = ProcessRun.load(target, run.dump())
    assert run.finished and seen.statuses == ["9", "10"]
    assert run.trace()[0] == case["expect"]["path"]


def test_a_step_done_and_left_out_still_blocks_a_version_that_changes_it(counter_definition):
    run = _to_appraisal(counter_definition, CASES["accept.test.json"]["start"])
    assert "reception" not in {t["task_spec"] for t in json.loads(run.dump())["tasks"].values()}
    files = _edited(FILES, 'id="reception" name="', 'id="reception" name="Đã sửa: ')
    result = plan(run, parse_bundle(files, "counter_dossier"))
    assert not result.movable
    assert result.reasons == ["bước «Tiếp nhận hồ sơ» đã thay đổi ở phiên bản mới"]


def test_saving_a_loaded_state_again_changes_nothing(counter_definition, clock):
    clock.set(T0)
    case = CASES["c1_bcci.test.json"]
    run, changes = ProcessRun.start(counter_definition, dict(case["start"]))
    seen, path = model_tests._Progress(), []
    result = model_tests.CaseResult("", "", False)
    model_tests._collect(changes, path, seen)
    for index, step in enumerate(case["steps"], start=1):
        state = run.dump()
        assert ProcessRun.load(counter_definition, state).dump() == state
        run = ProcessRun.load(counter_definition, state)
        changes = model_tests._step(run, step, seen, result, index)
        assert changes is not None, result.failures
        model_tests._collect(changes, path, seen)


def test_a_state_saved_before_pruning_loads_runs_on_and_is_pruned_at_its_next_save(
    counter_definition, monkeypatch, clock
):
    clock.set(T0)
    case = CASES["accept.test.json"]
    with monkeypatch.context() as before:
        before.setattr(pruning, "prune", lambda workflow, dct, convert: None)
        run = _to_appraisal(counter_definition, case["start"])
        old = run.dump()
    assert pruning.PRUNED_KEY not in json.loads(old) and len(json.loads(old)["subprocesses"]) == 1
    run = ProcessRun.load(counter_definition, old)
    assert run.trace()[0] == case["expect"]["path"][: len(run.trace()[0])]
    new = json.loads(run.dump())
    assert new["subprocesses"] == {} and len(new["tasks"]) < len(json.loads(old)["tasks"])
    [appraisal] = run.ready_user_tasks()
    run = ProcessRun.load(counter_definition, run.dump())
    run.complete_user_task(appraisal.id, {"decision": "accept", "appraisal_note": "Đủ"})
    assert "appraisal" in run.trace()[0] and "reception" in run.trace()[0]

"""The counter model runs as the engine reports it: lanes, forms, service calls, milestones."""

from __future__ import annotations

import time

import pytest

from app.engine import Definition, ModelError, ProcessRun, TaskNotReady, parse_bundle
from app.services.deploy import read_bundle
from config import ROOT


def statuses(changes) -> list[str]:
    return [
        c.properties["dossierStatus"] for c in changes.completed if "dossierStatus" in c.properties
    ]


def test_start_reports_registered_status_and_the_account_check_call(counter_definition, start_data):
    run, changes = ProcessRun.start(counter_definition, start_data)
    assert statuses(changes) == ["1"]
    assert [(c.operator, c.params) for c in changes.service_calls] == [
        (
            "portal.check_account",
            {"identifier_type": "cccd", "identifier": "001090012345", "full_name": "Nguyễn Văn An"},
        )
    ]
    assert changes.ready == []


def test_service_task_waits_until_its_result_arrives(counter_definition, start_data):
    run, changes = ProcessRun.start(counter_definition, start_data)
    state = run.dump()
    run = ProcessRun.load(counter_definition, state)
    changes = run.complete_service_call(changes.service_calls[0].task_id, {"exists": True})
    [task] = changes.ready
    assert (task.element_id, task.lane) == ("reception", "Cán bộ một cửa")
    assert task.form["title"] == "Tiếp nhận hồ sơ"


def test_missing_account_adds_a_create_account_call(counter_definition, start_data):
    run, changes = ProcessRun.start(counter_definition, start_data)
    changes = run.complete_service_call(changes.service_calls[0].task_id, {"exists": False})
    assert [c.operator for c in changes.service_calls] == ["portal.create_account"]


def test_state_is_stored_without_the_spec(counter_definition, start_data):
    run, _ = ProcessRun.start(counter_definition, start_data)
    state = run.dump()
    assert '"spec"' not in state and "task_specs" not in state
    assert len(state) < 20_000


def _to_appraisal(definition, data):
    run, changes = ProcessRun.start(definition, data)
    changes = run.complete_service_call(changes.service_calls[0].task_id, {"exists": True})
    changes = run.complete_user_task(changes.ready[0].id, {"components_checked": True})
    return run, changes


def test_reception_then_processing_statuses(counter_definition, start_data):
    run, changes = _to_appraisal(counter_definition, start_data)
    assert statuses(changes) == ["2", "4"]
    assert [t.element_id for t in changes.ready] == ["appraisal"]


def test_completing_a_task_twice_is_refused(counter_definition, start_data):
    run, changes = _to_appraisal(counter_definition, start_data)
    task_id = changes.ready[0].id
    run.complete_user_task(task_id, {"decision": "refuse"})
    with pytest.raises(TaskNotReady):
        run.complete_user_task(task_id, {"decision": "refuse"})


def test_refusal_ends_the_process_with_status_3(counter_definition, start_data):
    run, changes = _to_appraisal(counter_definition, start_data)
    changes = run.complete_user_task(changes.ready[0].id, {"decision": "refuse"})
    assert statuses(changes) == ["3"]
    assert changes.finished


def test_supplement_timer_cancels_the_waiting_task_and_refuses(counter_definition, start_data):
    start_data["supplement_wait"] = "PT0.5S"
    run, changes = _to_appraisal(counter_definition, start_data)
    changes = run.complete_user_task(changes.ready[0].id, {"decision": "supplement"})
    assert statuses(changes) == ["5"]
    waiting = changes.ready[0]
    assert waiting.element_id == "receive_supplement"
    assert changes.next_timer_at is not None
    state = run.dump()
    time.sleep(0.6)
    run = ProcessRun.load(counter_definition, state)
    changes = run.fire_timers()
    assert statuses(changes) == ["3"]
    assert waiting.id in changes.cancelled
    assert changes.finished and changes.next_timer_at is None


def test_late_service_result_for_a_cancelled_task_is_reported_as_discarded(
    counter_definition, start_data
):
    run, changes = ProcessRun.start(counter_definition, start_data)
    assert run.complete_service_call("00000000-0000-0000-0000-000000000000", {}) is None
    call = changes.service_calls[0]
    run.complete_service_call(call.task_id, {"exists": True})
    assert run.complete_service_call(call.task_id, {"exists": True}) is None


def test_bundle_with_broken_xml_is_refused_with_the_file_named():
    files = read_bundle(ROOT / "bpmn")
    files["counter_dossier.bpmn"] = files["counter_dossier.bpmn"][:-40]
    with pytest.raises(ModelError) as err:
        parse_bundle(files, "counter_dossier")
    assert err.value.problems[0].file == "counter_dossier.bpmn"


def test_bundle_missing_a_form_schema_is_refused_with_the_element_named():
    files = read_bundle(ROOT / "bpmn")
    del files["forms/approval.schema.json"]
    with pytest.raises(ModelError) as err:
        parse_bundle(files, "counter_dossier")
    assert [p.element_id for p in err.value.problems] == ["approval"]


def test_definition_is_cached_by_content_hash(counter_definition: Definition):
    from app.engine import definitions

    files = counter_definition.files
    first = definitions.get(counter_definition.content_hash, files, "counter_dossier")
    assert definitions.get(counter_definition.content_hash, files, "counter_dossier") is first


def test_appraisal_escalation_timer_fires_without_cancelling_the_step(
    counter_definition, start_data
):
    start_data["appraisal_escalation"] = "PT0.3S"
    run, changes = _to_appraisal(counter_definition, start_data)
    appraisal = changes.ready[0]
    assert changes.next_timer_at is not None
    state = run.dump()
    time.sleep(0.4)
    run = ProcessRun.load(counter_definition, state)
    changes = run.fire_timers()
    escalations = [c for c in changes.completed if "escalate" in c.properties]
    assert [c.element_id for c in escalations] == ["escalation"]
    assert escalations[0].properties["escalate"] == "notify_leader,release_to_pool,raise_priority"
    assert [t.id for t in changes.ready] == [appraisal.id] and changes.left == []

"""The counter model runs as the engine reports it: lanes, forms, service calls, milestones."""

from __future__ import annotations

import pytest

from app.engine import Definition, LocalCalls, ModelError, ProcessRun, TaskNotReady, parse_bundle
from app.services.process_models.deploy import read_bundle
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


ACCOUNT = {"id": "VN-000001", "identifier_type": "cccd", "identifier": "001090012345"}
PROFILE = {
    "citizen_id": 7,
    "gender": "Nam",
    "birth_date": "1990-05-12",
    "address": "Hà Nội",
    "phone": "0912345678",
}


def test_service_task_waits_until_its_result_arrives(counter_definition, start_data):
    run, changes = ProcessRun.start(counter_definition, start_data)
    state = run.dump()
    run = ProcessRun.load(counter_definition, state)
    changes = run.complete_service_call(
        changes.service_calls[0].task_id, {"exists": True, "account": ACCOUNT}
    )
    # without a local runner, linking the account waits like any other call
    [link] = changes.service_calls
    assert (link.operator, link.params) == ("citizen.link_account", {"account": ACCOUNT})
    changes = run.complete_service_call(link.task_id, PROFILE)
    [task] = changes.ready
    assert (task.element_id, task.lane) == ("reception", "Cán bộ một cửa")
    assert task.form["title"] == "Tiếp nhận hồ sơ"
    # the form is filled from the account's profile
    assert (task.data["applicant_gender"], task.data["applicant_birth_date"]) == (
        "Nam",
        "1990-05-12",
    )


def test_local_calls_complete_in_the_same_step(counter_definition, start_data):
    calls = []

    def link(operator, params):
        calls.append((operator, params))
        return PROFILE

    local = LocalCalls(frozenset({"citizen.link_account"}), link)
    run, changes = ProcessRun.start(counter_definition, start_data, local)
    changes = run.complete_service_call(
        changes.service_calls[0].task_id, {"exists": True, "account": ACCOUNT}
    )
    assert calls == [("citizen.link_account", {"account": ACCOUNT})]
    assert changes.service_calls == []
    assert "link_account" in [c.element_id for c in changes.completed]
    assert [t.element_id for t in changes.ready] == ["reception"]


def test_a_failing_local_call_stops_the_step(counter_definition, start_data):
    def refuse(operator, params):
        raise ValueError("no account to link")

    run, changes = ProcessRun.start(
        counter_definition, start_data, LocalCalls(frozenset({"citizen.link_account"}), refuse)
    )
    with pytest.raises(ValueError, match="no account to link"):
        run.complete_service_call(
            changes.service_calls[0].task_id, {"exists": True, "account": ACCOUNT}
        )


def test_missing_account_asks_the_officer_then_confirms_again(counter_definition, start_data):
    run, changes = ProcessRun.start(counter_definition, start_data)
    changes = run.complete_service_call(changes.service_calls[0].task_id, {"exists": False})
    [task] = changes.ready
    assert (task.element_id, task.lane) == ("create_portal_account", "Cán bộ một cửa")
    assert task.properties["agencyVariable"] == "reception_agency_code"
    changes = run.complete_user_task(
        task.id,
        {
            "account_action": "create",
            "gender": "Nữ",
            "birth_date": "1995-03-04",
            "permanent_address": "Hưng Yên",
            "phone": "",
            "email": "",
        },
    )
    [create] = changes.service_calls
    assert create.operator == "portal.create_account"
    assert create.params["gender"] == "Nữ" and create.params["identifier"] == "001090012345"
    changes = run.complete_service_call(create.task_id, {"account": {"id": "VN-9"}})
    # created: the account is checked again ("xác nhận tài khoản")
    assert [c.operator for c in changes.service_calls] == ["portal.check_account"]


def test_an_account_made_on_the_portal_directly_is_confirmed_again(counter_definition, start_data):
    run, changes = ProcessRun.start(counter_definition, start_data)
    changes = run.complete_service_call(changes.service_calls[0].task_id, {"exists": False})
    changes = run.complete_user_task(changes.ready[0].id, {"account_action": "confirm"})
    assert [c.operator for c in changes.service_calls] == ["portal.check_account"]


def test_state_is_stored_without_the_spec(counter_definition, start_data):
    run, _ = ProcessRun.start(counter_definition, start_data)
    state = run.dump()
    # a sub-process names its spec ("spec":"account_check") but never carries it
    assert '"spec":{' not in state and "task_specs" not in state
    assert len(state) < 20_000


def _to_appraisal(definition, data):
    run, changes = ProcessRun.start(definition, data)
    changes = run.complete_service_call(
        changes.service_calls[0].task_id, {"exists": True, "account": ACCOUNT}
    )
    changes = run.complete_service_call(changes.service_calls[0].task_id, PROFILE)
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


def test_a_proposed_refusal_waits_for_the_leader_then_ends_with_status_3(
    counter_definition, start_data
):
    run, changes = _to_appraisal(counter_definition, start_data)
    changes = run.complete_user_task(changes.ready[0].id, {"decision": "refuse"})
    assert statuses(changes) == [] and not changes.finished
    [leader_step] = changes.ready
    assert leader_step.element_id == "refusal_approval" and leader_step.lane == "Lãnh đạo"
    changes = run.complete_user_task(leader_step.id, {"refusal_decision": "approve"})
    assert statuses(changes) == ["3"]
    assert changes.finished


def test_a_refusal_the_leader_returns_goes_back_to_appraisal(counter_definition, start_data):
    run, changes = _to_appraisal(counter_definition, start_data)
    changes = run.complete_user_task(changes.ready[0].id, {"decision": "refuse"})
    changes = run.complete_user_task(
        changes.ready[0].id, {"refusal_decision": "return", "refusal_note": "Xem lại"}
    )
    assert statuses(changes) == ["4"] and not changes.finished
    [again] = changes.ready
    assert again.element_id == "appraisal"
    assert again.properties["assignToPerformerOf"] == "appraisal"


def test_supplement_timer_cancels_the_waiting_task_and_refuses(
    counter_definition, start_data, clock
):
    clock.freeze()
    start_data["supplement_wait"] = "PT1H"
    run, changes = _to_appraisal(counter_definition, start_data)
    changes = run.complete_user_task(changes.ready[0].id, {"decision": "supplement"})
    assert statuses(changes) == ["5"]
    waiting = changes.ready[0]
    assert waiting.element_id == "receive_supplement"
    assert changes.next_timer_at is not None
    state = run.dump()
    clock.advance(3599)
    assert statuses(ProcessRun.load(counter_definition, state).fire_timers()) == []
    clock.advance(2)
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
    run.complete_service_call(call.task_id, {"exists": True, "account": ACCOUNT})
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
    counter_definition, start_data, clock
):
    clock.freeze()
    start_data["appraisal_escalation"] = "PT1H"
    run, changes = _to_appraisal(counter_definition, start_data)
    appraisal = changes.ready[0]
    assert changes.next_timer_at is not None
    state = run.dump()
    clock.advance(3599)
    assert ProcessRun.load(counter_definition, state).fire_timers().completed == []
    clock.advance(2)
    run = ProcessRun.load(counter_definition, state)
    changes = run.fire_timers()
    escalations = [c for c in changes.completed if "escalate" in c.properties]
    assert [c.element_id for c in escalations] == ["escalation"]
    assert escalations[0].properties["escalate"] == "notify_leader,release_to_pool,raise_priority"
    assert [t.id for t in changes.ready] == [appraisal.id] and changes.left == []

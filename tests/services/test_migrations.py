"""Moving running dossiers to a newer model version: dry run, apply, blocked ones stay."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.models import AuditEvent, Dossier, HumanTask, ProcessInstance
from app.services.core import queue
from app.services.dossiers import tasks
from app.services.dossiers.dossier_queries import dossier_trace
from app.services.process_models import migrations
from app.services.process_models.deploy import deploy, read_bundle
from app.storage.db import db
from config import ROOT
from tests.services.helpers import complete, deliver, open_task, receive

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids: None)


def deploy_variant(old: str, new: str) -> int:
    files = read_bundle(ROOT / "bpmn")
    files["counter_dossier.bpmn"] = files["counter_dossier.bpmn"].replace(old, new)
    with db.transaction() as session:
        return deploy(
            session, files, process_id="counter_dossier", name="counter", deployed_by="test"
        ).id


@pytest.fixture
def running(actors) -> dict[str, str]:
    """One dossier waiting at appraisal (claimed), one waiting at reception, on version 1."""
    at_appraisal, at_reception = receive(actors["tiepnhan"]), receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(at_appraisal, "reception", actors["tiepnhan"], RECEPTION)
    tasks.claim_task(open_task(at_appraisal, "appraisal").id, actors["chuyenvien"])
    return {"appraisal": at_appraisal, "reception": at_reception}


def versions_of() -> dict[int, int]:
    with db.transaction() as session:
        return dict(
            session.execute(select(ProcessInstance.id, ProcessInstance.model_version_id)).all()
        )


def test_dry_run_tells_which_instances_can_move_and_why_not(actors, running):
    changed_appraisal = deploy_variant('name="Thẩm định hồ sơ"', 'name="Thẩm định lại"')
    plans = {
        p.dossier_code: p for p in migrations.dry_run(1, changed_appraisal, actors["phantich"])
    }
    assert plans[running["reception"]].movable
    assert not plans[running["appraisal"]].movable
    assert "«Thẩm định hồ sơ» đã thay đổi" in plans[running["appraisal"]].reasons[0]
    assert set(versions_of().values()) == {1}


def test_apply_moves_the_movable_keeps_claims_and_dossiers_finish_on_the_new_version(
    actors, running
):
    renamed_approval = deploy_variant('name="Phê duyệt kết quả"', 'name="Lãnh đạo phê duyệt"')
    report = migrations.apply(1, renamed_approval, actors["phantich"])
    assert sorted(report.moved) == sorted(running.values()) and report.blocked == []
    assert set(versions_of().values()) == {renamed_approval}
    step = open_task(running["appraisal"], "appraisal")
    assert step.assignee_id == actors["chuyenvien"].id
    complete(
        running["appraisal"],
        "appraisal",
        actors["chuyenvien"],
        {"decision": "accept", "appraisal_note": "Đủ điều kiện"},
    )
    assert open_task(running["appraisal"], "approval").title == "Lãnh đạo phê duyệt"
    with db.transaction() as session:
        assert (
            len(
                session.scalars(
                    select(AuditEvent).where(AuditEvent.kind == "instance_migrated")
                ).all()
            )
            == 2
        )
    assert migrations.apply(1, renamed_approval, actors["phantich"]).moved == []


def test_apply_leaves_blocked_instances_on_their_version(actors, running):
    changed_appraisal = deploy_variant('name="Thẩm định hồ sơ"', 'name="Thẩm định lại"')
    report = migrations.apply(1, changed_appraisal, actors["phantich"])
    assert report.moved == [running["reception"]]
    assert [b.dossier_code for b in report.blocked] == [running["appraisal"]]
    with db.transaction() as session:
        blocked = session.scalar(
            select(ProcessInstance)
            .join(HumanTask)
            .where(HumanTask.element_id == "appraisal", HumanTask.state == "open")
        )
    assert blocked.model_version_id == 1


def deploy_edited(file: str, old: str, new: str) -> int:
    files = read_bundle(ROOT / "bpmn")
    assert old in files[file]
    files[file] = files[file].replace(old, new)
    with db.transaction() as session:
        return deploy(
            session, files, process_id="counter_dossier", name="counter", deployed_by="test"
        ).id


def stored_steps(code: str) -> set[str]:
    with db.transaction() as session:
        state = session.scalar(
            select(ProcessInstance.state).join(Dossier).where(Dossier.code == code)
        )
    parsed = json.loads(state)
    subs = [t for s in parsed["subprocesses"].values() for t in s["tasks"].values()]
    return {t["task_spec"] for t in [*parsed["tasks"].values(), *subs]}


def test_steps_done_and_left_out_of_the_stored_state_still_block_a_version_changing_them(
    actors, running
):
    done = running["appraisal"]
    assert not {"reception", "find_account"} & stored_steps(done)
    changed_reception = deploy_variant('name="Tiếp nhận hồ sơ"', 'name="Tiếp nhận lại"')
    plans = {
        p.dossier_code: p for p in migrations.dry_run(1, changed_reception, actors["phantich"])
    }
    assert plans[done].reasons == ["bước «Tiếp nhận hồ sơ» đã thay đổi ở phiên bản mới"]
    changed_call = deploy_edited(
        "account_check.bpmn", 'id="find_account" name="', 'id="find_account" name="Tra lại: '
    )
    plans = {p.dossier_code: p for p in migrations.dry_run(1, changed_call, actors["phantich"])}
    [reason] = plans[done].reasons
    assert reason.startswith("quy trình con account_check: bước «") and "thay đổi" in reason


def test_a_moved_dossier_still_shows_the_path_it_took_before_the_move(actors, running):
    renamed_approval = deploy_variant('name="Phê duyệt kết quả"', 'name="Lãnh đạo phê duyệt"')
    migrations.apply(1, renamed_approval, actors["phantich"])
    trace = dossier_trace(running["appraisal"], actors["tiepnhan"])
    assert trace.done[:2] == ["start", "gw_channel"]
    assert {"find_account", "check_account", "reception"} <= set(trace.done)
    assert set(trace.waiting) == {"appraisal", "timer_appraisal"}

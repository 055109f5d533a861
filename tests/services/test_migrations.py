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


def migrated_events() -> list[int]:
    with db.transaction() as session:
        return list(
            session.scalars(
                select(AuditEvent.instance_id).where(AuditEvent.kind == "instance_migrated")
            )
        )


@pytest.fixture
def five_waiting(actors) -> list[str]:
    """Five dossiers waiting at reception on version 1."""
    codes = [receive(actors["tiepnhan"]) for _ in range(5)]
    deliver("portal.check_account", {"exists": True})
    return codes


def test_a_batch_that_fails_half_way_moves_none_of_its_instances_and_a_rerun_finishes(
    actors, five_waiting, monkeypatch
):
    from app import settings
    from app.services.core import runtime

    monkeypatch.setattr(settings.current, "MIGRATION_BATCH", 2)
    renamed = deploy_variant('name="Phê duyệt kết quả"', 'name="Lãnh đạo phê duyệt"')
    ids = sorted(versions_of())
    real_save, saves = runtime.save, []

    def crash_on_fourth(session, loaded, changes):  # noqa: ANN001, ANN202
        saves.append(loaded.instance.id)
        if len(saves) == 4:
            raise RuntimeError("worker killed")
        return real_save(session, loaded, changes)

    monkeypatch.setattr(runtime, "save", crash_on_fourth)
    with pytest.raises(RuntimeError):
        migrations.apply(1, renamed, actors["phantich"])
    # the first batch committed; the second (its first instance saved, then the crash) did not
    assert [versions_of()[i] for i in ids] == [renamed, renamed, 1, 1, 1]
    assert sorted(migrated_events()) == ids[:2]
    monkeypatch.setattr(runtime, "save", real_save)
    report = migrations.apply(1, renamed, actors["phantich"])
    assert sorted(report.moved) == sorted(five_waiting[2:]) and report.blocked == []
    assert set(versions_of().values()) == {renamed}
    assert sorted(migrated_events()) == ids


def test_a_concurrent_change_in_a_batch_holds_back_only_that_instance(
    actors, five_waiting, monkeypatch
):
    from app import settings
    from app.services.core import runtime
    from app.services.core.errors import Conflict

    monkeypatch.setattr(settings.current, "MIGRATION_BATCH", 5)
    renamed = deploy_variant('name="Phê duyệt kết quả"', 'name="Lãnh đạo phê duyệt"')
    ids = sorted(versions_of())
    busy, real_save = ids[2], runtime.save

    def officer_got_there_first(session, loaded, changes):  # noqa: ANN001, ANN202
        if loaded.instance.id == busy:
            raise Conflict("changed meanwhile")
        return real_save(session, loaded, changes)

    monkeypatch.setattr(runtime, "save", officer_got_there_first)
    report = migrations.apply(1, renamed, actors["phantich"])
    assert sorted(report.moved) == sorted(five_waiting[:2] + five_waiting[3:])
    assert [b.dossier_code for b in report.blocked] == [five_waiting[2]]
    assert "vừa thay đổi" in report.blocked[0].reasons[0]
    assert versions_of()[busy] == 1
    # the batch's first try was rolled back whole: one event per moved instance, no more
    assert sorted(migrated_events()) == [i for i in ids if i != busy]
    with db.transaction() as session:
        open_rows = session.scalars(
            select(HumanTask.instance_id).where(HumanTask.state == "open")
        ).all()
    assert sorted(open_rows) == ids

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
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


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


def plans_by_code(source: int, target: int, actor) -> dict:  # noqa: ANN001
    """The dry run's plan for each running dossier, by its code."""
    return {p.dossier_code: p for p in migrations.preview(source, target, actor).plans}


def test_dry_run_tells_which_instances_can_move_and_why_not(actors, running):
    changed_appraisal = deploy_variant('name="Thẩm định hồ sơ"', 'name="Thẩm định lại"')
    plans = plans_by_code(1, changed_appraisal, actors["phantich"])
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
    plans = plans_by_code(1, changed_reception, actors["phantich"])
    assert plans[done].reasons == ["bước «Tiếp nhận hồ sơ» đã thay đổi ở phiên bản mới"]
    changed_call = deploy_edited(
        "account_check.bpmn", 'id="find_account" name="', 'id="find_account" name="Tra lại: '
    )
    plans = plans_by_code(1, changed_call, actors["phantich"])
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
    from app.services.core import projection

    monkeypatch.setattr(settings.current, "MIGRATION_BATCH", 2)
    renamed = deploy_variant('name="Phê duyệt kết quả"', 'name="Lãnh đạo phê duyệt"')
    ids, saved_before = sorted(versions_of()), state_versions()
    real_apply, projected = projection.apply_changes, []

    def crash_on_fourth(session, instance_id, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        # the fourth instance's state is already written in its batch when the process dies
        projected.append(instance_id)
        if len(projected) == 4:
            raise RuntimeError("worker killed")
        return real_apply(session, instance_id, *args, **kwargs)

    monkeypatch.setattr(projection, "apply_changes", crash_on_fourth)
    with pytest.raises(RuntimeError):
        migrations.apply(1, renamed, actors["phantich"], processes=1)
    # the first batch committed; the second (its states saved, then the crash) did not
    assert [versions_of()[i] for i in ids] == [renamed, renamed, 1, 1, 1]
    assert sorted(migrated_events()) == ids[:2]
    monkeypatch.setattr(projection, "apply_changes", real_apply)
    report = migrations.apply(1, renamed, actors["phantich"], processes=1)
    assert sorted(report.moved) == sorted(five_waiting[2:]) and report.blocked == []
    assert set(versions_of().values()) == {renamed}
    assert sorted(migrated_events()) == ids
    assert_states_saved_once_per_move(saved_before)


def test_a_concurrent_change_in_a_batch_holds_back_only_that_instance(
    actors, five_waiting, monkeypatch
):
    from app import settings
    from app.services.core import runtime
    from app.services.core.errors import Conflict

    monkeypatch.setattr(settings.current, "MIGRATION_BATCH", 5)
    renamed = deploy_variant('name="Phê duyệt kết quả"', 'name="Lãnh đạo phê duyệt"')
    ids = sorted(versions_of())
    busy, real_save = ids[2], runtime.save_many

    def officer_got_there_first(session, runs):  # noqa: ANN001, ANN202
        if any(loaded.instance.id == busy for loaded, _changes in runs):
            raise Conflict("changed meanwhile")
        return real_save(session, runs)

    monkeypatch.setattr(runtime, "save_many", officer_got_there_first)
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


def state_versions() -> dict[int, int]:
    with db.transaction() as session:
        return dict(session.execute(select(ProcessInstance.id, ProcessInstance.version)).all())


def assert_states_saved_once_per_move(before: dict[int, int]) -> None:
    """Each instance's stored state was written once by the moves since `before` (its version
    counter went up by one), so no run moved it twice."""
    assert state_versions() == {i: version + 1 for i, version in before.items()}


@pytest.mark.postgres
def test_a_run_that_meets_another_run_of_the_same_move_moves_each_instance_once(
    actors, five_waiting, monkeypatch, database_url
):
    from app import settings
    from app.services.core import runtime

    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite takes the write lock at BEGIN: two runs cannot interleave there")

    monkeypatch.setattr(settings.current, "MIGRATION_BATCH", 5)
    renamed = deploy_variant('name="Phê duyệt kết quả"', 'name="Lãnh đạo phê duyệt"')
    ids, saved_before = sorted(versions_of()), state_versions()
    real_save, other = runtime.save_many, {}

    def another_run_commits_first(session, runs):  # noqa: ANN001, ANN202
        # this run has loaded the five on version 1; a second run moves them all meanwhile
        if not other:
            monkeypatch.setattr(runtime, "save_many", real_save)
            other["report"] = migrations.apply(1, renamed, actors["phantich"])
        return real_save(session, runs)

    monkeypatch.setattr(runtime, "save_many", another_run_commits_first)
    report = migrations.apply(1, renamed, actors["phantich"])
    assert sorted(other["report"].moved) == sorted(five_waiting)
    assert sorted(report.moved) == sorted(five_waiting) and report.blocked == []
    assert set(versions_of().values()) == {renamed}
    assert sorted(migrated_events()) == ids
    assert_states_saved_once_per_move(saved_before)


@pytest.mark.postgres
def test_processes_share_the_instances_and_move_each_once(
    actors, five_waiting, monkeypatch, database_url
):
    from app import settings

    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer: the move runs in one process there")
    monkeypatch.setattr(settings.current, "MIGRATION_BATCH", 2)
    renamed = deploy_variant('name="Phê duyệt kết quả"', 'name="Lãnh đạo phê duyệt"')
    ids, saved_before = sorted(versions_of()), state_versions()
    report = migrations.apply(1, renamed, actors["phantich"], processes=2)
    assert sorted(report.moved) == sorted(five_waiting) and report.blocked == []
    assert set(versions_of().values()) == {renamed}
    assert sorted(migrated_events()) == ids
    assert_states_saved_once_per_move(saved_before)
    # run again while nothing is left on version 1: nothing moves twice
    assert migrations.apply(1, renamed, actors["phantich"], processes=2).moved == []
    assert sorted(migrated_events()) == ids


@pytest.mark.postgres
def test_a_process_that_dies_half_way_loses_only_its_open_batch_and_a_rerun_finishes(
    actors, five_waiting, monkeypatch, database_url
):
    from app import settings
    from app.services.core import projection

    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer: the move runs in one process there")
    monkeypatch.setattr(settings.current, "MIGRATION_BATCH", 1)
    renamed = deploy_variant('name="Phê duyệt kết quả"', 'name="Lãnh đạo phê duyệt"')
    ids, saved_before = sorted(versions_of()), state_versions()
    doomed, real_apply = ids[3], projection.apply_changes

    def crash_at_doomed(session, instance_id, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if instance_id == doomed:
            raise RuntimeError("worker killed")
        return real_apply(session, instance_id, *args, **kwargs)

    monkeypatch.setattr(projection, "apply_changes", crash_at_doomed)
    with pytest.raises(RuntimeError):
        migrations.apply(1, renamed, actors["phantich"], processes=2)
    assert versions_of()[doomed] == 1
    assert doomed not in migrated_events()
    monkeypatch.setattr(projection, "apply_changes", real_apply)
    report = migrations.apply(1, renamed, actors["phantich"], processes=2)
    assert report.moved == [five_waiting[ids.index(doomed)]] and report.blocked == []
    assert set(versions_of().values()) == {renamed}
    assert sorted(migrated_events()) == ids
    assert_states_saved_once_per_move(saved_before)

"""Reorganisation (sắp xếp đơn vị hành chính, 1/7/2025): three communes merged into one and a
district abolished into it, with dossiers in every state. The plan is checked and refused with
every problem; the dry run says dossier by dossier what apply then does; a run killed half-way
resumes to the same end; every moved dossier is finished by the successor's officers; the
portal is told of each transfer."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from app.domain.reorganisation import PlanError, plan_from_json
from app.models import (
    AdminUnit,
    Agency,
    AuditEvent,
    Dossier,
    HumanTask,
    OutboxMessage,
    PaperShipment,
    Procedure,
    ProcessInstance,
    ReorgItem,
    ReorgPlan,
    User,
)
from app.services.citizens import actions
from app.services.core.actors import SYSTEM
from app.services.core.errors import Conflict
from app.services.reorganisation import cutover, moves
from app.storage.db import db
from tests.services import reorg_world as world
from tests.services.helpers import complete, notices_of, open_task
from tests.support.stack import app_environment
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
MOVED_TITLE = "Chuyển hồ sơ do sắp xếp đơn vị hành chính: đến UBND xã Tiên Lữ"


@pytest.fixture
def dossiers(app) -> world.Dossiers:
    world.build()
    return world.seed_dossiers()


def dry(plan) -> dict[str, moves.Entry]:  # noqa: ANN001
    problems, entries = moves.dry_run(plan)
    assert problems == []
    return {e.code: e for e in entries}


def outcomes(plan_id: int) -> dict[str, tuple]:
    with db.transaction() as session:
        rows = session.execute(
            select(Dossier.code, ReorgItem.outcome, ReorgItem.reason, Agency.code, ReorgItem.detail)
            .join(Dossier, Dossier.id == ReorgItem.dossier_id)
            .outerjoin(Agency, Agency.id == ReorgItem.target_agency_id)
            .where(ReorgItem.plan_id == plan_id)
        ).all()
    return {
        code: (outcome, reason, target, detail) for code, outcome, reason, target, detail in rows
    }


def expected(entries: dict[str, moves.Entry]) -> dict[str, tuple]:
    return {code: (e.outcome, e.reason, e.target, e.detail()) for code, e in entries.items()}


def agency_of_dossier(code: str) -> str:
    with db.transaction() as session:
        return session.scalar(
            select(Agency.code)
            .join(Dossier, Dossier.agency_id == Agency.id)
            .where(Dossier.code == code)
        )


def timers() -> dict[str, tuple]:
    with db.transaction() as session:
        return {
            code: (due, timer)
            for code, due, timer in session.execute(
                select(Dossier.code, Dossier.due_at, ProcessInstance.next_timer_at).join(
                    ProcessInstance, ProcessInstance.dossier_id == Dossier.id
                )
            )
        }


def count(kind: str) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).where(AuditEvent.kind == kind))


def test_a_plan_with_a_missing_successor_is_refused_with_every_problem(app):
    world.build()
    with db.transaction() as session:
        # the synced catalog says Quảng Châu merged; the plan below forgets its agency
        session.add(
            AdminUnit(
                code="12391",
                name="Xã Quảng Châu",
                level="commune",
                province_code="33",
                status="merged",
                successor_code="12364",
            )
        )

    def without_x3_and_leaders(x2_to: str):  # noqa: ANN202
        return world.plan(
            agencies=[
                {"from": "X1", "to": "M"},
                {"from": "X2", "to": x2_to},
                {"from": "D", "to": "M", "departments": {"D.TP": "M.TP"}},
            ],
            officers=[
                {"username": "tn1", "agency": "M", "roles": ["reception"]},
                {"username": "cv1", "agency": "M", "roles": ["processing"]},
            ],
        )

    with pytest.raises(cutover.PlanRefused) as refused:
        cutover.record_plan(without_x3_and_leaders("ZZ.99"), SYSTEM)
    # the successor first: nothing else can be judged without it
    assert refused.value.problems == [
        "UBND xã Liên Phương: cơ quan kế thừa ZZ.99 không có hoặc đã ngừng hoạt động"
    ]
    fixed = without_x3_and_leaders("M")
    with pytest.raises(cutover.PlanRefused) as refused:
        cutover.record_plan(fixed, SYSTEM)
    assert refused.value.problems == [
        "UBND xã Tiên Lữ: không còn cán bộ giữ vai trò Lãnh đạo"
        " (đang có ở UBND huyện Tiên Lữ, UBND xã Hồng Nam, UBND xã Liên Phương)",
        "Phòng Văn hoá - Xã hội xã Tiên Lữ: không còn cán bộ giữ vai trò Chuyên viên xử lý"
        " (đang có ở Phòng Tư pháp huyện Tiên Lữ)",
        "UBND xã Quảng Châu: đơn vị hành chính 12391 đã sáp nhập vào 12364"
        " nhưng cơ quan chưa có trong phương án",
    ]
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ReorgPlan)) == 0
        assert session.scalar(select(Agency.active).where(Agency.code == "X1")) is True
    # shape problems are all found at once, cycles included
    with pytest.raises(PlanError) as shape:
        plan_from_json(
            world.plan_body(
                cutover_at="ngày mai",
                agencies=[{"from": "X1", "to": "X2"}, {"from": "X2", "to": "X1"}],
                officers=[{"username": "tn1", "agency": "M", "roles": ["boss"]}],
            )
        )
    assert shape.value.problems == [
        "Thời điểm chuyển đổi «ngày mai» không hợp lệ (ví dụ 2025-07-01T00:00:00+07:00)",
        "Cán bộ tn1: vai trò «boss» không có (dùng: reception, processing, leader, supervisor,"
        " analyst, admin)",
        "Cán bộ tn1: cần ít nhất một vai trò ở M",
        "Vòng lặp cơ quan kế thừa: X1 → X2 → X1",
    ]


@pytest.mark.simulators
def test_dry_run_equals_apply_and_the_successor_finishes_every_moved_dossier(
    dossiers, drain, portal_url
):
    plan = world.plan()
    d = dossiers
    # paper on its way by post (BCCI) to the district when it is abolished
    with db.transaction() as session:
        ids = dict(session.execute(select(Agency.code, Agency.id)).all())
        paper = PaperShipment(
            dossier_id=session.scalar(select(Dossier.id).where(Dossier.code == d.district)),
            direction="dossier",
            tracking_code="EB123456789VN",
            from_agency_id=ids["X1"],
            to_agency_id=ids["D"],
        )
        session.add(paper)
        session.flush()
        paper_id = paper.id
    before = timers()
    entries = dry(plan)
    assert entries[d.district].shipments == [paper_id]
    # the finished dossier is not listed; the stranded one is refused with its reason
    assert set(entries) == set(d.all()) - {d.finished}
    assert entries[d.stranded].outcome == "refused"
    assert entries[d.stranded].reason == (
        "Phòng Văn hoá - Xã hội xã Tiên Lữ không có cán bộ giữ vai trò Chuyên viên xử lý"
    )
    leaving = entries[d.claimed_leaving].steps
    assert [(s.title, s.role, s.source, s.target, s.released) for s in leaving] == [
        ("Thẩm định hồ sơ", "processing", "X2", "M", True)
    ]
    assert [s.released for s in entries[d.claimed_staying].steps] == [False]
    assert entries[d.claimed_staying].timer_at is not None  # the escalation timer carries over
    assert entries[d.payment].timer_at is not None  # so does the payment wait

    plan_id = cutover.record_plan(plan, SYSTEM)
    report = cutover.apply(plan_id)
    assert (report.before, report.moved, report.finished, report.refused, report.pending) == (
        7,
        6,
        0,
        1,
        0,
    )
    assert report.reconciles and report.state == "applied"
    assert outcomes(plan_id) == expected(entries)
    # code, history, clock and timers kept; the steps now in the successor's pools
    after = timers()
    assert after == before
    for code in set(d.all()) - {d.finished, d.stranded}:
        assert agency_of_dossier(code) == "M"
    assert agency_of_dossier(d.stranded) == "D"  # refused: left where it was, visibly
    assert open_task(d.claimed_staying, "appraisal").assignee_id == world.officer("cv1").id
    assert open_task(d.claimed_leaving, "appraisal").assignee_id is None
    assert any(
        "trả về nhóm xử lý của UBND xã Tiên Lữ" in m and d.claimed_leaving in m
        for m in notices_of("cv2")
    )
    assert any("bước xử lý được chuyển đến nhóm của bạn" in m for m in notices_of("cv1"))
    # the officers: the plan's ones hold its roles; the others lost the abolished units
    assert world.officer("tn2").roles == {("reception", _id("M"))}
    assert world.officer("cv2").roles == frozenset()
    with db.transaction() as session:
        assert session.scalar(select(User.active).where(User.username == "cv2")) is False
        closed = session.scalars(select(Agency.code).where(Agency.active.is_(False))).all()
        assert set(closed) >= {"X1", "X2", "X3", "D", "D.TP"}
        procedure = session.scalar(select(Procedure).where(Procedure.code == "2.000488"))
        assert procedure.agency.code == "M"
        assert [a.code for a in procedure.agencies] == ["M"]
    assert count("dossier_reorganised") == 6
    successor = _id("M")
    with db.transaction() as session:
        # the post office delivers it to the successor
        assert session.get(PaperShipment, paper_id).to_agency_id == successor
    # the portal heard of each transfer, over HTTP through the outbox
    drain()
    told = [
        p["body"]["dossier_code"]
        for p in requests.get(f"{portal_url}/_sim/progress", timeout=5).json()
        if p["body"]["title"] == MOVED_TITLE
    ]
    assert sorted(told) == sorted(set(d.all()) - {d.finished, d.stranded})
    # run again: nothing moves twice
    assert cutover.apply(plan_id) == report
    assert count("dossier_reorganised") == 6
    # the successor's officers carry every moved dossier to its end
    finish_at_successor(d)


def _id(code: str) -> int:
    with db.transaction() as session:
        return session.scalar(select(Agency.id).where(Agency.code == code))


ANSWERS = {
    "reception": world.RECEPTION,
    "appraisal": {"decision": "accept", "appraisal_note": "Đủ điều kiện"},
    "receive_supplement": {"supplement_received": True},
    "approval": {"approval_decision": "approve", "result_name": "Phiếu lý lịch tư pháp"},
    "return_result": {"return_method": "counter", "receiver_name": "Nguyễn Văn An"},
}
BY_ROLE = {"reception": "tn2", "processing": "cv1", "leader": "dld"}


def finish_at_successor(d: world.Dossiers) -> None:
    actions.pay(d.payment, _fee(d.payment), "PAY-REORG-1")
    for code in set(d.all()) - {d.finished, d.stranded}:
        for _ in range(12):
            with db.transaction() as session:
                done = session.scalar(select(Dossier.finished_at).where(Dossier.code == code))
                step = session.scalar(
                    select(HumanTask).where(
                        HumanTask.dossier.has(code=code), HumanTask.state == "open"
                    )
                )
            if done is not None:
                break
            if step is None:
                from tests.services.helpers import deliver

                for operator in ("portal.check_account", "warehouse.store_result"):
                    deliver(operator, {"exists": True, "document_id": "KQ-1"})
                continue
            assert step.agency_id == _id("M"), (code, step.element_id)
            complete(
                code, step.element_id, world.officer(BY_ROLE[step.role]), ANSWERS[step.element_id]
            )
        assert done is not None, f"{code} did not finish at the successor"


def _fee(code: str) -> int:
    return int(actions.waiting_for(code)["fee_amount"])


def test_a_run_killed_half_way_resumes_to_the_end_of_a_clean_run(dossiers, app):
    plan = world.plan()
    entries = dry(plan)
    plan_id = cutover.record_plan(plan, SYSTEM)
    env = app_environment(app, REORG_THROTTLE_MS="700")
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "app",
            "reorg",
            "apply",
            str(plan_id),
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    wait_until(lambda: _done(plan_id) >= 2, timeout=60, what="two dossiers moved by the run")
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=10)
    done = _done(plan_id)
    assert 2 <= done < 7, run.stderr.read().decode()
    with db.transaction() as session:
        assert session.scalar(select(ReorgPlan.state).where(ReorgPlan.id == plan_id)) == (
            "transferring"
        )
    report = cutover.apply(plan_id)
    assert (report.before, report.moved, report.refused, report.pending) == (7, 6, 1, 0)
    assert outcomes(plan_id) == expected(entries)
    assert count("dossier_reorganised") == 6 and count("reorganisation_cut_over") == 1
    with db.transaction() as session:
        told = session.scalars(
            select(OutboxMessage.params).where(OutboxMessage.operator == "portal.sync_progress")
        ).all()
    assert sorted(p["dossier_code"] for p in told if p["title"] == MOVED_TITLE) == sorted(
        set(dossiers.all()) - {dossiers.finished, dossiers.stranded}
    )


def _done(plan_id: int) -> int:
    with db.transaction() as session:
        return session.scalar(
            select(func.count()).where(ReorgItem.plan_id == plan_id, ReorgItem.outcome != "pending")
        )


def test_a_dossier_withdrawn_during_the_run_is_counted_as_finished(dossiers):
    plan_id = cutover.record_plan(world.plan(), SYSTEM)
    first = cutover.apply(plan_id, limit=2)
    assert (first.before, first.pending, first.state) == (7, 5, "transferring")
    actions.withdraw(dossiers.district, "Không cần nữa")
    report = cutover.apply(plan_id)
    assert (report.moved, report.finished, report.refused) == (5, 1, 1)
    assert report.reconciles
    assert dict(report.refusals)[dossiers.stranded].startswith("Phòng Văn hoá")


def test_apply_waits_for_the_cut_over_time(dossiers):
    plan_id = cutover.record_plan(world.plan(cutover_at="2099-07-01T00:00:00+07:00"), SYSTEM)
    with pytest.raises(Conflict, match="Chưa đến thời điểm chuyển đổi"):
        cutover.apply(plan_id)
    assert world.officer("cv2").roles  # nobody lost access before the time


def test_a_batch_that_fails_half_way_moves_none_of_its_dossiers_and_a_rerun_finishes(
    dossiers, monkeypatch
):
    from app import settings
    from app.services.reorganisation import transfer

    monkeypatch.setattr(settings.current, "MIGRATION_BATCH", 4)
    plan = world.plan()
    entries = dry(plan)
    plan_id = cutover.record_plan(plan, SYSTEM)
    real_move, moves = transfer._move_rows, []

    def crash_on_sixth(*args):  # noqa: ANN002, ANN202
        # the batch's instance states are already written when the process dies
        moves.append(args)
        if len(moves) == 6:
            raise RuntimeError("worker killed")
        return real_move(*args)

    monkeypatch.setattr(transfer, "_move_rows", crash_on_sixth)
    with pytest.raises(RuntimeError):
        cutover.apply(plan_id)
    # the first batch of four committed; the second, cut off after moving one, left nothing
    assert _done(plan_id) == 4
    with db.transaction() as session:
        moved = session.scalar(
            select(func.count()).where(ReorgItem.plan_id == plan_id, ReorgItem.outcome == "moved")
        )
    assert count("dossier_reorganised") == moved < 6
    monkeypatch.setattr(transfer, "_move_rows", real_move)
    report = cutover.apply(plan_id)
    assert (report.before, report.moved, report.refused, report.pending) == (7, 6, 1, 0)
    assert outcomes(plan_id) == expected(entries)
    assert count("dossier_reorganised") == 6


def test_an_officer_changing_a_dossier_of_a_batch_holds_back_only_that_dossier(
    dossiers, monkeypatch
):
    from app import settings
    from app.services.core import runtime
    from app.services.reorganisation import transfer

    monkeypatch.setattr(settings.current, "MIGRATION_BATCH", 7)
    plan = world.plan()
    entries = dry(plan)
    plan_id = cutover.record_plan(plan, SYSTEM)
    real_save, attempts = runtime.save_many, []

    def busy_once(session, runs):  # noqa: ANN001, ANN202
        # an officer completed a step of one of the batch's dossiers after it was loaded
        attempts.append([loaded.dossier.code for loaded, _changes in runs])
        if len(attempts) == 1:
            raise Conflict("changed meanwhile")
        return real_save(session, runs)

    monkeypatch.setattr(transfer.runtime, "save_many", busy_once)
    report = cutover.apply(plan_id)
    assert (report.before, report.moved, report.refused, report.pending) == (7, 6, 1, 0)
    assert outcomes(plan_id) == expected(entries)
    assert len(attempts[0]) == 6  # the batch's six movable dossiers, saved together
    # the batch's first try was rolled back whole: one event per moved dossier, no more
    assert count("dossier_reorganised") == 6


@pytest.mark.postgres
def test_two_runs_at_once_on_the_same_dossiers_move_each_dossier_once(
    dossiers, monkeypatch, database_url
):
    import threading

    from app import settings

    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite takes the write lock at BEGIN: two runs cannot interleave there")
    monkeypatch.setattr(settings.current, "MIGRATION_BATCH", 3)
    plan = world.plan()
    entries = dry(plan)
    plan_id = cutover.record_plan(plan, SYSTEM)
    cutover.apply(plan_id, limit=0)  # the cut-over, so both runs start on the transfers
    start, failures = threading.Barrier(2), []

    def run() -> None:
        start.wait()
        try:
            cutover.apply(plan_id)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    runs = [threading.Thread(target=run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(timeout=120)
    assert failures == []
    report = cutover.report(plan_id)
    assert (report.before, report.moved, report.refused, report.pending) == (7, 6, 1, 0)
    assert outcomes(plan_id) == expected(entries)
    assert count("dossier_reorganised") == 6 and count("reorganisation_applied") == 1

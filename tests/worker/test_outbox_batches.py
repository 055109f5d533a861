"""A dossier's ready calls go out in order in one job; the sweeper hands off only rows that
nobody holds or queues; a row whose worker died is delivered again, once, after the claim
timeout. Real Redis, RQ worker and portal simulator, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
import requests
from redis import Redis
from rq import Queue
from sqlalchemy import select

from app import settings
from app.models import Incident, OutboxMessage
from app.services.core import outbox, queue
from app.services.core.outbox import retry_incident
from app.services.dossiers import tasks
from app.storage.db import db
from tests.services.helpers import complete, open_task, receive, settle
from tests.support.databases import database_url  # noqa: F401 - a fixture: both databases

pytestmark = [pytest.mark.fault, pytest.mark.simulators]
RECEPTION_FORM = {"components_checked": True, "original_count": 1, "copy_count": 0}


@pytest.fixture
def handed_off(monkeypatch) -> list[int]:
    """The outbox ids handed to the queue (one RQ job each), in order."""
    ids: list[int] = []

    def counting(outbox_ids, waited) -> None:
        outbox_ids = list(outbox_ids)
        ids.extend(outbox_ids)
        queue.rq_enqueue(outbox_ids, waited)

    monkeypatch.setattr(queue, "enqueue", counting)
    return ids


def statuses(portal_received) -> list[int]:
    return [m["body"]["status"] for m in portal_received()]


def rows(operator: str | None = None) -> list[OutboxMessage]:
    with db.transaction() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if operator:
            query = query.where(OutboxMessage.operator == operator)
        return list(session.scalars(query))


def queued_jobs(app, redis_server) -> int:
    connection = Redis.from_url(redis_server.url)
    return sum(Queue(name, connection=connection).count for name in queue.names())


def three_statuses_waiting_behind_an_incident(actors, drain, clock, portal_url) -> tuple[str, int]:
    """A dossier whose statuses 1, 2 and 4 wait: the first one given up on while the portal
    was down. Returns the dossier code and the incident of that first status."""
    requests.post(f"{portal_url}/_sim/faults", json={"fail_next": 1000, "status": 503}, timeout=5)
    code = receive(actors["tiepnhan"])
    settle(drain, clock, lambda: len(rows()) == 2 and {r.state for r in rows()} == {"incident"})
    requests.post(f"{portal_url}/_sim/faults", json={"fail_next": 0}, timeout=5)
    with db.transaction() as session:
        check = session.scalar(select(Incident).where(Incident.operator == "portal.check_account"))
        first = session.scalar(select(Incident).where(Incident.operator == "portal.sync_status"))
    retry_incident(check.id, actors["giamsat"])
    settle(drain, clock, lambda: open_task(code, "reception") is not None)
    complete(code, "reception", actors["tiepnhan"], RECEPTION_FORM)
    drain()
    assert [r.state for r in rows("portal.sync_status")] == ["incident", "pending", "pending"]
    return code, first.id


def test_a_dossiers_waiting_statuses_go_out_in_order_in_one_job(
    actors, drain, clock, portal_url, portal_received, handed_off
):
    _, incident = three_statuses_waiting_behind_an_incident(actors, drain, clock, portal_url)
    handed_off.clear()
    retry_incident(incident, actors["giamsat"])
    settle(drain, clock, lambda: len(portal_received()) == 3)
    assert statuses(portal_received) == [1, 2, 4]
    assert len(handed_off) == 1  # the retried row's job delivered the two behind it too
    assert {r.state for r in rows("portal.sync_status")} == {"done"}
    keys = [m["idempotency_key"] for m in portal_received()]
    assert len(keys) == len(set(keys)) == 3


def test_a_job_delivers_at_most_the_batch_size_and_queues_the_rest(
    actors, drain, clock, portal_url, portal_received, handed_off, monkeypatch
):
    _, incident = three_statuses_waiting_behind_an_incident(actors, drain, clock, portal_url)
    monkeypatch.setattr(settings.current, "OUTBOX_BATCH_ROWS", 2)
    handed_off.clear()
    retry_incident(incident, actors["giamsat"])
    settle(drain, clock, lambda: len(portal_received()) == 3)
    assert statuses(portal_received) == [1, 2, 4]
    [first, second] = handed_off
    assert second == rows("portal.sync_status")[2].id  # the third waited for a job of its own


def test_a_job_out_of_time_hands_the_rest_back_to_the_queue(
    actors, drain, clock, portal_url, portal_received, handed_off, monkeypatch
):
    _, incident = three_statuses_waiting_behind_an_incident(actors, drain, clock, portal_url)
    monkeypatch.setattr(settings.current, "OUTBOX_BATCH_SECONDS", 0)
    handed_off.clear()
    retry_incident(incident, actors["giamsat"])
    settle(drain, clock, lambda: len(portal_received()) == 3)
    assert statuses(portal_received) == [1, 2, 4]
    first = rows("portal.sync_status")[0]
    behind = [r.id for r in rows() if r.ordering_key == first.ordering_key and r.id >= first.id]
    assert handed_off == behind  # one job per row: each went back through the queue


def test_the_sweeper_leaves_rows_whose_jobs_still_wait_in_the_queue(
    app, redis_server, actors, drain, clock, portal_received
):
    clock.freeze()
    receive(actors["tiepnhan"])  # two rows, one job queued, no worker has run yet
    assert len(rows()) == 2 and queued_jobs(app, redis_server) == 1
    clock.advance(settings.current.OUTBOX_SWEEP_AFTER + 30)
    # the dossier's job was handed its account check (a call its process waits for, see
    # test_waited_queue); the status row was left to that job and is now stale
    [other] = [r.id for r in rows() if r.operator == "portal.sync_status"]
    assert outbox.sweep() == [other]
    assert outbox.sweep() == []  # the queued ones are not queued twice
    assert queued_jobs(app, redis_server) == 2  # no duplicate feeds the backlog
    settle(drain, clock, lambda: {r.state for r in rows()} == {"done"})
    assert statuses(portal_received) == [1]


def test_the_sweeper_hands_off_a_row_whose_job_was_lost(
    app, redis_server, actors, drain, clock, portal_received
):
    clock.freeze()
    receive(actors["tiepnhan"])
    Redis.from_url(redis_server.url).flushdb()  # Redis lost its queue
    clock.advance(settings.current.OUTBOX_SWEEP_AFTER + 1)
    assert sorted(outbox.sweep()) == [r.id for r in rows()]
    settle(drain, clock, lambda: {r.state for r in rows()} == {"done"})
    assert statuses(portal_received) == [1]


def test_a_row_a_worker_holds_is_not_swept_until_its_claim_times_out_then_delivered_once(
    actors, drain, clock, portal_received, monkeypatch
):
    clock.freeze()
    # nothing queued: the sweeper's turn
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)
    receive(actors["tiepnhan"])
    [sync] = rows("portal.sync_status")
    assert outbox.claim(sync.id) is not None  # a worker took it, then died before delivering
    monkeypatch.setattr(queue, "enqueue", queue.rq_enqueue)
    timeout = settings.current.OUTBOX_CLAIM_TIMEOUT
    clock.advance(timeout / 2)
    assert sync.id not in outbox.sweep()
    drain()
    assert [r.state for r in rows("portal.sync_status")] == ["running"]
    assert portal_received() == []
    clock.advance(timeout)
    settle(drain, clock, lambda: {r.state for r in rows()} == {"done"})
    for _ in range(3):  # more passes deliver nothing more
        clock.advance(timeout + 1)
        drain()
    assert statuses(portal_received) == [1]
    assert rows("portal.sync_status")[0].attempts == 2


def test_a_row_is_claimed_once_however_many_workers_race_for_it(actors, clock, monkeypatch):
    clock.freeze()
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)
    receive(actors["tiepnhan"])
    [sync] = rows("portal.sync_status")
    racers = 1 if db.engine.dialect.name == "sqlite" else 6
    start = threading.Barrier(racers)
    won: list[object] = []

    def race() -> None:
        start.wait()
        won.append(outbox.claim(sync.id))
        won.append(outbox.claim_next(sync.ordering_key))

    threads = [threading.Thread(target=race) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    taken = [c for c in won if c is not None]
    assert [c.id for c in taken] == [sync.id]
    assert taken[0].attempts == 1 and rows("portal.sync_status")[0].state == "running"


def test_the_next_row_of_a_dossier_is_not_claimed_while_an_earlier_one_is_undone(
    actors, drain, clock, portal_url
):
    three_statuses_waiting_behind_an_incident(actors, drain, clock, portal_url)
    [first, second, third] = rows("portal.sync_status")
    assert outbox.claim_next(first.ordering_key) is None  # the first is an incident
    assert outbox.claim(second.id) is None and outbox.claim(third.id) is None


def test_each_officer_step_hands_its_dossier_to_one_job_which_delivers_what_follows(
    actors, drain, clock, portal_received, handed_off
):
    code = receive(actors["tiepnhan"])
    settle(drain, clock, lambda: open_task(code, "reception") is not None)
    assert len(handed_off) == 1  # the account check, status 1 and what the check led to
    steps = [
        ("reception", "tiepnhan", RECEPTION_FORM),
        ("appraisal", "chuyenvien", {"decision": "accept", "appraisal_note": "Đủ điều kiện"}),
        ("approval", "lanhdao", {"approval_decision": "approve", "result_name": "Phiếu số 1"}),
    ]
    for element, who, form in steps:  # the worker alone issues the result after approval
        tasks.complete_task(open_task(code, element).id, actors[who], form)
        drain()
    settle(drain, clock, lambda: open_task(code, "return_result") is not None)
    complete(
        code,
        "return_result",
        actors["tiepnhan"],
        {"return_method": "counter", "receiver_name": "Nguyễn Văn An"},
    )
    settle(drain, clock, lambda: {r.state for r in rows()} == {"done"})
    assert len(handed_off) == 5  # one per officer step, for the dossier's thirteen calls
    assert len(rows("documents.issue_result")) == 1  # the issuing went in the approval's job
    assert len(rows()) > len(handed_off)
    assert statuses(portal_received) == [1, 2, 4, 9, 10]
    keys = [m["idempotency_key"] for m in portal_received()]
    assert len(keys) == len(set(keys))


def test_a_row_handed_off_again_while_its_job_runs_gets_a_job_of_its_own(
    app, redis_server, actors, drain, clock, portal_received, monkeypatch
):
    """A worker's end-of-batch hand-off can name a row whose first job is still running.
    Both jobs run, neither fails: one job id for both made RQ delete the second with the
    first, and the row then waited for the sweeper."""
    import worker.jobs

    clock.freeze()
    runs: list[int] = []
    deliver_rows = worker.jobs._deliver_rows

    def handed_off_again_while_running(outbox_id: int) -> str:
        runs.append(outbox_id)
        if len(runs) == 1:
            queue.dispatch([outbox_id])
            assert queue.waiting([outbox_id]) == {outbox_id}
        return deliver_rows(outbox_id)

    monkeypatch.setattr(worker.jobs, "_deliver_rows", handed_off_again_while_running)
    receive(actors["tiepnhan"])
    settle(drain, clock, lambda: {r.state for r in rows()} == {"done"})
    assert len(runs) == 2 and runs[0] == runs[1]  # the second hand-off ran
    connection = Redis.from_url(redis_server.url)
    for name in queue.names():
        assert Queue(name, connection=connection).failed_job_registry.count == 0
    assert statuses(portal_received) == [1]


def test_a_job_claims_each_next_row_in_the_transaction_that_marks_the_last_one_done(
    actors, drain, clock, portal_received, monkeypatch
):
    separate: list[str] = []

    def counted(name: str):  # noqa: ANN202
        original = getattr(outbox, name)

        def call(*args):  # noqa: ANN002, ANN202
            separate.append(name)
            return original(*args)

        return call

    for name in ("claim_for_dossier", "claim_next", "next_ready"):
        monkeypatch.setattr(outbox, name, counted(name))
    code = receive(actors["tiepnhan"])
    settle(drain, clock, lambda: open_task(code, "reception") is not None)
    assert len(rows()) == 2 and {r.state for r in rows()} == {"done"}  # one job, both rows
    # no claim or look-up of a transaction of its own between rows; one look after the job's
    # last commit, for a row committed while that transaction ran
    assert separate == ["next_ready"]
    assert statuses(portal_received) == [1]


def test_a_transaction_that_fails_after_claiming_the_next_row_leaves_it_pending(
    actors, drain, clock, portal_received, monkeypatch
):
    """Marking a row done and claiming the next commit together or not at all: a row is
    never left claimed by a job that failed, and both go out once more later."""
    import worker.jobs

    clock.freeze()
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)  # the job is run here
    receive(actors["tiepnhan"])
    follow_up = outbox.Follow.follow_up
    claimed_inside: list[set[int]] = []

    def then_fails(self, session) -> None:  # noqa: ANN001
        follow_up(self, session)
        running = select(OutboxMessage.id).where(OutboxMessage.state == "running")
        claimed_inside.append(set(session.scalars(running)))
        raise RuntimeError("the commit failed")

    monkeypatch.setattr(outbox.Follow, "follow_up", then_fails)
    first, second = rows()[:2]
    with pytest.raises(RuntimeError):
        worker.jobs.deliver_outbox(first.id)
    assert claimed_inside == [{second.id}]  # the first was done in there, the next claimed
    assert [r.state for r in rows()][:2] == ["running", "pending"]
    monkeypatch.setattr(outbox.Follow, "follow_up", follow_up)
    monkeypatch.setattr(queue, "enqueue", queue.rq_enqueue)
    clock.advance(settings.current.OUTBOX_CLAIM_TIMEOUT + 1)
    settle(drain, clock, lambda: {r.state for r in rows()} == {"done"})
    assert rows()[0].attempts == 2 and rows()[1].attempts == 1
    assert statuses(portal_received) == [1]


@pytest.mark.postgres
def test_a_row_committed_while_the_job_commits_its_last_row_is_handed_off_not_left(
    actors, drain, clock, handed_off, monkeypatch, request
):
    """The race behind late statuses in a burst: an officer's step commits a status of a
    dossier while the dossier's job is committing its last status. That job's claim ran before
    the new row was there; the new row's own job finds the earlier status still running and
    gives up. The delivering job looks again after its commit and hands the row off."""
    if request.node.callspec.params["database_url"] != "postgres":
        pytest.skip("SQLite has one writer at a time: the two transactions cannot overlap")
    import worker.jobs

    code = receive(actors["tiepnhan"])
    settle(drain, clock, lambda: open_task(code, "reception") is not None)
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: handed_off.append(ids))  # run here
    handed_off.clear()
    tasks.complete_task(open_task(code, "reception").id, actors["tiepnhan"], RECEPTION_FORM)
    [[job_row]] = handed_off
    status = rows("portal.sync_status")[-1]  # status 2, in the dossier's order
    follow_up = outbox.Follow.follow_up
    late: dict[str, object] = {}

    def officer_commits_meanwhile() -> None:
        with db.transaction() as session:
            outbox.add(
                session,
                status.operator,
                dict(status.params),
                dossier_id=status.dossier_id,
                ordering_key=status.ordering_key,
            )
        late["row"] = rows()[-1].id
        late["its job"] = worker.jobs.deliver_outbox(late["row"])

    def last_claim_then_a_row_arrives(self, session) -> None:  # noqa: ANN001
        follow_up(self, session)
        running = select(OutboxMessage.id).where(OutboxMessage.state == "running")
        if "row" not in late and session.scalar(running) is None:
            # the job's last row, done in here: its claim found nothing; not yet committed
            thread = threading.Thread(target=officer_commits_meanwhile)
            thread.start()
            thread.join(timeout=30)

    handed_off.clear()
    monkeypatch.setattr(outbox.Follow, "follow_up", last_claim_then_a_row_arrives)
    worker.jobs.deliver_outbox(job_row)
    assert late["its job"] == "skipped"  # the dossier's earlier status was still running then
    assert rows()[-1].id == late["row"] and rows()[-1].state == "pending"
    # handed off by the officer's commit (the job that gave up) and again by the job that
    # delivered the earlier rows, after its commit: that one takes it
    assert handed_off == [[late["row"]], [late["row"]]]

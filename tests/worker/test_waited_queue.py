"""The calls a process waits for (a BPMN service task's) go to the queue the workers take first,
and a dossier's job delivers them before its portal syncs; the syncs keep their order. Real
Redis, RQ worker and portal simulator, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import requests
from redis import Redis
from rq import Queue
from sqlalchemy import select

from app.models import Incident, OutboxMessage
from app.services.core import outbox, queue
from app.storage.db import db
from tests.services.helpers import complete, open_task, receive, settle
from tests.support.databases import database_url  # noqa: F401 - a fixture: both databases
from tests.support.stack import empty_queues
from worker.measured import MeasuredWorker

pytestmark = [pytest.mark.fault, pytest.mark.simulators]
RECEPTION_FORM = {"components_checked": True, "original_count": 1, "copy_count": 0}
RAN: list[int] = []


def ran(outbox_id: int) -> None:
    """The job the workers run in `test_the_workers_take_the_waited_queue_first`."""
    RAN.append(outbox_id)


@pytest.fixture
def handed(monkeypatch) -> list[tuple[list[int], frozenset[int]]]:
    """Each hand-off to the queues, (row ids, those a process waits for); nothing is run."""
    calls: list[tuple[list[int], frozenset[int]]] = []
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: calls.append((list(ids), waited)))
    return calls


def row_ids(operator: str) -> list[int]:
    with db.transaction() as session:
        query = select(OutboxMessage.id).where(OutboxMessage.operator == operator)
        return list(session.scalars(query.order_by(OutboxMessage.id)))


def all_rows() -> dict[int, tuple[str, str | None]]:
    with db.transaction() as session:
        query = select(OutboxMessage.id, OutboxMessage.operator, OutboxMessage.task_id)
        return {row.id: (row.operator, row.task_id) for row in session.execute(query)}


def test_the_workers_take_the_waited_queue_first(app, redis_server, monkeypatch):
    monkeypatch.setattr(queue, "JOB", f"{__name__}.ran")
    connection = Redis.from_url(redis_server.url)
    empty_queues(app)
    RAN.clear()
    queue.rq_enqueue([1, 2, 3], frozenset())  # three syncs queued first
    queue.rq_enqueue([4, 5], frozenset({5}))  # then a sync and a call a process waits for
    assert queue.waiting([1, 2, 3, 4, 5, 6]) == {1, 2, 3, 4, 5}  # the sweeper sees both
    MeasuredWorker(list(queue.names()), connection=connection).work(burst=True)
    assert RAN == [5, 1, 2, 3, 4]  # the waited one first, then the others in their order
    assert queue.names()[1] == app.config["RQ_QUEUE"]


def test_a_dossier_with_a_call_its_process_waits_for_is_handed_off_with_that_call(actors, handed):
    receive(actors["tiepnhan"])  # status 1 for the portal, then the account check
    [status] = row_ids("portal.sync_status")
    [check] = row_ids("portal.check_account")
    assert status < check
    assert handed == [([check], frozenset({check}))]  # one job, the check first, taken first


def test_a_dossier_with_only_syncs_goes_to_the_other_queue(actors, drain, clock, monkeypatch):
    code = receive(actors["tiepnhan"])
    settle(drain, clock, lambda: open_task(code, "reception") is not None)
    calls: list[tuple[list[int], frozenset[int]]] = []
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: calls.append((list(ids), waited)))
    before = set(all_rows())
    complete(code, "reception", actors["tiepnhan"], RECEPTION_FORM)
    added = {row_id: row for row_id, row in all_rows().items() if row_id not in before}
    assert {operator for operator, _ in added.values()} == {
        "portal.sync_status",
        "portal.sync_progress",
    }
    assert all(task_id is None for _, task_id in added.values())
    # one job for the dossier, its first row; nobody waits for it: the second queue
    assert calls == [([min(added)], frozenset())]


def test_a_dossiers_job_delivers_the_waited_call_before_its_earlier_sync(
    actors, drain, clock, portal_received, monkeypatch
):
    import worker.jobs

    delivered: list[str] = []
    real = worker.jobs.call_operator

    def call(operator, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        delivered.append(operator)
        return real(operator, *args, **kwargs)

    monkeypatch.setattr(worker.jobs, "call_operator", call)
    code = receive(actors["tiepnhan"])
    settle(drain, clock, lambda: open_task(code, "reception") is not None)
    assert delivered == ["portal.check_account", "portal.sync_status"]
    complete(code, "reception", actors["tiepnhan"], RECEPTION_FORM)
    drain()
    assert [m["body"]["status"] for m in portal_received()] == [1, 2, 4]  # still in order


def test_the_sweeper_hands_a_lost_waited_call_to_the_queue_taken_first(actors, clock, monkeypatch):
    clock.freeze()
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)  # lost before Redis
    receive(actors["tiepnhan"])
    [status] = row_ids("portal.sync_status")
    [check] = row_ids("portal.check_account")
    calls: list[tuple[list[int], frozenset[int]]] = []
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: calls.append((list(ids), waited)))
    clock.advance(60)
    assert sorted(outbox.sweep()) == [status, check]
    assert calls == [([status, check], frozenset({check}))]


def test_a_retried_waited_call_goes_to_the_queue_taken_first(
    actors, drain, clock, portal_url, monkeypatch
):
    requests.post(f"{portal_url}/_sim/faults", json={"fail_next": 1000, "status": 503}, timeout=5)
    receive(actors["tiepnhan"])
    settle(drain, clock, lambda: incident_of("portal.check_account") is not None)
    requests.post(f"{portal_url}/_sim/faults", json={"fail_next": 0}, timeout=5)
    calls: list[tuple[list[int], frozenset[int]]] = []
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: calls.append((list(ids), waited)))
    outbox.retry_incident(incident_of("portal.check_account"), actors["giamsat"])
    [check] = row_ids("portal.check_account")
    assert calls == [([check], frozenset({check}))]


def incident_of(operator: str) -> int | None:
    with db.transaction() as session:
        return session.scalar(select(Incident.id).where(Incident.operator == operator))


def test_a_dossiers_next_ready_row_is_the_call_its_process_waits_for(actors, monkeypatch):
    """What a job hands off after its last commit (worker.jobs): the waited call first, said
    to be waited for; then the dossier's syncs in their order, not waited for."""
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)
    receive(actors["tiepnhan"])
    [status] = row_ids("portal.sync_status")
    [check] = row_ids("portal.check_account")
    with db.transaction() as session:
        dossier_id = session.scalar(
            select(OutboxMessage.dossier_id).where(OutboxMessage.id == check)
        )
    assert outbox.next_ready(dossier_id) == (check, True)
    assert outbox.claim(check) is not None  # a worker holds the check
    assert outbox.next_ready(dossier_id) == (status, False)


def test_bulk_jobs_go_last_and_never_to_the_sync_first_worker(app, redis_server, monkeypatch):
    """A reorganisation part holds its worker up to an hour: the pool's sync-first worker never
    takes one (the syncs would have no worker of their own meanwhile); the others take bulk
    jobs after the waited calls and the syncs."""
    monkeypatch.setattr(queue, "JOB", f"{__name__}.ran")
    connection = Redis.from_url(redis_server.url)
    empty_queues(app)
    bulk = Queue(queue.bulk_name(), connection=connection)
    RAN.clear()
    bulk.enqueue(f"{__name__}.ran", 9)  # queued first, taken last
    queue.rq_enqueue([1, 2], frozenset({2}))
    MeasuredWorker(queue.worker_order(False), connection=connection).work(burst=True)
    assert RAN == [1, 2]  # the sync-first worker: the sync, then the waited call, not the bulk
    assert bulk.count == 1
    queue.rq_enqueue([3, 4], frozenset({4}))
    MeasuredWorker(queue.worker_order(True), connection=connection).work(burst=True)
    assert RAN == [1, 2, 4, 3, 9]  # the others: waited, sync, then the bulk job
    assert bulk.count == 0
    assert queue.all_names() == (*queue.names(), queue.bulk_name())


def test_the_scheduler_queues_a_reorganisation_s_parts_as_bulk_jobs(app, redis_server, monkeypatch):
    from app.services.reorganisation import cutover
    from worker import scheduler

    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)
    monkeypatch.setattr(cutover, "due_plans", lambda: [7])
    connection = Redis.from_url(redis_server.url)
    connection.flushdb()
    scheduler.tick()
    parts = Queue(queue.bulk_name(), connection=connection).get_jobs()
    assert sorted(job.args for job in parts) == [
        (7, part, app.config["REORG_WORKERS"]) for part in range(app.config["REORG_WORKERS"])
    ]
    assert {job.func_name for job in parts} == {"worker.jobs.apply_reorganisation"}
    assert [Queue(name, connection=connection).count for name in queue.names()] == [0, 0]

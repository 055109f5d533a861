"""`python -m worker work`, the worker command of `make run`: warm worker processes under a
supervisor that delivers the outbox, still stops a job over its timeout, replaces a worker that
dies, and stops cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from rq.job import Job, JobStatus

from config import ROOT
from tests.services.helpers import open_task, receive
from tests.support.stack import app_environment, empty_queues
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.simulators]


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(p) for p in (task / "children").read_text().split()}
    return found


@pytest.fixture
def pool(app):
    # a job an earlier test left on the shared queue would hold a worker at shutdown
    empty_queues(app)
    process = subprocess.Popen(
        [sys.executable, "-m", "worker", "work"],
        cwd=ROOT,
        env=app_environment(app, WORKER_PROCESSES="2"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: len(children(process.pid)) == 2, timeout=60, what="two workers")
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def test_workers_left_behind_by_a_killed_supervisor_stop_by_themselves(pool):
    workers = children(pool.pid)
    pool.kill()
    pool.wait(timeout=10)
    wait_until(
        lambda: not [pid for pid in workers if Path(f"/proc/{pid}").exists()],
        timeout=30,
        what="the orphaned workers gone",
    )


def test_the_worker_command_delivers_a_service_call_and_the_next_step_opens(app, actors, pool):
    code = receive(actors["tiepnhan"])
    wait_until(lambda: open_task(code, "reception"), timeout=60, what="the reception step")


def test_a_worker_that_dies_is_replaced_and_the_next_call_is_still_delivered(app, actors, pool):
    victim = min(children(pool.pid))
    os.kill(victim, signal.SIGKILL)
    wait_until(
        lambda: victim not in children(pool.pid) and len(children(pool.pid)) == 2,
        timeout=30,
        what="a new worker in place of the killed one",
    )
    code = receive(actors["tiepnhan"])
    wait_until(lambda: open_task(code, "reception"), timeout=60, what="the reception step")


def test_a_job_over_its_timeout_is_stopped_and_the_worker_goes_on(app, actors, pool):
    queue = Queue(app.config["RQ_QUEUE"], connection=Redis.from_url(app.config["REDIS_URL"]))
    stuck = queue.enqueue("time.sleep", 30, job_timeout=1)
    wait_until(
        lambda: Job.fetch(stuck.id, connection=queue.connection).get_status() == JobStatus.FAILED,
        timeout=20,
        what="the stuck job stopped at its timeout",
    )
    assert "JobTimeoutException" in (stuck.latest_result().exc_string or "")
    code = receive(actors["tiepnhan"])
    wait_until(lambda: open_task(code, "reception"), timeout=60, what="the reception step")


def test_sigterm_stops_the_supervisor_and_its_workers(pool):
    workers = children(pool.pid)
    pool.send_signal(signal.SIGTERM)
    assert pool.wait(timeout=30) == 0
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]


def test_with_a_profile_folder_each_worker_writes_its_profile_when_it_stops(app, actors, tmp_path):
    import pstats

    folder = tmp_path / "profiles"
    process = subprocess.Popen(
        [sys.executable, "-m", "worker", "work"],
        cwd=ROOT,
        env=app_environment(app, WORKER_PROCESSES="2", WORKER_PROFILE_DIR=str(folder)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: len(children(process.pid)) == 2, timeout=60, what="two workers")
        workers = children(process.pid)
        code = receive(actors["tiepnhan"])
        wait_until(lambda: open_task(code, "reception"), timeout=30, what="the next step")
        assert not folder.exists()  # written at the end, not as it goes
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"worker-{p}.prof" for p in workers)
    # together they profiled the job that delivered the account check
    names = set()
    for profile in folder.iterdir():
        names |= {function for _, _, function in pstats.Stats(str(profile)).stats}
    assert "deliver_outbox" in names


def test_a_simple_worker_is_warm_before_it_listens(monkeypatch):
    """`work --simple` parses the models before it registers with Redis, as the pool does: its
    first jobs do not wait seconds for imports (4.7 s in a burst of bench/status_sync.py)."""
    import worker.__main__ as command

    calls = []

    class Listening:
        def __init__(self, queues, connection):
            calls.append(("listen", tuple(queues)))

        def work(self, burst):
            calls.append(("work", burst))

    monkeypatch.setattr(command.logs, "setup", lambda: None)
    monkeypatch.setattr(command, "ensure_configured", lambda: None)
    monkeypatch.setattr(command, "warm_up", lambda: calls.append(("warm",)))
    monkeypatch.setattr(command, "MeasuredWorker", Listening)
    assert command.main(["work", "--simple", "--burst"]) == 0
    assert [call[0] for call in calls] == ["warm", "listen", "work"]
    assert calls[-1] == ("work", True)


STOPPED_WHILE_FORKING = """
import os, signal, sys
from worker.pool import Supervisor

real_fork = os.fork


def fork():
    pid = real_fork()
    if pid == 0:  # the supervisor's SIGTERM reaches the worker before the worker has begun
        os.kill(os.getpid(), signal.SIGTERM)
        sum(range(1000))  # time for a Python handler to run
    return pid


os.fork = fork
supervisor = Supervisor(1, target=lambda waited_first: open(sys.argv[1], "w").close())
signal.signal(signal.SIGTERM, supervisor._stop)
supervisor._fork(0)
pid, status = os.wait()
print(os.WTERMSIG(status) if os.WIFSIGNALED(status) else "exit", os.WEXITSTATUS(status))
"""


def test_a_stop_signal_that_reaches_a_worker_as_it_is_forked_stops_it(tmp_path):
    """The stop signal can reach a new worker before it has reset the supervisor's handler (a
    busy machine runs the fork late): it must end the worker, not run the supervisor's `_stop`
    there and leave the worker listening for good (the supervisor then waits for ever)."""
    started = tmp_path / "started"
    done = subprocess.run(
        [sys.executable, "-c", STOPPED_WHILE_FORKING, str(started)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == str(int(signal.SIGTERM))
    assert not started.exists()


PLACES = """
import os, sys, time
import worker.pool as pool

pool.warm_up = lambda: None  # nothing to import ahead here


def target(waited_first):
    with open(sys.argv[1], "a") as out:
        out.write(f"{os.getpid()} {waited_first}\\n")
    time.sleep(120)


pool.Supervisor(int(sys.argv[2]), target=target).run()
"""


def started_workers(path) -> list[tuple[int, bool]]:  # noqa: ANN001
    lines = path.read_text().splitlines() if path.exists() else []
    return [(int(pid), flag == "True") for pid, flag in (line.split() for line in lines)]


@pytest.mark.parametrize("processes", [1, 3])
def test_one_worker_of_a_pool_takes_the_syncs_first_and_its_replacement_too(tmp_path, processes):
    """With two workers or more, one takes the portal's syncs before the calls a process
    waits for (the others the other way round), so a stream of waited calls cannot hold the
    syncs back; the worker that replaces it does the same. A lone worker takes waited calls
    first."""
    out = tmp_path / "workers"
    pool = subprocess.Popen([sys.executable, "-c", PLACES, str(out), str(processes)], cwd=ROOT)
    try:
        wait_until(lambda: len(started_workers(out)) == processes, timeout=60, what="workers")
        flags = [flag for _, flag in started_workers(out)]
        if processes == 1:
            assert flags == [True]
            return
        assert sorted(flags) == [False, True, True]
        [syncs_first] = [pid for pid, flag in started_workers(out) if not flag]
        os.kill(syncs_first, signal.SIGKILL)
        wait_until(lambda: len(started_workers(out)) == 4, timeout=60, what="a replacement")
        assert started_workers(out)[-1][1] is False
    finally:
        pool.terminate()
        pool.wait(timeout=60)

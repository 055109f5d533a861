"""One load driver of `bench/throughput.py`: a process acting as the officers (and, online, as
the portal) through the services, with `--threads` dossiers in flight. Configured from the
environment exactly as the worker is; writes its timings as JSON to `--out`.

Each thread receives a dossier, then does whatever step the dossier's process opens next (as
the officer whose role and agency the step names: claim, then submit the path's form), pays
the fee when the dossier waits for it (online path), until the process has finished.
With `--rate R` (open loop) it starts the dossiers as citizens arrive instead, at random at R a
second, each in a thread of its own, `--threads` at most in flight (`Driver.arrivals`).
Usage (by bench/throughput.py): python bench/throughput_driver.py --path counter --count 50
  --threads 4 --out <file> [--index 0] [--profile <file>] [--rate R]
  (it starts once <file>.go exists)
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import and_, bindparam, select  # noqa: E402

from app.bootstrap import ensure_configured  # noqa: E402
from app.models import Dossier, HumanTask, User  # noqa: E402
from app.services.citizens import actions  # noqa: E402
from app.services.core import outbox, queue  # noqa: E402
from app.services.core.actors import Actor  # noqa: E402
from app.services.dossiers import tasks  # noqa: E402
from app.services.dossiers.reception import ReceiveDossier, receive_dossier  # noqa: E402
from app.storage.db import db  # noqa: E402

POLL = 0.01  # seconds between two looks for the next step (the figures' resolution)
STEP_TIMEOUT = 120.0  # a dossier with no next step for this long fails the run
OFFICERS = ("tiepnhan", "chuyenvien", "lanhdao", "xatanhung")
RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}
# The form each step gets, by BPMN element id (the same answers on every path).
FORMS: dict[str, dict] = {
    "reception": RECEPTION,
    "appraisal": {"decision": "accept", "appraisal_note": "Đủ điều kiện"},
    "approval": {"approval_decision": "approve", "result_name": "Phiếu lý lịch tư pháp số 1"},
    "return_result": {"return_method": "counter", "receiver_name": "Nguyễn Văn An"},
    "receive_from_bcci": {},  # filled with the tracking code sent (below)
    "hand_to_bcci": {},
}
# Who receives, per path: (officer, channel); None: the portal (an online submission).
RECEIVER = {"counter": ("tiepnhan", "counter"), "c1": ("xatanhung", "counter")}
FEE = 200_000  # what procedure 2.000488 asks online


class PathFailed(Exception):
    pass


class Step(NamedTuple):
    """An open human task, as the driver needs it."""

    id: str
    element_id: str
    role: str
    agency_id: int


# The open steps, status and end of the dossiers waited for; built once (compiled once).
_NEXT_STEPS = (
    select(
        Dossier.code,
        HumanTask.id,
        HumanTask.element_id,
        HumanTask.role,
        HumanTask.agency_id,
        Dossier.status,
        Dossier.finished_at,
    )
    .select_from(Dossier)
    .outerjoin(HumanTask, and_(HumanTask.dossier_id == Dossier.id, HumanTask.state == "open"))
    .where(Dossier.code.in_(bindparam("codes", expanding=True)))
    .order_by(Dossier.code, HumanTask.created_at)
)
# What a waiting thread accepts as its next state: (open step, status, finished).
Seen = tuple["Step | None", int, bool]


class Watcher:
    """One thread per driver that looks, every POLL seconds, at every dossier its threads wait
    for, in one query, and wakes the thread whose dossier reached what it waits for. An
    officer's inbox is not read a hundred times a second per dossier: this keeps the bench's
    own polling (its CPU and the database's) out of the system's figure while the resolution
    of "the next step visible" stays POLL."""

    def __init__(self, cpu: dict[str, float], lock: threading.Lock) -> None:
        self.cpu, self.lock = cpu, lock
        self.waiting: dict[str, tuple] = {}
        self.guard = threading.Lock()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def wait(self, code: str, accept, timeout: float) -> Seen | None:  # noqa: ANN001
        """The dossier's state once `accept(step, status, finished)` holds; None on timeout."""
        entry = (accept, threading.Event(), [])
        with self.guard:
            self.waiting[code] = entry
        try:
            entry[1].wait(timeout)
        finally:
            with self.guard:
                self.waiting.pop(code, None)
        return entry[2][0] if entry[2] else None

    def run(self) -> None:
        while not self.stopped.is_set():
            cpu = time.thread_time()
            with self.guard:
                waiting = dict(self.waiting)
            if waiting:
                self.look(waiting)
            with self.lock:
                self.cpu["polling"] += time.thread_time() - cpu
            time.sleep(POLL)

    def look(self, waiting: dict[str, tuple]) -> None:
        seen: dict[str, Seen] = {}
        with db.engine.connect() as connection:
            for row in connection.execute(_NEXT_STEPS, {"codes": list(waiting)}):
                if row.code in seen:
                    continue  # a later open step of the same dossier: the oldest is the one
                step = Step(row.id, row.element_id, row.role, row.agency_id) if row.id else None
                seen[row.code] = (step, row.status, row.finished_at is not None)
            # Ended with a COMMIT, not the pool's ROLLBACK: psycopg forgets every statement it
            # prepared on a connection that rolls back (DEALLOCATE ALL, a round trip), and
            # this pool is the officers' steps' own: a poll every 10 ms left their statements
            # planned afresh by PostgreSQL on every run.
            connection.commit()
        for code, state in seen.items():
            accept, event, box = waiting[code]
            if accept(*state):
                box.append(state)
                event.set()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()


class Driver:
    def __init__(self, path: str, index: int) -> None:
        self.path = path
        self.index = index
        self.officers: list[tuple[str, Actor]] = []
        with db.transaction() as session:
            for name in OFFICERS:
                user = session.scalar(select(User).where(User.username == name))
                self.officers.append((name, Actor.of(user)))
        self.local = threading.local()
        self.steps: dict[str, list[float]] = {}
        self.waits: dict[str, list[float]] = {}
        self.dossiers: list[float] = []
        self.codes: list[str] = []
        self.errors: list[str] = []
        # CPU seconds of the driver's threads: in the officers' step calls, and in looking for
        # the next step (the bench's own polling, not an officer's work)
        self.cpu = {"steps": 0.0, "polling": 0.0}
        self.lock = threading.Lock()
        self.watcher = Watcher(self.cpu, self.lock)
        real = queue.enqueue

        def record(ids, waited) -> None:  # noqa: ANN001
            ids = list(ids)
            real(ids, waited)
            self.local.enqueued = time.time()

        queue.enqueue = record
        # Whether the step queued a service task's call: only the first row of a dossier is
        # handed to the queue (its job delivers the rest), and that is mostly a status sync,
        # so the rows written are watched, not the ids enqueued.
        add = outbox.add

        def watched(*args, **kwargs) -> None:  # noqa: ANN002, ANN003
            if kwargs.get("task_id") is not None:
                self.local.calls = True
            add(*args, **kwargs)

        outbox.add = watched

    def officer_for(self, task: Step) -> Actor:
        for _, actor in self.officers:
            if actor.can(task.role, task.agency_id):
                return actor
        raise PathFailed(f"no demo officer may do {task.element_id} ({task.role})")

    def timed(self, label: str, action) -> float:  # noqa: ANN001
        """Run one step; its duration is recorded under `label`. Returns when it ended."""
        self.local.enqueued = None
        self.local.calls = False
        t0, cpu = time.perf_counter(), time.thread_time()
        action()
        took = time.perf_counter() - t0
        with self.lock:
            self.steps.setdefault(label, []).append(took)
            self.cpu["steps"] += time.thread_time() - cpu
        return time.time()

    def waited_for_call(self) -> float | None:
        """When the last step enqueued a BPMN service call (a process waits for its result):
        the moment of that enqueue; otherwise None."""
        enqueued = getattr(self.local, "enqueued", None)
        return enqueued if enqueued and getattr(self.local, "calls", False) else None

    def saw(self, code: str, task: Step | None, status: int, finished: bool) -> None:
        """What the watcher found for the dossier once it was ready (a hook for the probe)."""

    def one_dossier(self, number: int) -> None:
        started = time.time()
        receiver = RECEIVER.get(self.path)
        command = ReceiveDossier(
            "2.000488",
            "cccd",
            "001090012345",
            "Nguyễn Văn An",
            channel=receiver[1] if receiver else "online",
        )
        actor = dict(self.officers)[receiver[0]] if receiver else actions.PORTAL
        box: dict[str, str] = {}
        before = "receive"
        done = self.timed("receive", lambda: box.update(code=receive_dossier(command, actor)))
        code = box["code"]
        paid = False
        shipped: list[str] = []
        while True:
            enqueued = self.waited_for_call()
            need_pay = not paid

            def ready(task, status, finished, need_pay=need_pay) -> bool:  # noqa: ANN001
                return task is not None or finished or (status == 6 and need_pay)

            seen = self.watcher.wait(code, ready, STEP_TIMEOUT)
            if seen is None:
                raise PathFailed(f"{code}: nothing to do {STEP_TIMEOUT:.0f} s after {before}")
            task, _status, finished = seen
            self.saw(code, *seen)
            visible = time.time()
            if enqueued is not None and task is not None:
                with self.lock:
                    self.waits.setdefault(f"{before} → {task.element_id}", []).append(
                        visible - enqueued
                    )
            if finished:
                break
            if task is None:  # the online fee, paid on the portal
                paid = True
                before = "pay"
                done = self.timed("pay", lambda: actions.pay(code, FEE, f"PAY-{code}"))
                continue
            officer = self.officer_for(task)
            form = dict(FORMS.get(task.element_id, {}))
            if task.element_id == "hand_to_bcci":
                shipped.append(f"EB{self.index:02d}{number:07d}VN")
                form = {"tracking_code": shipped[-1], "item_count": 1}
            elif task.element_id == "receive_from_bcci":
                form = {"received_tracking_code": shipped[-1]}

            def step(task_id: str = task.id, form: dict = form, officer: Actor = officer) -> None:
                tasks.claim_task(task_id, officer)
                tasks.complete_task(task_id, officer, form)

            before = task.element_id
            done = self.timed(task.element_id, step)
        with self.lock:
            self.dossiers.append(done - started)
            self.codes.append(code)

    def arrivals(self, count: int, rate: float, cap: int, seed: int) -> list[float]:
        """Open loop: start `count` dossiers as citizens arrive, at random (a Poisson process of
        `rate` a second, the same seed the same times), each in a thread of its own, whether
        or not the earlier ones are done; at most `cap` in flight (a start that finds them all
        taken waits for one: the system did not keep up). Returns each start's lateness in
        seconds, negative where it waited for a free place (this driver's own delays, its
        threads holding the interpreter, are positive)."""
        import random

        draw = random.Random(seed)  # nosec B311 # arrival times, not a secret
        slots = threading.BoundedSemaphore(cap)
        threads, late = [], []
        due = time.time()

        def one(number: int) -> None:
            try:
                self.worker([number])
            finally:
                slots.release()

        for number in range(count):
            due += draw.expovariate(rate)
            time.sleep(max(0.0, due - time.time()))
            full = not slots.acquire(blocking=False)
            if full:
                slots.acquire()
            lateness = max(0.0, time.time() - due)
            late.append(-lateness if full else lateness)
            thread = threading.Thread(target=one, args=(number,))
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join()
        return late

    def worker(self, numbers: list[int], profile: str | None = None) -> None:
        if profile:  # cProfile sees only the thread that enables it: one per thread
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
            try:
                self.worker(numbers)
            finally:
                profiler.disable()
                profiler.dump_stats(profile)
            return
        for number in numbers:
            try:
                self.one_dossier(number)
            except Exception as exc:  # noqa: BLE001 - reported by the bench, which fails
                with self.lock:
                    self.errors.append(f"{type(exc).__name__}: {exc}")
                return


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--path", required=True, choices=("counter", "online", "c1"))
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--index", type=int, default=0)
    parser.add_argument("--out", required=True)
    parser.add_argument("--profile")
    parser.add_argument(
        "--rate", type=float, help="open loop: dossiers a second this driver starts (Poisson)"
    )
    args = parser.parse_args()
    ensure_configured()
    driver = Driver(args.path, args.index)
    shares = [list(range(i, args.count, args.threads)) for i in range(args.threads)]
    parts = [f"{args.profile}.{i}" if args.profile else None for i in range(len(shares))]
    threads = [
        threading.Thread(target=driver.worker, args=(share, part))
        for share, part in zip(shares, parts, strict=True)
        if share
    ]
    # ready: the bench starts every driver at once by creating <out>.go
    Path(f"{args.out}.ready").touch()
    while not Path(f"{args.out}.go").exists():
        time.sleep(0.005)
    cpu = time.process_time()
    late: list[float] = []
    if args.rate:  # --threads is then the most dossiers in flight
        late = driver.arrivals(args.count, args.rate, args.threads, seed=args.index)
    else:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    driver.watcher.stop()
    cpu = time.process_time() - cpu
    if args.profile:
        import pstats

        found = [p for p in parts if p and Path(p).exists()]
        if found:
            stats = pstats.Stats(*found)
            stats.dump_stats(args.profile)
            for part in found:
                Path(part).unlink()
    Path(args.out).write_text(
        json.dumps(
            {
                "steps": driver.steps,
                "waits": driver.waits,
                "dossiers": driver.dossiers,
                "codes": driver.codes,
                "errors": driver.errors,
                "cpu": cpu,
                "cpu_steps": driver.cpu["steps"],
                "cpu_polling": driver.cpu["polling"],
                "late_starts": late,
            }
        )
    )


if __name__ == "__main__":
    main()

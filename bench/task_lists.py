"""Benchmark: the inbox and the supervisor's list over 1,000,000 task rows, every filter.

Builds (once: the SQLite file is kept and reused; `--rebuild` starts again) the demo data plus
20 agencies under the province, 4 more procedures, 30 officers with every role spread over the
agencies, N/4 dossiers (owners with varied names and identifiers, counter or online, received
over 60 days) and N tasks (about 15 % open; of those on time / due soon / overdue, a third
unclaimed), then prints p50/p95 of the real service calls the two screens make (the page, its
total, and every choice's capped count), one line per filter combination and per sort.
With `--postgres URL` (an empty database) the same is built and measured on PostgreSQL.
`bench/overdue.py` calls `measure` on its own PostgreSQL data too.

Usage: .venv/bin/python bench/task_lists.py [--sqlite var/bench/tasks.db] [--postgres URL]
       [--tasks 1000000] [--runs 30] [--rebuild] [--explain]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Index, func, insert, select  # noqa: E402

import config as config_module  # noqa: E402
from app import bootstrap  # noqa: E402
from app.models import (  # noqa: E402
    Agency,
    Dossier,
    HumanTask,
    ModelVersion,
    Procedure,
    ProcessInstance,
    User,
    UserRole,
)
from app.models.base import utcnow  # noqa: E402
from app.services.core.actors import Actor  # noqa: E402
from app.services.deadlines import supervision  # noqa: E402
from app.services.dossiers import inbox, task_counts  # noqa: E402
from app.services.dossiers.task_search import TaskQuery  # noqa: E402
from app.services.process_models.demo import seed_demo  # noqa: E402
from app.storage.db import db  # noqa: E402
from app.storage.migrate import upgrade  # noqa: E402

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thu", "Ngọc", "Quang"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Linh"]
GIVEN += ["Long", "Mai", "Nam", "Nga", "Phong", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn"]
STEPS = [
    ("reception", "Tiếp nhận hồ sơ", "reception"),
    ("appraisal", "Thẩm định hồ sơ", "processing"),
    ("approval", "Phê duyệt kết quả", "leader"),
    ("return_result", "Trả kết quả", "reception"),
]
CHUNK = 20_000


def configure(url: str) -> None:
    bootstrap.configure(
        type(
            "BenchConfig",
            (config_module.Config,),
            {
                "DATABASE_URL": url,
                "REDIS_URL": "redis://127.0.0.1:9/0",
                "SECRET_KEY": secrets.token_hex(16),
            },
        )
    )


def built(url: str) -> bool:
    """Whether the database already holds the benchmark's tasks."""
    try:
        with db.transaction() as session:
            return bool(session.scalar(select(func.count()).select_from(HumanTask)))
    except Exception:  # noqa: BLE001 - no schema yet
        return False


def build(tasks: int) -> None:
    """The demo data, then the benchmark's agencies, officers, dossiers and tasks."""
    seed_demo(str(ROOT / "bpmn"), extra_officers=30)
    now = utcnow()
    with db.engine.begin() as conn:
        province = conn.scalar(select(Agency.id).where(Agency.code == "000.00.00.H31"))
        department = conn.scalar(select(Agency.id).where(Agency.code == "000.00.12.H31"))
        conn.execute(
            insert(Agency),
            [
                {"code": f"000.00.{i}.H31", "name": f"Cơ quan {i}", "parent_id": province}
                for i in range(20, 39)
            ],
        )
        agencies = [
            department,
            *conn.scalars(select(Agency.id).where(Agency.name.like("Cơ quan %"))),
        ]
        officers = list(conn.scalars(select(User.id).where(User.username.like("canbo%"))))
        conn.execute(
            insert(UserRole),
            [
                {"user_id": u, "role": role, "agency_id": agencies[n % len(agencies)]}
                for n, u in enumerate(officers)
                for role in ("reception", "processing", "leader")
                if agencies[n % len(agencies)] != department
            ],
        )
        supervisor = conn.scalar(select(User.id).where(User.username == "giamsat"))
        conn.execute(
            insert(UserRole), [{"user_id": supervisor, "role": "supervisor", "agency_id": province}]
        )
        version = conn.scalar(select(func.min(ModelVersion.id)))
        conn.execute(
            insert(Procedure),
            [
                {
                    "code": f"9.{i:06d}",
                    "name": f"Thủ tục thử {i}",
                    "level": 2,
                    "agency_id": department,
                    "model_version_id": version,
                    "duration_days": 10,
                    "duration_unit": "working_days",
                    "supplement_clock": "pause",
                    "components": [],
                    "step_durations": {},
                    "active": True,
                }
                for i in range(1, 5)
            ],
        )
        procedures = list(conn.scalars(select(Procedure.id).order_by(Procedure.id)))
    dossiers = max(tasks // 4, 1)
    for start in range(0, dossiers, CHUNK):
        with db.engine.begin() as conn:
            rows = range(start, min(start + CHUNK, dossiers))
            first = (
                conn.execute(
                    insert(Dossier).returning(Dossier.id, sort_by_parameter_order=True),
                    [_dossier(i, procedures, agencies, now) for i in rows],
                )
                .scalars()
                .all()
            )
            conn.execute(
                insert(ProcessInstance),
                [
                    {
                        "dossier_id": d,
                        "model_version_id": version,
                        "state": "{}",
                        "version": 1,
                        "status": "running",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for d in first
                ],
            )
    with db.engine.begin() as conn:
        instances = {
            d: p for d, p in conn.execute(select(ProcessInstance.dossier_id, ProcessInstance.id))
        }
        facts = {
            d: (p, a, c, r, code, name)
            for d, p, a, c, r, code, name in conn.execute(
                select(
                    Dossier.id,
                    Dossier.procedure_id,
                    Dossier.agency_id,
                    Dossier.channel,
                    Dossier.received_at,
                    Dossier.code,
                    Dossier.owner_name,
                )
            )
        }
    dossier_ids = sorted(instances)
    for start in range(0, tasks, CHUNK):
        with db.engine.begin() as conn:
            conn.execute(
                insert(HumanTask),
                [
                    _task(i, dossier_ids[i % len(dossier_ids)], instances, facts, officers, now)
                    for i in range(start, min(start + CHUNK, tasks))
                ],
            )
    # what the scheduler does every few seconds under `make run`: the counts' changes folded
    task_counts.fold()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


def _dossier(i: int, procedures: list[int], agencies: list[int], now) -> dict:  # noqa: ANN001
    name = (
        f"{FAMILY[i % len(FAMILY)]} {MIDDLE[(i // 11) % len(MIDDLE)]} "
        f"{GIVEN[(i // 88) % len(GIVEN)]}"
    )
    return {
        "code": f"000.00.12.H31-{i:07d}",
        "procedure_id": procedures[i % len(procedures)],
        "agency_id": agencies[i % len(agencies)],
        "channel": "online" if i % 5 == 0 else "counter",
        "status": 4,
        "owner_type": 1,
        "owner_id_type": "cccd",
        "owner_id": f"{(1090000000 + i * 7919) % 10**12:012d}",
        "owner_name": name,
        "summary": "",
        "data": {},
        "received_at": now - timedelta(days=i % 60, minutes=i % 1440),
        "due_at": now + timedelta(days=10 - i % 60),
    }


def _task(i: int, dossier: int, instances, facts, officers, now) -> dict:  # noqa: ANN001
    element, title, role = STEPS[i % 4]
    procedure, agency, channel, received_at, code, owner_name = facts[dossier]
    is_open = i % 100 < 15
    state = "open" if is_open else ("completed" if i % 100 < 97 else "cancelled")
    deadline = "on_time"
    if is_open:
        deadline = "overdue" if i % 40 < 20 else ("due_soon" if i % 40 < 22 else "on_time")
    return {
        "id": f"{i:08x}-0000-4000-8000-{i * 2654435761 % 16**12:012x}",
        "instance_id": instances[dossier],
        "dossier_id": dossier,
        "dossier_code": code,
        "owner_name": owner_name,
        "procedure_id": procedure,
        "channel": channel,
        "received_at": received_at,
        "element_id": element,
        "title": title,
        "role": role,
        "agency_id": agency,
        "assignee_id": None if i % 3 == 0 else officers[i % len(officers)],
        "state": state,
        "created_at": now - timedelta(days=i % 40, minutes=i % 977),
        "due_at": None if i % 50 == 7 else now + timedelta(days=(i % 40) - 20, minutes=i % 613),
        "due_soon_at": now + timedelta(days=(i % 40) - 22),
        "deadline_state": deadline,
        "completed_at": None if is_open else now - timedelta(days=i % 30),
        "outcome": None if is_open or state == "cancelled" else ("early", "on_time", "late")[i % 3],
        "priority": 1 if is_open and i % 97 == 0 else 0,
    }


def create_missing_indexes() -> None:
    """The model's task and dossier indexes, created where an older build lacks them."""
    with db.engine.begin() as conn:
        for table in (HumanTask.__table__, Dossier.__table__):
            for index in table.indexes:
                index_: Index = index
                index_.create(conn, checkfirst=True)
        conn.exec_driver_sql("ANALYZE")


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    samples.sort()
    return statistics.median(samples) * 1000, samples[max(int(len(samples) * 0.95) - 1, 0)] * 1000


def combinations(session) -> Iterator[tuple[str, TaskQuery]]:  # noqa: ANN001
    """Each filter alone, a few together, and each sort both ways."""
    code = session.scalar(select(Dossier.code).order_by(Dossier.id.desc()).limit(1))
    owner_id = session.scalar(select(Dossier.owner_id).order_by(Dossier.id).limit(1))
    agency = session.scalar(select(Agency.code).where(Agency.name == "Cơ quan 21"))
    today = utcnow().date()
    yield "no filter (due date first)", TaskQuery()
    for state in ("on_time", "due_soon", "overdue"):
        yield f"state={state}", TaskQuery(state=state)
    yield "procedure", TaskQuery(procedure="9.000001")
    yield "procedure + step", TaskQuery(procedure="9.000001", element="appraisal")
    yield "step", TaskQuery(element="approval")
    yield "channel=online", TaskQuery(channel="online")
    yield (
        "received in one week",
        TaskQuery(received_from=today - timedelta(days=14), received_to=today - timedelta(days=7)),
    )
    yield "unit", TaskQuery(agency=agency)
    yield "search: dossier code", TaskQuery(q=code)
    yield "search: code prefix", TaskQuery(q=code[:-2])
    yield "search: owner identifier", TaskQuery(q=owner_id)
    yield "search: owner name", TaskQuery(q="Phan Quang Thảo")
    yield "search: no match", TaskQuery(q="zzz không có")
    yield (
        "overdue + procedure + channel",
        TaskQuery(state="overdue", procedure="9.000002", channel="counter"),
    )
    yield (
        "all filters",
        TaskQuery(
            q="Nguyễn",
            state="overdue",
            procedure="9.000001",
            element="appraisal",
            channel="counter",
            received_from=date(2000, 1, 1),
            received_to=today,
            agency=agency,
        ),
    )
    for key in ("due", "created", "step", "code", "owner", "received", "procedure", "agency"):
        for sort in (key, "-" + key):
            if sort != "due":
                yield f"sort={sort}", TaskQuery(sort=sort)
    yield "sort=-assignee (supervisor)", TaskQuery(sort="-assignee")
    yield "page 10", TaskQuery(page=10)


def measure(officer: Actor, supervisor: Actor, runs: int, explain: bool = False) -> list[float]:
    """Print p50/p95 of the inbox and the supervisor's list for every combination; returns
    the p95s."""
    p95s = []
    with db.transaction() as session:
        cases = list(combinations(session))
    print(f"{'combination':<36}{'inbox p50':>10}{'p95':>8}{'superv. p50':>13}{'p95':>8}  rows")
    for label, query in cases:
        boxed = inbox.inbox(officer, query, pool_page=query.page)
        listed = supervision.task_list_page(supervisor, query)
        i50, i95 = timed(lambda q=query: inbox.inbox(officer, q, pool_page=q.page), runs)
        s50, s95 = timed(lambda q=query: supervision.task_list_page(supervisor, q), runs)
        p95s += [i95, s95]
        sizes = f"{boxed.mine_total}/{boxed.pool_total} · {listed.total}"
        print(f"{label:<36}{i50:>10.1f}{i95:>8.1f}{s50:>13.1f}{s95:>8.1f}  {sizes}")
    print(f"worst p95: {max(p95s):.1f} ms over {len(p95s)} measures")
    return p95s


def actors() -> tuple[Actor, Actor]:
    with db.transaction() as session:
        officer = Actor.of(session.scalar(select(User).where(User.username == "canbo2")))
        supervisor = Actor.of(session.scalar(select(User).where(User.username == "giamsat")))
    return officer, supervisor


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite", default=str(ROOT / "var" / "bench" / "tasks.db"))
    parser.add_argument("--postgres", default="")
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    if args.postgres:
        url = args.postgres
    else:
        path = Path(args.sqlite)
        if args.rebuild and path.exists():
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path}"
    upgrade(url)
    configure(url)
    if not built(url):
        t0 = time.perf_counter()
        build(args.tasks)
        print(f"built {args.tasks:,} tasks in {time.perf_counter() - t0:.0f} s")
    create_missing_indexes()
    task_counts.fold()
    with db.transaction() as session:
        count = session.scalar(select(func.count()).select_from(HumanTask))
        open_count = session.scalar(select(func.count()).where(HumanTask.state == "open"))
    print(f"{url.split('://')[0]}: {count:,} tasks, {open_count:,} open")
    if args.build_only:
        return
    measure(*actors(), args.runs)


if __name__ == "__main__":
    main()

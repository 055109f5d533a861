"""Benchmark: validating a 300-element model (target < 1 s).

Builds a process of 300 flow elements (user tasks in a role lane, exclusive gateways with
conditions, script tasks) and prints the median and worst of several validations. Then, on
PostgreSQL, moves N dossiers waiting at appraisal to a newer version of the counter model and
prints instances per second and the peak memory (resident set) before and after.

One dossier is carried to appraisal through the services; the others are copies of it made on
the server, each as a real one is: its process state with task ids of its own (the template's
task UUIDs with the last 12 hex digits replaced by the copy's number), and its task rows in the
projection (`human_task`, the completed reception and the open appraisal) under those same
ids. The migration's time includes what it does to them; the task rows before and after, and
how many open rows match a waiting task of their instance's state, are printed.
The move runs in `--processes` processes (MIGRATION_PROCESSES: 0, one per core); the CPU time
printed per instance is this process's and its workers' (PostgreSQL's is not counted).
Usage: .venv/bin/python bench/models.py [--elements 300] [--runs 7] [--instances 10000]
       [--processes 0]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import resource  # noqa: E402

from sqlalchemy import select, text  # noqa: E402

from app.models import HumanTask, User  # noqa: E402
from app.services.core.actors import Actor  # noqa: E402
from app.services.dossiers import tasks  # noqa: E402
from app.services.dossiers.reception import ReceiveDossier, receive_dossier  # noqa: E402
from app.services.process_models import migrations  # noqa: E402
from app.services.process_models.deploy import check_bundle, deploy, read_bundle  # noqa: E402
from app.storage.db import db  # noqa: E402
from tests.services.helpers import deliver, open_task  # noqa: E402
from tests.support.stack import seeded_postgres  # noqa: E402

CLONE = """
INSERT INTO dossier (code, procedure_id, agency_id, channel, status, owner_type, owner_id_type,
                     owner_id, owner_name, summary, data, received_at, due_at)
SELECT d.code || '-' || i, d.procedure_id, d.agency_id, d.channel, d.status, d.owner_type,
       d.owner_id_type, d.owner_id, d.owner_name, d.summary, d.data, d.received_at, d.due_at
FROM dossier d, generate_series(1, :n) AS i WHERE d.id = :dossier;
INSERT INTO process_instance (dossier_id, model_version_id, state, version, status, created_at,
                              updated_at)
SELECT c.id, p.model_version_id, regexp_replace(p.state, '(' || :uuid_head || ')' || :uuid_tail,
       '\\1' || lpad(to_hex(i), 12, '0'), 'g'), 1, 'running', now(), now()
FROM generate_series(1, :n) AS i
JOIN dossier c ON c.code = :code || '-' || i, process_instance p WHERE p.dossier_id = :dossier;
INSERT INTO human_task ({columns})
SELECT {values}
FROM generate_series(1, :n) AS i
JOIN dossier c ON c.code = :code || '-' || i
JOIN process_instance p ON p.dossier_id = c.id, human_task t WHERE t.dossier_id = :dossier;
ANALYZE;
"""
UUID_HEAD = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
UUID_TAIL = "[0-9a-f]{12}"
# Columns of a copied task row that are not the template's own values.
TASK_COPY = {
    "id": "left(t.id, 24) || lpad(to_hex(i), 12, '0')",
    "instance_id": "p.id",
    "dossier_id": "c.id",
}
MATCHING = """
SELECT count(*) FILTER (WHERE t.state = 'open'),
       count(*) FILTER (WHERE t.state = 'open' AND strpos(p.state, t.id) > 0), count(*)
FROM human_task t JOIN process_instance p ON p.id = t.instance_id
"""


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def clone_sql() -> str:
    """CLONE with the task row copy written out for every column of `human_task`."""
    names = [c.name for c in HumanTask.__table__.columns]
    values = [TASK_COPY.get(name, f"t.{name}") for name in names]
    return CLONE.format(columns=", ".join(names), values=", ".join(values))


def print_task_rows(when: str) -> None:
    """The open task rows, those whose id is a task in their instance's state, all rows."""
    with db.engine.connect() as conn:
        open_rows, matching, rows = conn.execute(text(MATCHING)).one()
    print(f"task rows {when}: {open_rows:,} open ({matching:,} match their state), {rows:,} in all")


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (the migration's pool)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bench_migration(instances: int, processes: int) -> None:
    with seeded_postgres():
        with db.transaction() as session:
            users = {u.username: Actor.of(u) for u in session.scalars(select(User))}
        code = receive_dossier(
            ReceiveDossier("2.000488", "cccd", "001090012345", "Nguyễn Văn An"), users["tiepnhan"]
        )
        deliver("portal.check_account", {"exists": True})
        tasks.complete_task(
            open_task(code, "reception").id,
            users["tiepnhan"],
            {"components_checked": True, "original_count": 1, "copy_count": 0},
        )
        with db.engine.begin() as conn:
            dossier = conn.execute(
                text("SELECT id FROM dossier WHERE code = :c"), {"c": code}
            ).scalar()
            for statement in clone_sql().split(";\n"):
                if statement.strip():
                    conn.execute(
                        text(statement),
                        {
                            "n": instances - 1,
                            "dossier": dossier,
                            "code": code,
                            "uuid_head": UUID_HEAD,
                            "uuid_tail": UUID_TAIL,
                        },
                    )
        print_task_rows("before")
        files = read_bundle(Path(__file__).resolve().parents[1] / "bpmn")
        files["counter_dossier.bpmn"] = files["counter_dossier.bpmn"].replace(
            'name="Phê duyệt kết quả"', 'name="Lãnh đạo phê duyệt"'
        )
        with db.transaction() as session:
            target = deploy(
                session, files, process_id="counter_dossier", name="counter", deployed_by="bench"
            ).id
        before = rss_mb()
        t0, cpu0 = time.perf_counter(), cpu_seconds()
        report = migrations.apply(1, target, users["phantich"], processes=processes)
        elapsed, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
        print(
            f"migrated {len(report.moved):,} instances ({len(report.blocked)} blocked) in "
            f"{elapsed:.1f} s: {len(report.moved) / elapsed:.0f} instances/s "
            f"({processes or os.cpu_count()} process(es), load {os.getloadavg()[0]:.1f}); "
            f"CPU {cpu * 1000 / max(1, len(report.moved)):.1f} ms per instance; peak memory "
            f"{before:.0f} MB before, {rss_mb():.0f} MB after"
        )
        print_task_rows("after")


HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions '
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="D" '
    'targetNamespace="http://bpmn.io/schema/bpmn">'
)


def _flow(fid: str, source: str, target: str, condition: str = "") -> str:
    if not condition:
        return f'<bpmn:sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}" />'
    return (
        f'<bpmn:sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}">'
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}'
        "</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )


def big_model(elements: int) -> dict[str, str]:
    """start → (user task → script → gateway) × n → end; each gateway may leave early."""
    n = elements // 3
    nodes = ['<bpmn:startEvent id="start" />', '<bpmn:endEvent id="end" />']
    flows = [_flow("a0", "start", "u0")]
    for i in range(n):
        after = f"u{i + 1}" if i + 1 < n else "end"
        nodes += [
            f'<bpmn:userTask id="u{i}" name="Bước {i}" />',
            f'<bpmn:scriptTask id="s{i}"><bpmn:script>n{i} = {i} + 1</bpmn:script>'
            "</bpmn:scriptTask>",
            f'<bpmn:exclusiveGateway id="g{i}" default="d{i}" />',
        ]
        flows += [
            _flow(f"b{i}", f"u{i}", f"s{i}"),
            _flow(f"c{i}", f"s{i}", f"g{i}"),
            _flow(f"x{i}", f"g{i}", "end", f"n{i} &gt; 10**9"),
            _flow(f"d{i}", f"g{i}", after),
        ]
    refs = "".join(f"<bpmn:flowNodeRef>u{i}</bpmn:flowNodeRef>" for i in range(n))
    lanes = (
        '<bpmn:laneSet id="LS"><bpmn:lane id="L" name="Chuyên viên xử lý">'
        f"{refs}</bpmn:lane></bpmn:laneSet>"
    )
    process = f'<bpmn:process id="big" isExecutable="true">{lanes}{"".join(nodes + flows)}'
    return {"big.bpmn": f"{HEAD}{process}</bpmn:process></bpmn:definitions>"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--elements", type=int, default=300)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--instances", type=int, default=10_000)
    parser.add_argument("--processes", type=int, default=0, help="0: one per core")
    args = parser.parse_args()
    files = big_model(args.elements)
    samples, problems = [], []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        problems = check_bundle(files, "big")
        samples.append(time.perf_counter() - t0)
    print(
        f"validation of a {args.elements}-element model ({len(files['big.bpmn']) // 1024} KB): "
        f"median {statistics.median(samples) * 1000:.0f} ms, worst {max(samples) * 1000:.0f} ms "
        f"(target < 1000 ms); problems found: {len(problems)}"
    )
    for problem in problems[:5]:
        print("  ", problem)
    if args.instances:
        bench_migration(args.instances, args.processes)


if __name__ == "__main__":
    main()

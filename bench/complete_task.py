"""Benchmark: completing one task, bare SpiffWorkflow vs. the whole service layer on PostgreSQL.

Prints median and p95 of
  0. the bare SpiffWorkflow cycle for the counter model with the library's own serializer and
     its stock (unrestricted) script engine: the bare engine
     (load with its embedded spec, complete the reception task, engine steps, dump);
  1. the same bare cycle with the project's restricted script engine (sandbox and limits);
  2. the same cycle through app.engine (spec cached by content hash, state without spec);
  3. tasks.complete_task end to end on PostgreSQL (load with version check, engine, save,
     projection, audit, outbox, commit, enqueue to Redis);
and the ratios of 3 to 0 and of 3 to 1 (the one the
earlier figures were taken with). Usage: .venv/bin/python bench/complete_task.py [--n 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment  # noqa: E402
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402
from SpiffWorkflow.spiff.serializer.task_spec import ServiceTaskConverter  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app.engine import ProcessRun, parse_bundle  # noqa: E402
from app.engine.definition import _Parser  # noqa: E402
from app.engine.sandbox import make_script_engine  # noqa: E402
from app.engine.specs import DeferredServiceTask  # noqa: E402
from app.engine.timekeeping import working_time  # noqa: E402
from app.models import HumanTask, OutboxMessage, User  # noqa: E402
from app.services import service_calls, tasks  # noqa: E402
from app.services.actors import Actor  # noqa: E402
from app.services.deploy import read_bundle  # noqa: E402
from app.services.dossiers import ReceiveDossier, receive_dossier  # noqa: E402
from app.services.outbox import claim  # noqa: E402
from app.storage.db import db  # noqa: E402
from tests.support.stack import seeded_postgres  # noqa: E402

START = {
    "procedure_code": "2.000488",
    "channel": "counter",
    "fee_due": False,
    "needs_digitization": False,
    "agency_code": "000.00.12.H31",
    "reception_agency_code": "000.00.12.H31",
    "phone": "",
    "email": "",
    "proxy": None,
    "e_only": False,
    "owner_id_type": "cccd",
    "owner_id": "001090012345",
    "owner_name": "Nguyễn Văn An",
    "dossier_code": "X",
    "result_type_code": "KQ",
    "result_name": "R",
    "supplement_wait": "P30D",
    "appraisal_escalation": "P3D",
    "payment_wait": "P15D",
}
FORM = {"components_checked": True, "original_count": 1, "copy_count": 0}
# What models may call (the escalation timer counts working time), as ProcessRun gives it.
FUNCTIONS = {"after_working_days": working_time(None)}
# What linking the local account returns (bare-engine runs have no database to do it).
PROFILE = {"citizen_id": 1, "gender": "Nam", "birth_date": "1990-05-12", "address": "", "phone": ""}


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def at_reception_state_engine(definition) -> str:
    run, changes = ProcessRun.start(definition, START)
    changes = run.complete_service_call(
        changes.service_calls[0].task_id, {"exists": True, "account": {"id": "VN-1"}}
    )
    run.complete_service_call(changes.service_calls[0].task_id, PROFILE)
    return run.dump()


def stock_engine() -> PythonScriptEngine:
    """SpiffWorkflow's own script engine, unrestricted, with the helpers models call."""
    return PythonScriptEngine(environment=TaskDataEnvironment(dict(FUNCTIONS)))


def sandboxed_engine() -> PythonScriptEngine:
    return make_script_engine(FUNCTIONS)


def bench_bare(files: dict[str, str], n: int, engine=sandboxed_engine) -> list[float]:  # noqa: ANN001
    parser = _Parser()
    for name, content in files.items():
        if name.endswith(".bpmn"):
            parser.add_bpmn_str(content.encode(), filename=name)
        elif name.endswith(".dmn"):
            parser.add_dmn_str(content.encode(), filename=name)
    spec = parser.get_spec("counter_dossier")
    subs = parser.get_subprocess_specs("counter_dossier")
    stock = dict(SPIFF_CONFIG)
    stock[DeferredServiceTask] = ServiceTaskConverter
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(stock))
    workflow = BpmnWorkflow(spec, subs, script_engine=engine())
    workflow.get_tasks(state=TaskState.READY)[0].data.update(START)
    workflow.do_engine_steps()
    started = workflow.get_tasks(state=TaskState.STARTED)[0]
    started.data["account_check"] = {"exists": True}
    started.complete()
    workflow.do_engine_steps()
    state = serializer.serialize_json(workflow)
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        wf = serializer.deserialize_json(state)
        wf.script_engine = engine()
        task = wf.get_tasks(state=TaskState.READY, manual=True)[0]
        task.data.update(FORM)
        task.run()
        wf.do_engine_steps()
        serializer.serialize_json(wf)
        samples.append(time.perf_counter() - t0)
    return samples


def bench_engine(definition, n: int) -> list[float]:
    state = at_reception_state_engine(definition)
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        run = ProcessRun.load(definition, state)
        run.complete_user_task(run.ready_user_tasks()[0].id, FORM)
        run.dump()
        samples.append(time.perf_counter() - t0)
    return samples


def bench_service(n: int) -> list[float]:
    with db.transaction() as session:
        actor = Actor.of(session.scalar(select(User).where(User.username == "tiepnhan")))
    for _ in range(n):
        receive_dossier(ReceiveDossier("2.000488", "cccd", "001090012345", "Nguyễn Văn An"), actor)
    with db.transaction() as session:
        calls = session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.operator == "portal.check_account", OutboxMessage.state == "pending"
            )
        ).all()
    for call_id in calls:
        service_calls.complete_service_call(
            claim(call_id).id,
            {"exists": True, "account": {"id": "VN-000001", "full_name": "Nguyễn Văn An"}},
        )
    with db.transaction() as session:
        task_ids = session.scalars(
            select(HumanTask.id).where(
                HumanTask.state == "open", HumanTask.element_id == "reception"
            )
        ).all()
    samples = []
    for task_id in task_ids:
        t0 = time.perf_counter()
        tasks.complete_task(task_id, actor, FORM)
        samples.append(time.perf_counter() - t0)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    files = read_bundle(ROOT / "bpmn")
    definition = parse_bundle(files, "counter_dossier")
    bench_bare(files, 30, stock_engine), bench_bare(files, 30), bench_engine(definition, 30)
    stock = bench_bare(files, args.n, stock_engine)
    bare, engine = bench_bare(files, args.n), bench_engine(definition, args.n)

    with seeded_postgres():
        bench_service(30)
        service = bench_service(args.n)

    rows = [
        ("bare SpiffWorkflow cycle (stock script engine)", stock),
        ("bare cycle, project's restricted script engine", bare),
        ("app.engine cycle (cached spec)", engine),
        ("service layer complete_task on PostgreSQL", service),
    ]
    print(f"counter model, n={args.n} completions each")
    print(f"{'measure':<46}{'median ms':>11}{'p95 ms':>10}")
    for label, samples in rows:
        med, p95 = summary(samples)
        print(f"{label:<46}{med:>11.2f}{p95:>10.2f}")
    for label, base in (("bare engine", stock), ("bare cycle, restricted scripts", bare)):
        ratio_med = summary(service)[0] / summary(base)[0]
        ratio_p95 = summary(service)[1] / summary(base)[1]
        print(f"ratio service / {label}: median {ratio_med:.2f}, p95 {ratio_p95:.2f}")


if __name__ == "__main__":
    main()

"""Benchmark: completing one task, bare SpiffWorkflow vs. the whole service layer on PostgreSQL.

Every line starts from the same instance: the counter model (2.000488) with its reception task
ready, received through the services on PostgreSQL. Its serialized state is read back from
`process_instance.state`, so the bare library, app.engine and the service layer all run the
same model version with the same process data; each completes the reception task with the same
form. Prints median and p95 of
  0. bare, in memory: SpiffWorkflow with its stock (unrestricted) script engine completes the
     task and runs the engine steps on a workflow already deserialized (the load and the save
     are outside the clock): the library's own work and nothing else;
  1. bare, with the state round-trip the service layer makes: the same, plus loading the
     project's spec-less state before and dumping it after (`app.engine.serializer`, the spec
     taken from the parsed model): the same bytes as 4 and 5 load and save;
  2. as 1 with the project's restricted script engine (sandbox and limits);
  3. as 1 with the library's stock serializer instead, whose state embeds the spec (both
     sizes are printed): what a plain SpiffWorkflow application would store;
  4. app.engine: ProcessRun.load / complete_user_task / dump of the spec-less state (what 2
     does, plus the wrapper's snapshot of changes and its guards);
  5. tasks.complete_task end to end on PostgreSQL (load with version check, engine, save,
     projection, audit, outbox, commit, enqueue to Redis);
and the ratios of 5 to 0, 1 and 2.
Usage: .venv/bin/python bench/complete_task.py [--n 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
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

from app.engine import ProcessRun  # noqa: E402
from app.engine import serializer as serializer_module  # noqa: E402
from app.engine.definition import Definition  # noqa: E402
from app.engine.sandbox import make_script_engine  # noqa: E402
from app.engine.specs import DeferredServiceTask  # noqa: E402
from app.engine.timekeeping import script_helpers  # noqa: E402
from app.engine.timer_events import CONVERTERS  # noqa: E402
from app.models import HumanTask, OutboxMessage, ProcessInstance, User  # noqa: E402
from app.services.core import runtime  # noqa: E402
from app.services.core.actors import Actor  # noqa: E402
from app.services.core.outbox import claim  # noqa: E402
from app.services.dossiers import service_calls, tasks  # noqa: E402
from app.services.dossiers.reception import ReceiveDossier, receive_dossier  # noqa: E402
from app.storage.db import db  # noqa: E402
from tests.support.stack import seeded_postgres  # noqa: E402

FORM = {"components_checked": True, "original_count": 1, "copy_count": 0}
WARM_UP = 30


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def stock_engine() -> PythonScriptEngine:
    """SpiffWorkflow's own script engine, unrestricted, with the helpers models call."""
    return PythonScriptEngine(environment=TaskDataEnvironment(script_helpers(None)))


def sandboxed_engine() -> PythonScriptEngine:
    return make_script_engine(script_helpers(None))


def stock_serializer() -> BpmnWorkflowSerializer:
    """The library's serializer (spec embedded in the state), knowing the project's own specs:
    the deferred service task and the timer events that read the domain clock."""
    config = dict(SPIFF_CONFIG)
    config[DeferredServiceTask] = ServiceTaskConverter
    config.update(CONVERTERS)
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


def complete_reception(workflow: BpmnWorkflow) -> None:
    """What every path does: fill the reception form, run the task, run the engine steps."""
    task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
    assert task.task_spec.bpmn_id == "reception", task.task_spec.bpmn_id  # nosec B101
    task.data.update(FORM)
    task.run()
    workflow.do_engine_steps()


def bench_bare_in_memory(serializer: BpmnWorkflowSerializer, state: str, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        workflow = serializer.deserialize_json(state)
        workflow.script_engine = stock_engine()
        t0 = time.perf_counter()
        complete_reception(workflow)
        samples.append(time.perf_counter() - t0)
    return samples


def bench_bare(
    load: Callable[[], BpmnWorkflow],
    dump: Callable[[BpmnWorkflow], str],
    n: int,
    engine: Callable[[], PythonScriptEngine],
) -> list[float]:
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        workflow = load()
        workflow.script_engine = engine()
        complete_reception(workflow)
        dump(workflow)
        samples.append(time.perf_counter() - t0)
    return samples


def bench_engine(definition: Definition, state: str, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        run = ProcessRun.load(definition, state)
        run.complete_user_task(run.ready_user_tasks()[0].id, FORM)
        run.dump()
        samples.append(time.perf_counter() - t0)
    return samples


def prepare_service(count: int) -> tuple[Actor, list[str]]:
    """`count` dossiers received at the counter, their account check answered: each has its
    reception task open. Returns the officer and the task ids."""
    with db.transaction() as session:
        actor = Actor.of(session.scalar(select(User).where(User.username == "tiepnhan")))
    for _ in range(count):
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
            select(HumanTask.id)
            .where(HumanTask.state == "open", HumanTask.element_id == "reception")
            .order_by(HumanTask.created_at)
        ).all()
    return actor, list(task_ids)


def state_of(task_id: str) -> tuple[Definition, str]:
    """The model version and the serialized state the service layer will load for this task."""
    with db.transaction() as session:
        version_id, state = session.execute(
            select(ProcessInstance.model_version_id, ProcessInstance.state).where(
                ProcessInstance.id
                == select(HumanTask.instance_id).where(HumanTask.id == task_id).scalar_subquery()
            )
        ).one()
        return runtime.definition_by_id(session, version_id), state


def bench_service(actor: Actor, task_ids: list[str]) -> list[float]:
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
    with seeded_postgres():
        actor, task_ids = prepare_service(WARM_UP + args.n)
        definition, state = state_of(task_ids[-1])
        library = stock_serializer()
        library_state = library.serialize_json(ProcessRun.load(definition, state).workflow)
        specless = (partial(serializer_module.load, definition, state), serializer_module.dump)
        stock = (partial(library.deserialize_json, library_state), library.serialize_json)
        paths: list[tuple[str, Callable[[int], list[float]]]] = [
            ("0 bare, in memory", partial(bench_bare_in_memory, library, library_state)),
            (
                "1 bare + spec-less state round-trip",
                partial(bench_bare, *specless, engine=stock_engine),
            ),
            (
                "2 as 1, restricted script engine",
                partial(bench_bare, *specless, engine=sandboxed_engine),
            ),
            (
                "3 as 1, stock serializer (spec in state)",
                partial(bench_bare, *stock, engine=stock_engine),
            ),
            ("4 app.engine load/complete/dump", partial(bench_engine, definition, state)),
        ]
        rows = []
        for label, measure in paths:
            measure(WARM_UP)
            rows.append((label, measure(args.n)))
        bench_service(actor, task_ids[:WARM_UP])
        rows.append(
            ("5 service complete_task on PostgreSQL", bench_service(actor, task_ids[WARM_UP:]))
        )

    print(f"counter model, reception task, n={args.n} completions each, same instance state")
    print(
        f"state loaded and saved: spec-less {len(state):,} bytes (1, 2, 4, 5); "
        f"stock serializer {len(library_state):,} bytes (3); not timed in 0"
    )
    print(f"{'measure':<42}{'median ms':>11}{'p95 ms':>10}")
    for label, samples in rows:
        med, p95 = summary(samples)
        print(f"{label:<42}{med:>11.2f}{p95:>10.2f}")
    service = rows[-1][1]
    for number, (label, base) in enumerate(rows[:3]):
        ratio_med = summary(service)[0] / summary(base)[0]
        ratio_p95 = summary(service)[1] / summary(base)[1]
        print(f"ratio 5 / {number} ({label[2:]}): median {ratio_med:.2f}, p95 {ratio_p95:.2f}")


if __name__ == "__main__":
    main()

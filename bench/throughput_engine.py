"""The engine-only figures of `bench/throughput.py`, from one probe dossier walked through the
services after the timed run (the workers still running):
  state   the stored state (`process_instance.state`) each step loads, the finished one's size,
          and the load+dump time (app.engine, median of repeats) of the last step vs the first;
  bare    the same path in memory with SpiffWorkflow alone (its stock script engine, no
          serialization, no database): the same deployed models, the same forms, each service
          task answered with what the probe's call returned; one core, dossiers per second.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from app.engine import ProcessRun
from app.engine.definition import Definition
from app.engine.specs import DeferredServiceTask
from app.engine.timekeeping import script_helpers
from app.models import Dossier, OutboxMessage, ProcessInstance
from app.services.citizens.actions import PAYMENT_MESSAGE
from app.services.core import runtime
from app.storage.db import db
from bench.throughput_driver import Driver, Step

REPEATS = 100  # load+dump of one state, timed this many times (best and median)


@dataclass
class Probe:
    """One dossier's stored states: (the step about to be done, its state) in order."""

    path: str
    code: str = ""
    states: list[tuple[str, str]] = field(default_factory=list)
    final: str = ""
    definition: Definition | None = None
    results: dict[str, Any] = field(default_factory=dict)  # operator → the call's result


class ProbeDriver(Driver):
    """A driver that keeps the stored state each step loads."""

    def __init__(self, probe: Probe) -> None:
        super().__init__(probe.path, 99)
        self.probe = probe

    def saw(self, code: str, task: Step | None, status: int, finished: bool) -> None:
        self.probe.code = code
        if task is not None and (not self.probe.states or self.probe.states[-1][0] != f"{task.id}"):
            self.probe.states.append((f"{task.id}", stored_state(code)[1]))
        if finished:
            self.probe.final = stored_state(code)[1]


def stored_state(code: str) -> tuple[int, str]:
    with db.transaction() as session:
        return session.execute(
            select(ProcessInstance.model_version_id, ProcessInstance.state)
            .join(Dossier, Dossier.id == ProcessInstance.dossier_id)
            .where(Dossier.code == code)
        ).one()


def probe(path: str) -> Probe:
    """Walk one dossier of `path` through the services, keeping its states and call results."""
    found = Probe(path)
    driver = ProbeDriver(found)
    try:
        driver.one_dossier(0)
    finally:
        driver.watcher.stop()
    version_id, _ = stored_state(found.code)
    with db.transaction() as session:
        found.definition = runtime.definition_by_id(session, version_id)
        rows = session.execute(
            select(OutboxMessage.operator, OutboxMessage.result)
            .join(Dossier, Dossier.id == OutboxMessage.dossier_id)
            .where(Dossier.code == found.code, OutboxMessage.task_id.is_not(None))
        ).all()
    found.results = {operator: result for operator, result in rows}
    return found


def _load_dump(definition: Definition, state: str) -> float:
    """CPU seconds to load a stored state and dump it again (app.engine); CPU time, as the
    machine is shared and wall time would measure the neighbours."""
    t0 = time.process_time()
    ProcessRun.load(definition, state).dump()
    return time.process_time() - t0


def state_figures(found: Probe) -> dict[str, float]:
    """Size of the finished state; load+dump of the first and the last step's state, timed
    in turns (so both see the same load on the machine), best and median of REPEATS."""
    assert found.definition is not None  # nosec B101 - set by probe()
    first_state, last_state = found.states[0][1], found.states[-1][1]
    for _ in range(5):  # warm up: caches, the first parse of each script
        _load_dump(found.definition, first_state)
        _load_dump(found.definition, last_state)
    first, last = [], []
    for _ in range(REPEATS):
        first.append(_load_dump(found.definition, first_state))
        last.append(_load_dump(found.definition, last_state))
    return {
        "finished_bytes": len(found.final.encode()),
        "first_bytes": len(first_state.encode()),
        "last_bytes": len(last_state.encode()),
        "first_ms": min(first) * 1000,
        "last_ms": min(last) * 1000,
        "ratio": min(last) / min(first),
        "median_ratio": statistics.median(last) / statistics.median(first),
        "steps": len(found.states),
    }


def _forms_and_data(found: Probe) -> tuple[dict[str, Any], dict[str, dict]]:
    """The start data and the data each user task got (read back from the finished state)."""
    assert found.definition is not None  # nosec B101 - set by probe()
    run = ProcessRun.load(found.definition, found.final)
    start = dict(run.workflow.task_tree.data)
    final = run.latest_data()
    return start, final


def bare_path(found: Probe, dossiers: int) -> tuple[float, str]:
    """Dossiers per second through the same path with SpiffWorkflow alone, one core; and a
    word when the bare run did not reach the end as the real one did."""
    assert found.definition is not None  # nosec B101 - set by probe()
    definition = found.definition
    start, final = _forms_and_data(found)
    results_by_variable = {k: v for k, v in final.items() if isinstance(v, dict)}
    # warm up (first parse of scripts), then time
    problem = _bare_once(definition, start, final, found.results, results_by_variable)
    if problem:
        return float("nan"), problem
    t0 = time.process_time()
    for _ in range(dossiers):
        _bare_once(definition, start, final, found.results, results_by_variable)
    spent = time.process_time() - t0
    return dossiers / spent, ""


def _bare_once(
    definition: Definition,
    start: dict[str, Any],
    final: dict[str, Any],
    by_operator: dict[str, Any],
    by_variable: dict[str, Any],
) -> str:
    workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs)
    workflow.script_engine = PythonScriptEngine(
        environment=TaskDataEnvironment(script_helpers(None))
    )
    workflow.task_tree.data.update(start)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(start)
    paid = False
    for _ in range(200):
        workflow.do_engine_steps()
        if workflow.completed:
            return ""
        calls = [
            t
            for t in workflow.get_tasks(state=TaskState.STARTED)
            if isinstance(t.task_spec, DeferredServiceTask)
        ]
        if calls:
            for task in calls:
                spec = task.task_spec
                variable = spec.result_variable
                task.data[variable] = by_operator.get(
                    spec.operation_name, by_variable.get(variable, {})
                )
                task.complete()
            continue
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if ready:
            task = ready[0]
            # the answers the real step was given (they are what the process data holds)
            task.data.update({k: v for k, v in final.items() if not isinstance(v, dict)})
            task.run()
            continue
        if not paid:
            paid = True
            payload = {"amount": final.get("fee_amount", 0), "transaction_id": "PAY-BARE"}
            workflow.catch(BpmnEvent(MessageEventDefinition(PAYMENT_MESSAGE), payload=payload))
            continue
        return "the bare run stopped with nothing to do"
    return "the bare run did not end in 200 rounds"

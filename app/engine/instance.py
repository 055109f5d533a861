"""A running process instance and the report of what each engine step changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import (
    MessageEventDefinition as SpiffMessageEventDefinition,
)
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from app import metrics
from app.domain.worktime import WorkCalendar
from app.engine import pruning, serializer, service_errors
from app.engine.definition import Definition
from app.engine.errors import ScriptError, TaskNotReady, WorkflowFailed
from app.engine.local_calls import LocalCalls
from app.engine.operation_bounds import StepBound, failure
from app.engine.sandbox import make_script_engine
from app.engine.specs import SERVICE_CALL, DeferredServiceTask
from app.engine.timekeeping import script_helpers


@dataclass(frozen=True)
class UserTaskView:
    """A task waiting for a person: where it sits (lane), what it asks (form), its data."""

    id: str
    element_id: str
    title: str
    lane: str | None
    form: dict[str, Any] | None
    form_ui: dict[str, Any] | None
    properties: dict[str, str]
    instructions: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class ServiceCall:
    task_id: str
    element_id: str
    operator: str
    params: dict[str, Any]


@dataclass(frozen=True)
class CompletedElement:
    task_id: str
    element_id: str
    name: str
    properties: dict[str, str]


# SpiffWorkflow's timer event definitions (a date, a duration, a cycle).
TIMER_EVENTS = frozenset(
    {"TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition"}
)

# A model whose local calls loop back on themselves would never stop: one engine step runs at
# most this many rounds of them.
MAX_LOCAL_ROUNDS = 50


@dataclass
class Changes:
    """What one operation did to the instance, in the project's terms."""

    completed: list[CompletedElement] = field(default_factory=list)
    service_calls: list[ServiceCall] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    ready: list[UserTaskView] = field(default_factory=list)
    # User tasks that stopped waiting (completed or cancelled) and that started waiting.
    left: list[str] = field(default_factory=list)
    entered: list[UserTaskView] = field(default_factory=list)
    finished: bool = False
    next_timer_at: datetime | None = None
    # Calls that failed where the model has no error path: they keep waiting (an incident).
    unhandled_failures: list[ServiceCall] = field(default_factory=list)


@dataclass(frozen=True)
class _Snapshot:
    states: dict[UUID, int]
    waiting: set[str]


def _listens_for_message(task: Task) -> bool:
    """A message boundary event only listens (e.g. for a withdrawal): the dossier does not
    wait there, so the trace does not show it as waiting."""
    definition = getattr(task.task_spec, "event_definition", None)
    return definition is not None and "Message" in type(definition).__name__


def _props(task_spec: Any) -> dict[str, str]:
    return dict(getattr(task_spec, "extensions", {}).get("properties", {}) or {})


class ProcessRun:
    """One instance loaded in memory for the length of one service call."""

    def __init__(
        self,
        definition: Definition,
        workflow: BpmnWorkflow,
        local: LocalCalls | None = None,
        calendar: Callable[[], WorkCalendar] | None = None,
    ) -> None:
        self.definition = definition
        self.workflow = workflow
        self.local = local
        workflow.script_engine = make_script_engine(script_helpers(calendar))

    # -- life cycle -----------------------------------------------------------------
    @classmethod
    def start(
        cls,
        definition: Definition,
        data: dict[str, Any],
        local: LocalCalls | None = None,
        calendar: Callable[[], WorkCalendar] | None = None,
    ) -> tuple[ProcessRun, Changes]:
        workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs)
        run = cls(definition, workflow, local, calendar)
        before = run._snapshot()
        workflow.task_tree.data.update(data)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(data)
        return run, run._advance(before)

    @classmethod
    def load(
        cls,
        definition: Definition,
        state: str,
        local: LocalCalls | None = None,
        calendar: Callable[[], WorkCalendar] | None = None,
    ) -> ProcessRun:
        return cls(definition, serializer.load(definition, state), local, calendar)

    def dump(self) -> str:
        return serializer.dump(self.workflow)

    # -- operations -----------------------------------------------------------------
    def complete_user_task(self, task_id: str, data: dict[str, Any]) -> Changes:
        task = self._task(task_id)
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotReady(task_id)
        before = self._snapshot()
        task.data.update(data)
        self._guard(task.run)
        return self._advance(before)

    def complete_service_call(self, task_id: str, result: dict[str, Any]) -> Changes | None:
        """Feed a service result back. None when the task is no longer waiting (cancelled)."""
        task = self._task(task_id)
        if task is None or task.state != TaskState.STARTED:
            return None
        before = self._snapshot()
        task.data[task.task_spec.result_variable] = result
        self._guard(task.complete)
        return self._advance(before)

    def fail_service_call(
        self, task_id: str, error: str, code: str | None = None
    ) -> Changes | None:
        """A call that failed for good, thrown into the process as a BPMN error (see
        `service_errors`): the model's error path when it has one, otherwise the call keeps
        waiting and `unhandled_failures` names it. None when the task is no longer waiting."""
        task = self._task(task_id)
        if task is None or task.state != TaskState.STARTED:
            return None
        if not isinstance(task.task_spec, DeferredServiceTask):
            return None  # a call activity waits in STARTED too: only a call can fail
        boundary = service_errors.catcher(task, code)
        if boundary is None:
            call = task.internal_data[SERVICE_CALL]
            waiting = ServiceCall(task_id, task.task_spec.bpmn_id, call["operator"], call["params"])
            return Changes(unhandled_failures=[waiting], next_timer_at=self.next_timer_at())
        before = self._snapshot()
        service_errors.throw(boundary, error, code)
        return self._advance(before)

    def deliver_message(self, name: str, payload: dict[str, Any]) -> Changes | None:
        """A BPMN message from outside (a citizen's action through the portal). None when no
        event of the process waits for it now (e.g. withdrawal after acceptance)."""
        waiting = [
            e
            for e in self._waiting_events()
            if e.event_type.endswith("MessageEventDefinition") and e.name == name
        ]
        if not waiting:
            return None
        before = self._snapshot()
        event = BpmnEvent(SpiffMessageEventDefinition(name), payload=dict(payload))
        self._guard(lambda: self.workflow.catch(event))
        return self._advance(before)

    def update_data(self, values: dict[str, Any]) -> Changes:
        """Set process variables on every task still to run (e.g. the competent agency after a
        transfer); nothing moves, and the next timer stays what it was."""
        pending = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.FUTURE
        for task in self.workflow.get_tasks(state=pending):
            task.data.update(values)
        self.workflow.data.update(values)
        return Changes(next_timer_at=self.next_timer_at())

    def waiting_messages(self) -> list[str]:
        """Names of the messages the process would accept now."""
        return sorted(
            {
                e.name
                for e in self._waiting_events()
                if e.event_type.endswith("MessageEventDefinition")
            }
        )

    def fire_timers(self) -> Changes:
        before = self._snapshot()
        return self._advance(before)

    # -- queries --------------------------------------------------------------------
    def waits_for_call(self, task_id: str) -> bool:
        """Whether the service task still waits for its call's result (not cancelled)."""
        task = self._task(task_id)
        return task is not None and task.state == TaskState.STARTED

    def ready_user_tasks(self) -> list[UserTaskView]:
        return [self._view(t) for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)]

    @property
    def finished(self) -> bool:
        return self.workflow.completed

    def latest_data(self) -> dict[str, Any]:
        if self.workflow.completed:
            return dict(self.workflow.data)
        last = self.workflow.last_task
        return dict(last.data) if last is not None else dict(self.workflow.task_tree.data)

    def trace(self) -> tuple[list[str], list[str]]:
        """(BPMN ids completed, in order, the steps left out of the stored state included;
        BPMN ids waiting now: people, calls or timers)."""
        done = [(step[1], step[0]) for step in pruning.pruned_path(self.workflow)]
        done += [
            (t.last_state_change, t.task_spec.bpmn_id)
            for t in self.workflow.get_tasks(state=TaskState.COMPLETED)
            if t.task_spec.bpmn_id
        ]
        done.sort(key=lambda step: step[0])
        waiting_states = TaskState.READY | TaskState.WAITING | TaskState.STARTED
        waiting = [
            t.task_spec.bpmn_id
            for t in self.workflow.get_tasks(state=waiting_states)
            if t.task_spec.bpmn_id and not _listens_for_message(t)
        ]
        return [element_id for _, element_id in done], waiting

    def next_timer_at(self) -> datetime | None:
        due = [
            datetime.fromisoformat(event.value)
            for event in self._waiting_events()
            if event.event_type in TIMER_EVENTS and isinstance(event.value, str)
        ]
        return min(due) if due else None

    # -- internals ------------------------------------------------------------------
    def _waiting_events(self) -> list[Any]:
        """The events the process waits for; an event-based gateway waits as one task for
        each of its events (e.g. the fee paid, or its deadline passing), so it is opened up."""
        events = []
        for task in self.workflow.event_manager.tasks.values():
            definition = task.task_spec.event_definition
            parts = getattr(definition, "event_definitions", None)
            if parts:
                events.extend(part.details(task) for part in parts)
            else:
                events.append(definition.details(task))
        return events

    def _task(self, task_id: str) -> Task | None:
        try:
            return self.workflow.get_task_from_id(UUID(task_id))
        except (ValueError, WorkflowException):
            return None

    def _guard(self, operation: Any) -> None:
        try:
            operation()
        except (SpiffWorkflowException, ScriptError) as exc:
            raise failure(exc) from exc

    def _snapshot(self) -> _Snapshot:
        states, waiting = {}, set()
        for task in self.workflow.get_tasks():
            states[task.id] = task.state
            if task.state == TaskState.READY and task.task_spec.manual:
                waiting.add(str(task.id))
        return _Snapshot(states, waiting)

    def _advance(self, snapshot: _Snapshot) -> Changes:
        before = snapshot.states
        with metrics.ENGINE_CYCLE_SECONDS.time():
            self._guard(self._step)
        changes = Changes(finished=self.workflow.completed)
        completed: list[Task] = []
        for task in self.workflow.get_tasks():
            was = before.get(task.id)
            if task.state == was:
                continue
            if task.state == TaskState.COMPLETED:
                completed.append(task)
            elif task.state == TaskState.STARTED and isinstance(
                task.task_spec, DeferredServiceTask
            ):
                call = task.internal_data[SERVICE_CALL]
                changes.service_calls.append(
                    ServiceCall(
                        str(task.id), task.task_spec.bpmn_id, call["operator"], call["params"]
                    )
                )
            elif task.state == TaskState.CANCELLED and was is not None:
                changes.cancelled.append(str(task.id))
        if self.local is not None:
            self.local.check_deferred([(c.operator, c.params) for c in changes.service_calls])
        # Engine-internal specs (the implicit Start, End markers) have no BPMN id.
        completed = [t for t in completed if t.task_spec.bpmn_id]
        completed.sort(key=lambda t: t.last_state_change)
        changes.completed = [
            CompletedElement(
                str(t.id), t.task_spec.bpmn_id, t.task_spec.bpmn_name or "", _props(t.task_spec)
            )
            for t in completed
        ]
        changes.ready = self.ready_user_tasks()
        now_waiting = {view.id for view in changes.ready}
        changes.left = sorted(snapshot.waiting - now_waiting)
        changes.entered = [view for view in changes.ready if view.id not in snapshot.waiting]
        changes.next_timer_at = self.next_timer_at()
        return changes

    def _step(self) -> None:
        # Expired timers need a refresh before the step that lets them fire, then another.
        self.workflow.refresh_timers()
        bound = StepBound()
        self.workflow.do_engine_steps(did_complete_task=bound)
        if any(not t.task_spec.manual for t in self.workflow.get_tasks(state=TaskState.READY)):
            self.workflow.do_engine_steps(did_complete_task=bound)
        for _ in range(MAX_LOCAL_ROUNDS):
            pending = self._local_pending()
            if not pending:
                return
            for task in pending:
                call = task.internal_data[SERVICE_CALL]
                task.data[task.task_spec.result_variable] = self.local.call(  # type: ignore[union-attr]
                    call["operator"], dict(call["params"])
                )
                task.complete()
            self.workflow.do_engine_steps(did_complete_task=bound)
        raise WorkflowFailed(
            f"more than {MAX_LOCAL_ROUNDS} rounds of local service calls in one step "
            "(does the model loop through them?)"
        )

    def _local_pending(self) -> list[Task]:
        if self.local is None:
            return []
        return [
            t
            for t in self.workflow.get_tasks(state=TaskState.STARTED)
            if isinstance(t.task_spec, DeferredServiceTask)
            and t.internal_data.get(SERVICE_CALL, {}).get("operator") in self.local.names
        ]

    def _view(self, task: Task) -> UserTaskView:
        spec = task.task_spec
        ext = getattr(spec, "extensions", {})
        return UserTaskView(
            id=str(task.id),
            element_id=spec.bpmn_id,
            title=spec.bpmn_name or spec.bpmn_id,
            lane=spec.lane,
            form=self.definition.form(ext.get("formJsonSchemaFilename")),
            form_ui=self.definition.form(ext.get("formUiSchemaFilename")),
            properties=_props(spec),
            instructions=ext.get("instructionsForEndUser"),
            data=dict(task.data),
        )

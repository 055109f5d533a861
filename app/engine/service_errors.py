"""A service call that failed for good, sent into the process as a BPMN error.

The model decides what a failure means: an error boundary event on the service task (or on a
sub-process around it) whose error code matches, or that names no code, takes the error path
and gets `{"message": ..., "code": ...}` in its variable; with none, the process cannot handle
it and the call keeps waiting (the caller raises an incident, sự cố, for supervisors).
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState


def catcher(task: Task, code: str | None) -> Task | None:
    """The waiting error boundary event that catches an error of `code` thrown by `task`: the
    task's own first, then those of each sub-process around it, inside out."""
    while task is not None:
        for sibling in task.parent.children if task.parent is not None else []:
            if sibling is not task and _catches(sibling, code):
                return sibling
        task = _subprocess_task(task)
    return None


def throw(boundary: Task, message: str, code: str | None) -> None:
    """Deliver the error to `boundary` (from `catcher`); the next engine step follows it."""
    definition = boundary.task_spec.event_definition
    event = BpmnEvent(
        type(definition)(definition.name, code=code),
        payload={"message": message, "code": code},
    )
    boundary.task_spec.catch(boundary, event)
    boundary.task_spec._update(boundary)  # noqa: SLF001 - how SpiffWorkflow's event manager delivers


def _catches(task: Task, code: str | None) -> bool:
    spec: Any = task.task_spec
    if not isinstance(spec, BoundaryEvent) or task.state != TaskState.WAITING:
        return False
    definition = spec.event_definition
    return isinstance(definition, ErrorEventDefinition) and definition.code in (None, code)


def _subprocess_task(task: Task) -> Task | None:
    """The task that runs the sub-process `task` belongs to (None at the top)."""
    workflow = task.workflow
    if workflow is workflow.top_workflow or workflow.parent_task_id is None:
        return None
    return workflow.top_workflow.get_task_from_id(workflow.parent_task_id)

"""Bounds on one engine operation and its failures in the project's terms (giới hạn một lần
chạy máy quy trình): a model looping through gateways for ever stops, and a script over its
limits is named with its element and line."""

from __future__ import annotations

import time

from SpiffWorkflow.task import Task

from app.engine.errors import ScriptLimitExceeded, WorkflowFailed
from app.engine.limits import current as current_limits
from app.i18n import _, _l


class StepBound:
    """Counts the elements one engine operation runs and its CPU time: a model that loops
    through gateways for ever (each script within its own limits) stops too."""

    def __init__(self) -> None:
        self.limits = current_limits()
        self.count = 0
        self.started = time.thread_time()

    def __call__(self, task: Task) -> None:
        self.count += 1
        limits, element = self.limits, task.task_spec.bpmn_id or task.task_spec.name
        if self.count > limits.engine_max_steps:
            raise WorkflowFailed(
                _l(
                    "%(element)s: quy trình chạy quá %(engine_max_steps)s bước trong một "
                    "lần (mô hình có vòng lặp không dừng?)",
                    element=element,
                    engine_max_steps=limits.engine_max_steps,
                ),
                element,
                limit=True,
            )
        if time.thread_time() - self.started > limits.engine_cpu_seconds:
            raise WorkflowFailed(
                _l(
                    "%(element)s: quy trình chạy quá %(engine_cpu_seconds)g giây CPU trong một lần",
                    element=element,
                    engine_cpu_seconds=limits.engine_cpu_seconds,
                ),
                element,
                limit=True,
            )


def failure(exc: Exception) -> WorkflowFailed:
    """The engine's error in the project's terms, located at the element that raised; a hard
    limit is named instead of Spiff's generic wording (which drops the cause's message)."""
    spec = getattr(exc, "task_spec", None)
    element = getattr(spec, "bpmn_id", None)
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, ScriptLimitExceeded):
        cause = cause.__cause__ or cause.__context__
    if cause is None:
        return WorkflowFailed(str(exc)[:2000], element)
    line = getattr(exc, "line_number", None)
    where = f"{element}" + (_(", dòng %(line)s", line=line) if line else "") if element else "?"
    return WorkflowFailed(f"{where}: {cause}", element, limit=True)

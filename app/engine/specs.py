"""Task specs of our own: a service task that records its call instead of making it."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.spiff.specs.defaults import ServiceTask

SERVICE_CALL = "service_call"


class DeferredServiceTask(ServiceTask):
    """Evaluates its parameters, stores the call on the task and waits (state STARTED).

    The service layer turns the stored call into an outbox row; the worker's result completes
    the task later.
    """

    def _execute(self, task: Any) -> None:
        params = {name: p["value"] for name, p in self.evaluate_params(task).items()}
        task.internal_data[SERVICE_CALL] = {"operator": self.operation_name, "params": params}
        return None

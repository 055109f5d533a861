"""Service-task operators the caller runs itself (see `LocalCalls`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LocalCalls:
    """Operators the caller runs itself, inside its transaction (e.g. linking the local
    account): a service task naming one completes in the same step instead of waiting for the
    worker. `call(operator, params)` returns the task's result or raises to abort the step.

    A `deferred` operator is the caller's too, but too slow for the step that reaches it (the
    e-result's rendering and signatures): its task waits as for any service call, and
    `check(operator, params)` is asked first, so that a call that could not succeed (nothing
    approved to sign) refuses the step now rather than failing later in the worker."""

    names: frozenset[str]
    call: Callable[[str, dict[str, Any]], dict[str, Any]]
    deferred: frozenset[str] = frozenset()
    check: Callable[[str, dict[str, Any]], None] | None = None

    def check_deferred(self, calls: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Ask `check` about each new call of a deferred operator (it raises to refuse)."""
        if self.check is None:
            return
        for operator, params in calls:
            if operator in self.deferred:
                self.check(operator, dict(params))

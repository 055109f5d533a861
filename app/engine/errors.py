"""Errors the engine raises, in the project's own terms."""

from __future__ import annotations

from dataclasses import dataclass, field


class EngineError(Exception):
    """Base of every error leaving app.engine."""


class ScriptError(EngineError):
    """A script or expression was refused by the sandbox or failed while running."""


SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Problem:
    """One located problem in a model: which file, line and element (id and label), what is
    wrong in the reader's language (`message`, lazy or text), under a stable `code`.

    `severity`: "error" blocks a deploy; "warning" does not; "info" says a check did not run.
    `detail`: the engine's own English words when no catalogued message fits them.
    `consequences`: the knock-on problems this one causes (listed under it, not beside it).
    A new check returns a list of these; `file`, `element_id`, `line` and `name` may be left
    out when the element is known by id: validation fills them in from the bundle.
    """

    message: str
    file: str | None = None
    element_id: str | None = None
    line: int | None = None
    code: str = "model"
    severity: str = "error"
    name: str | None = None
    detail: str | None = None
    consequences: tuple[Problem, ...] = field(default=())


class ModelError(EngineError):
    """A bundle could not be loaded; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(_describe(p) for p in problems))


def _describe(p: Problem) -> str:
    where = ":".join(str(x) for x in (p.file, p.element_id, p.line) if x)
    return f"{where}: {p.message}" if where else str(p.message)


class TaskNotReady(EngineError):
    """The task is not (or no longer) waiting for a person."""


class WorkflowFailed(EngineError):
    """The engine raised while running; the instance must not be saved. `element_id` is the
    BPMN element that failed when known; `limit` is true when a hard limit stopped it."""

    def __init__(self, message: str, element_id: str | None = None, limit: bool = False) -> None:
        super().__init__(message)
        self.element_id = element_id
        self.limit = limit


class ScriptLimitExceeded(ScriptError):
    """A script or condition went over a hard limit (CPU time, steps, size of what it builds);
    the message names the limit, in the reader's language."""

"""Model tests (kiểm thử mô hình): analysts' test cases that run a bundle in memory.

A case is a `*.test.json` file of the bundle:

    {"name": "...", "start": {...start data...},
     "steps": [...], "expect": {...}}

Steps, run in order:
- `{"task": element id, "data": {...}}` submits the waiting user task. The data is checked as
  the real completion checks it: a field the step's form does not declare, a variable only the
  system may set, or a value the form's schema refuses (wrong type, not in the list, missing)
  fails the case at that step, naming the field.
- `{"service": operator, "result": {...}}` answers the oldest waiting call of that operator.
- `{"service": operator, "error": message, "code": optional error code}` makes that call fail
  for good. The failure goes into the engine as a BPMN error, as the worker sends a call it
  gives up on (`service_calls.route_failure`; there the code is the HTTP status, e.g. "503",
  and none when no answer came): an error boundary event of the service task (or of a
  sub-process around it) catching that code, or naming none, takes the error path with
  `{"message", "code"}` in its variable; with none, the engine leaves the call waiting and
  reports it, and the case records an incident.
- `{"message": name, "payload": {...}}` delivers a BPMN message (a citizen's action).

`expect` may hold:
- `path`: every element completed, in order, exactly (the whole path, nothing between);
- `path_contains`: elements that must complete in this order, others may come between;
- `statuses` (the dossierStatus values, in order), `finished` (true/false), `incidents` (the
  operators whose failure the model did not handle, in order), `waiting` (user tasks and calls
  waiting at the end) and `data` (values the final data must have).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from app.engine.definition import Definition
from app.engine.errors import EngineError
from app.engine.instance import Changes, ProcessRun
from app.engine.model_test_checks import check_expectations, form_problems
from app.i18n import _

SUFFIX = ".test.json"


@dataclass
class CaseResult:
    name: str
    file: str
    passed: bool
    failures: list[str] = field(default_factory=list)
    path: list[str] = field(default_factory=list)


@dataclass
class _Progress:
    """What a case has seen so far: statuses, calls waiting, incidents raised."""

    statuses: list[str] = field(default_factory=list)
    calls: list[tuple[str, str, str]] = field(default_factory=list)
    incidents: list[str] = field(default_factory=list)


def cases(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The test cases of a bundle by file name (a file that is not JSON is a failing case)."""
    found = {}
    for name, text in sorted(files.items()):
        if name.endswith(SUFFIX):
            try:
                found[name] = json.loads(text)
            except json.JSONDecodeError as exc:
                found[name] = {"name": name, "_error": _("JSON không hợp lệ: %(e)s", e=exc.msg)}
    return found


def run_case(
    definition: Definition, file: str, case: dict[str, Any], *, stored: bool = True
) -> CaseResult:
    """Run one case in memory; the result lists every way it differs from its expectations.
    With `stored`, the instance is saved and loaded again after every step, as a deployed
    one is (so the case also runs on the stored, pruned state)."""
    result = CaseResult(case.get("name", file), file, False)
    if "_error" in case:
        result.failures.append(case["_error"])
        return result
    try:
        run, changes = ProcessRun.start(definition, dict(case.get("start", {})))
        seen = _Progress()
        _collect(changes, result.path, seen)
        for index, step in enumerate(case.get("steps", []), start=1):
            if stored:
                run = ProcessRun.load(definition, run.dump())
            changes = _step(run, step, seen, result, index)
            if changes is None:
                return result
            _collect(changes, result.path, seen)
        if stored:
            run = ProcessRun.load(definition, run.dump())
        result.failures += check_expectations(
            case.get("expect", {}), run, result.path, seen.statuses, seen.incidents, seen.calls
        )
    except EngineError as exc:
        result.failures.append(_("quy trình báo lỗi: %(error)s", error=str(exc)))
    result.passed = not result.failures
    return result


def run_all(definition: Definition, files: dict[str, str]) -> list[CaseResult]:
    """Every case of the bundle, in file name order."""
    return [run_case(definition, name, case) for name, case in cases(files).items()]


def _collect(changes: Changes, path: list[str], seen: _Progress) -> None:
    for element in changes.completed:
        path.append(element.element_id)
        if "dossierStatus" in element.properties:
            seen.statuses.append(element.properties["dossierStatus"])
    cancelled = set(changes.cancelled)
    seen.calls[:] = [call for call in seen.calls if call[1] not in cancelled]
    seen.calls.extend((c.operator, c.task_id, c.element_id) for c in changes.service_calls)
    seen.incidents.extend(call.operator for call in changes.unhandled_failures)


def _step(
    run: ProcessRun, step: dict, seen: _Progress, result: CaseResult, index: int
) -> Changes | None:
    if "service" in step:
        return _service_step(run, step, seen, result, index)
    if "message" in step:
        changes = run.deliver_message(step["message"], step.get("payload", {}))
        if changes is None:
            result.failures.append(
                _(
                    "bước %(index)s: quy trình không chờ thông điệp «%(name)s»; chờ: %(waiting)s",
                    index=index,
                    name=step["message"],
                    waiting=run.waiting_messages() or _("không có"),
                )
            )
        return changes
    if "task" in step:
        return _task_step(run, step, result, index)
    result.failures.append(_("bước %(index)s: cần «service», «task» hoặc «message»", index=index))
    return None


def _service_step(
    run: ProcessRun, step: dict, seen: _Progress, result: CaseResult, index: int
) -> Changes | None:
    match = next((call for call in seen.calls if call[0] == step["service"]), None)
    if match is None:
        result.failures.append(
            _(
                "bước %(index)s: không có lời gọi «%(operator)s» đang chờ; đang chờ: %(waiting)s",
                index=index,
                operator=step["service"],
                waiting=[call[0] for call in seen.calls] or _("không có"),
            )
        )
        return None
    if "error" in step:
        # The engine decides: the model's error path, or the call keeps waiting (an incident).
        return run.fail_service_call(match[1], str(step["error"]), step.get("code")) or Changes()
    seen.calls.remove(match)
    return run.complete_service_call(match[1], step.get("result", {})) or Changes()


def _task_step(run: ProcessRun, step: dict, result: CaseResult, index: int) -> Changes | None:
    ready = run.ready_user_tasks()
    task = next((t for t in ready if t.element_id == step["task"]), None)
    if task is None:
        result.failures.append(
            _(
                "bước %(index)s: «%(task)s» không đang chờ; đang chờ: %(waiting)s",
                index=index,
                task=step["task"],
                waiting=[t.element_id for t in ready] or _("không có"),
            )
        )
        return None
    data = step.get("data", {})
    problems = form_problems(task.form, data)
    if problems:
        result.failures += [
            _(
                "bước %(index)s («%(task)s»): %(problem)s",
                index=index,
                task=task.element_id,
                problem=problem,
            )
            for problem in problems
        ]
        return None
    return run.complete_user_task(task.id, data)

"""Model tests (kiểm thử mô hình): analysts' test cases that run a bundle in memory.

A case (`*.test.json` in the bundle) gives start data and a list of steps: `{"service":
operator, "result": {...}}` answers the oldest waiting call of that operator, `{"task":
element id, "data": {...}}` submits a waiting user task. `expect` may hold `path` (element ids
that must complete, in this order, others may come between), `statuses` (the dossierStatus
values, in order), `finished` (true/false) and `data` (keys the final data must have).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from app.engine.definition import Definition
from app.engine.errors import EngineError
from app.engine.instance import Changes, ProcessRun
from app.i18n import _

SUFFIX = ".test.json"


@dataclass
class CaseResult:
    name: str
    file: str
    passed: bool
    failures: list[str] = field(default_factory=list)
    path: list[str] = field(default_factory=list)


def cases(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The test cases of a bundle by file name (a file that is not JSON is a failing case)."""
    found = {}
    for name, text in sorted(files.items()):
        if name.endswith(SUFFIX):
            try:
                found[name] = json.loads(text)
            except json.JSONDecodeError as exc:
                found[name] = {"name": name, "_error": _("JSON không hợp lệ: %(msg)s", msg=exc.msg)}
    return found


def run_case(definition: Definition, file: str, case: dict[str, Any]) -> CaseResult:
    result = CaseResult(case.get("name", file), file, False)
    if "_error" in case:
        result.failures.append(case["_error"])
        return result
    try:
        run, changes = ProcessRun.start(definition, dict(case.get("start", {})))
        statuses: list[str] = []
        calls: list[tuple[str, str, str]] = []
        incidents: list[str] = []
        _collect(changes, result.path, statuses, calls)
        for index, step in enumerate(case.get("steps", []), start=1):
            changes = _step(run, step, calls, result, index, incidents)
            if changes is None:
                return result
            _collect(changes, result.path, statuses, calls)
        _check(case.get("expect", {}), run, result, statuses, incidents, calls)
    except EngineError as exc:
        result.failures.append(_("quy trình báo lỗi: %(exc)s", exc=exc))
    result.passed = not result.failures
    return result


def run_all(definition: Definition, files: dict[str, str]) -> list[CaseResult]:
    return [run_case(definition, name, case) for name, case in cases(files).items()]


def _collect(
    changes: Changes, path: list[str], statuses: list[str], calls: list[tuple[str, str, str]]
) -> None:
    for element in changes.completed:
        path.append(element.element_id)
        if "dossierStatus" in element.properties:
            statuses.append(element.properties["dossierStatus"])
    calls.extend((c.operator, c.task_id, c.element_id) for c in changes.service_calls)


def _step(
    run: ProcessRun, step: dict, calls: list, result: CaseResult, index: int, incidents: list
) -> Changes | None:
    if "service" in step:
        match = next((call for call in calls if call[0] == step["service"]), None)
        if match is None:
            result.failures.append(
                _(
                    "bước %(index)s: không có lời gọi «%(step)s» đang chờ; đang chờ: %(waiting)s",
                    index=index,
                    step=step["service"],
                    waiting=[call[0] for call in calls] or _("không có"),
                )
            )
            return None
        if "error" in step:
            # As in production: the call fails for good, an incident is raised, and the step
            # keeps waiting until someone retries it (a later step may answer it).
            incidents.append(step["service"])
            return Changes()
        calls.remove(match)
        return run.complete_service_call(match[1], step.get("result", {})) or Changes()
    if "message" in step:
        changes = run.deliver_message(step["message"], step.get("payload", {}))
        if changes is None:
            result.failures.append(
                _(
                    "bước %(index)s: quy trình không chờ thông điệp «%(step)s»; chờ: %(waiting)s",
                    index=index,
                    step=step["message"],
                    waiting=run.waiting_messages() or _("không có"),
                )
            )
        return changes
    if "task" in step:
        ready = run.ready_user_tasks()
        task = next((t for t in ready if t.element_id == step["task"]), None)
        if task is None:
            result.failures.append(
                _(
                    "bước %(index)s: «%(step)s» không đang chờ; đang chờ: %(waiting)s",
                    index=index,
                    step=step["task"],
                    waiting=[t.element_id for t in ready] or _("không có"),
                )
            )
            return None
        return run.complete_user_task(task.id, step.get("data", {}))
    result.failures.append(_("bước %(index)s: cần «service», «task» hoặc «message»", index=index))
    return None


def _check(
    expect: dict,
    run: ProcessRun,
    result: CaseResult,
    statuses: list[str],
    incidents: list[str],
    calls: list[tuple[str, str, str]],
) -> None:
    remaining = iter(result.path)
    missing = [e for e in expect.get("path", []) if e not in remaining]
    if missing:
        result.failures.append(_("đường đi thiếu (theo thứ tự): %(missing)s", missing=missing))
    if "statuses" in expect and [str(s) for s in expect["statuses"]] != statuses:
        result.failures.append(
            _(
                "trạng thái: mong đợi %(expect)s, thực tế %(statuses)s",
                expect=expect["statuses"],
                statuses=statuses,
            )
        )
    if "finished" in expect and bool(expect["finished"]) != run.finished:
        result.failures.append(
            _(
                "kết thúc: mong đợi %(expect)s, thực tế %(finished)s",
                expect=expect["finished"],
                finished=run.finished,
            )
        )
    if "incidents" in expect and list(expect["incidents"]) != incidents:
        result.failures.append(
            _(
                "sự cố: mong đợi %(expect)s, thực tế %(incidents)s",
                expect=expect["incidents"],
                incidents=incidents,
            )
        )
    if "waiting" in expect:
        waiting = sorted({t.element_id for t in run.ready_user_tasks()} | {c[2] for c in calls})
        if sorted(expect["waiting"]) != waiting:
            result.failures.append(
                _(
                    "đang chờ: mong đợi %(expect)s, thực tế %(waiting)s",
                    expect=expect["waiting"],
                    waiting=waiting,
                )
            )
    data = run.latest_data()
    for key, value in expect.get("data", {}).items():
        if data.get(key) != value:
            result.failures.append(
                _(
                    "dữ liệu «%(key)s»: mong đợi %(value)r, thực tế %(data)r",
                    key=key,
                    value=value,
                    data=data.get(key),
                )
            )

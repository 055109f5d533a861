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
                found[name] = {"name": name, "_error": f"JSON không hợp lệ: {exc.msg}"}
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
        result.failures.append(f"quy trình báo lỗi / the process failed: {exc}")
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
                f"bước {index}: không có lời gọi «{step['service']}» đang chờ; "
                f"đang chờ: {[call[0] for call in calls] or 'không có'}"
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
                f"bước {index}: quy trình không chờ thông điệp «{step['message']}»; "
                f"chờ: {run.waiting_messages() or 'không có'}"
            )
        return changes
    if "task" in step:
        ready = run.ready_user_tasks()
        task = next((t for t in ready if t.element_id == step["task"]), None)
        if task is None:
            result.failures.append(
                f"bước {index}: «{step['task']}» không đang chờ; đang chờ: "
                f"{[t.element_id for t in ready] or 'không có'}"
            )
            return None
        return run.complete_user_task(task.id, step.get("data", {}))
    result.failures.append(f"bước {index}: cần «service», «task» hoặc «message»")
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
        result.failures.append(f"đường đi thiếu (theo thứ tự) / path missing: {missing}")
    if "statuses" in expect and [str(s) for s in expect["statuses"]] != statuses:
        result.failures.append(f"trạng thái: mong đợi {expect['statuses']}, thực tế {statuses}")
    if "finished" in expect and bool(expect["finished"]) != run.finished:
        result.failures.append(f"kết thúc: mong đợi {expect['finished']}, thực tế {run.finished}")
    if "incidents" in expect and list(expect["incidents"]) != incidents:
        result.failures.append(f"sự cố: mong đợi {expect['incidents']}, thực tế {incidents}")
    if "waiting" in expect:
        waiting = sorted({t.element_id for t in run.ready_user_tasks()} | {c[2] for c in calls})
        if sorted(expect["waiting"]) != waiting:
            result.failures.append(f"đang chờ: mong đợi {expect['waiting']}, thực tế {waiting}")
    data = run.latest_data()
    for key, value in expect.get("data", {}).items():
        if data.get(key) != value:
            result.failures.append(
                f"dữ liệu «{key}»: mong đợi {value!r}, thực tế {data.get(key)!r}"
            )

"""What a model test (kiểm thử mô hình) checks: a step's data against its form, and the run
against the case's expectations (see `model_tests` for the case format)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

from app.domain.form_fields import undeclared
from app.domain.process_variables import is_system_variable
from app.engine.instance import ProcessRun
from app.i18n import _


def form_problems(schema: dict[str, Any] | None, data: dict[str, Any]) -> list[str]:
    """Why the real completion of a step with this form would refuse `data`, one line a
    field: a variable only the system sets, a field the form does not declare (the same
    whitelist as the officer's form), a value the schema refuses. Empty when accepted."""
    problems = [
        _("«%(field)s» là biến của hệ thống, biểu mẫu không được ghi", field=name)
        for name in map(str, data)
        if is_system_variable(name)
    ]
    problems += [
        _("trường «%(field)s» không có trong biểu mẫu của bước", field=path)
        for path in undeclared(schema, data)
        if not is_system_variable(path)
    ]
    if schema:
        errors = _validator(json.dumps(schema, sort_keys=True)).iter_errors(data)
        problems += [
            _refused(error) for error in errors if error.validator != "additionalProperties"
        ]
    return problems


@lru_cache(maxsize=64)
def _validator(schema_json: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_json))


def _refused(error: ValidationError) -> str:
    where = ".".join(str(p) for p in error.absolute_path) or _("biểu mẫu")
    return _(
        "«%(field)s» không hợp lệ theo biểu mẫu: %(detail)s", field=where, detail=error.message
    )


def check_expectations(  # noqa: PLR0913 - the facts one run gathered
    expect: dict[str, Any],
    run: ProcessRun,
    path: list[str],
    statuses: list[str],
    incidents: list[str],
    calls: list[tuple[str, str, str]],
) -> list[str]:
    """Every way the run differs from `expect`, in the order of the case format."""
    failures = _path_failures(expect, path)
    if "statuses" in expect and [str(s) for s in expect["statuses"]] != statuses:
        failures.append(
            _(
                "trạng thái: mong đợi %(expected)s, thực tế %(actual)s",
                expected=expect["statuses"],
                actual=statuses,
            )
        )
    if "finished" in expect and bool(expect["finished"]) != run.finished:
        failures.append(
            _(
                "kết thúc: mong đợi %(expected)s, thực tế %(actual)s",
                expected=expect["finished"],
                actual=run.finished,
            )
        )
    if "incidents" in expect and list(expect["incidents"]) != incidents:
        failures.append(
            _(
                "sự cố: mong đợi %(expected)s, thực tế %(actual)s",
                expected=expect["incidents"],
                actual=incidents,
            )
        )
    if "waiting" in expect:
        waiting = sorted({t.element_id for t in run.ready_user_tasks()} | {c[2] for c in calls})
        if sorted(expect["waiting"]) != waiting:
            failures.append(
                _(
                    "đang chờ: mong đợi %(expected)s, thực tế %(actual)s",
                    expected=expect["waiting"],
                    actual=waiting,
                )
            )
    data = run.latest_data()
    failures += [
        _(
            "dữ liệu «%(key)s»: mong đợi %(expected)r, thực tế %(actual)r",
            key=key,
            expected=value,
            actual=data.get(key),
        )
        for key, value in expect.get("data", {}).items()
        if data.get(key) != value
    ]
    return failures


def _path_failures(expect: dict[str, Any], path: list[str]) -> list[str]:
    """`path` must be the whole path; `path_contains` only a subsequence of it."""
    failures = []
    if "path" in expect and list(expect["path"]) != path:
        failures.append(
            _(
                "đường đi: mong đợi đúng %(expected)s, thực tế %(actual)s",
                expected=expect["path"],
                actual=path,
            )
        )
    if "path_contains" in expect:
        remaining = iter(path)
        missing = [e for e in expect["path_contains"] if e not in remaining]
        if missing:
            failures.append(
                _(
                    "đường đi thiếu (theo thứ tự): %(missing)s, thực tế %(actual)s",
                    missing=missing,
                    actual=path,
                )
            )
    return failures

"""What may move between two model versions, after Camunda 7's migration rules (quy tắc chuyển
phiên bản): both versions belong to the same process and differ; an element keeps its type; a
waiting step moves only when the new version keeps it as it was; a waiting timer keeps the
moment it is due even when its definition changed (unless asked to recompute it). Each reason
names the element and says what the analyst can do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

from app.i18n import _

# The internal data a waiting timer keeps its trigger in (see `timer_events`).
_TRIGGER_KEYS = ("event_value", "event_fired")
# Attributes that only say how a timer is defined, not what the element is.
_TIMER_ATTRIBUTES = frozenset({"event_definition"})


@dataclass(frozen=True)
class Reason:
    """Why something cannot move, on which element, and what the analyst can do about it."""

    message: str
    advice: str
    element_id: str | None = None
    name: str | None = None


def version_reasons(
    source_id: int, target_id: int, source_process: str, target_process: str
) -> list[Reason]:
    """Why nothing at all can move from one version to the other (empty when instances may)."""
    if source_id == target_id:
        return [
            Reason(
                _("Phiên bản nguồn và đích là một (#%(id)s): không có gì để chuyển", id=source_id),
                _(
                    "Triển khai phiên bản mới của quy trình rồi chọn nó làm phiên bản đích; "
                    "hồ sơ đang xử lý vẫn chạy tiếp trên phiên bản hiện tại."
                ),
            )
        ]
    if source_process != target_process:
        return [
            Reason(
                _(
                    "Hai phiên bản thuộc hai quy trình khác nhau (%(source)s, %(target)s): "
                    "hồ sơ chỉ chuyển giữa các phiên bản của cùng một quy trình",
                    source=source_process,
                    target=target_process,
                ),
                _(
                    "Chọn phiên bản đích của quy trình %(source)s, hoặc để hồ sơ hoàn thành "
                    "trên phiên bản đang chạy.",
                    source=source_process,
                ),
            )
        ]
    return []


def type_change_reasons(changed: dict[Any, list[str]], alignment: dict) -> list[Reason]:
    """Elements whose type differs between the versions (a user task made a service task): an
    instance waiting at one cannot move (Camunda: same activity type)."""
    found = []
    for spec, attributes in changed.items():
        if "typename" not in attributes or not spec.bpmn_id:
            continue
        new = alignment.get(spec)
        found.append(
            Reason(
                _(
                    "«%(name)s» đổi loại từ %(old)s sang %(new)s: hồ sơ đang chờ ở bước này "
                    "không chuyển được",
                    name=spec.bpmn_name or spec.bpmn_id,
                    old=_kind(spec),
                    new=_kind(new),
                ),
                _(
                    "Giữ nguyên loại phần tử, hoặc đặt mã (id) mới cho phần tử mới để hồ sơ "
                    "chờ ở bước cũ hoàn thành trên phiên bản cũ."
                ),
                spec.bpmn_id,
                spec.bpmn_name,
            )
        )
    return sorted(found, key=lambda r: r.element_id or "")


def gone_reason(label: str) -> Reason:
    """A called process the new version no longer has."""
    return Reason(
        _("%(label)squy trình con không còn trong phiên bản mới", label=label),
        _("Đưa quy trình con trở lại gói của phiên bản mới."),
    )


def removed_reason(label: str, spec: Any) -> Reason:
    """A step the instance waits at or went through, removed from the new version."""
    return Reason(
        _(
            "%(label)sbước «%(name)s» đã bị xoá ở phiên bản mới",
            label=label,
            name=spec.bpmn_name or spec.bpmn_id or spec.name,
        ),
        _(
            "Giữ bước này (cùng mã %(id)s) trong phiên bản mới, hoặc để hồ sơ hoàn thành trên "
            "phiên bản cũ.",
            id=spec.bpmn_id or spec.name,
        ),
        spec.bpmn_id,
        spec.bpmn_name,
    )


def changed_reason(label: str, spec: Any, attributes: list[str]) -> Reason:
    """A step the instance waits at or went through, changed in the new version."""
    if "typename" in attributes:
        return Reason(
            _(
                "%(label)sbước «%(name)s» đổi loại phần tử ở phiên bản mới",
                label=label,
                name=spec.bpmn_name or spec.bpmn_id or spec.name,
            ),
            _("Giữ nguyên loại phần tử, hoặc đặt mã (id) mới cho phần tử mới."),
            spec.bpmn_id,
            spec.bpmn_name,
        )
    return Reason(
        _(
            "%(label)sbước «%(name)s» đã thay đổi ở phiên bản mới",
            label=label,
            name=spec.bpmn_name or spec.bpmn_id or spec.name,
        ),
        _(
            "Hoàn tác thay đổi ở bước này (làm thay đổi ở một bước mới), hoặc để hồ sơ hoàn "
            "thành trên phiên bản cũ."
        ),
        spec.bpmn_id,
        spec.bpmn_name,
    )


def keeps_trigger(task: Any, attributes: list[str]) -> bool:
    """A waiting timer whose definition alone changed moves and keeps its trigger."""
    definition = getattr(task.task_spec, "event_definition", None)
    return (
        task.state == TaskState.WAITING
        and isinstance(definition, TimerEventDefinition)
        and bool(attributes)
        and set(attributes) <= _TIMER_ATTRIBUTES
    )


def kept_triggers(workflow: Any) -> dict[tuple[str | None, str], dict[str, Any]]:
    """The trigger of every waiting timer, by (workflow, element), before a move resets them."""
    kept = {}
    for task in workflow.get_tasks(state=TaskState.WAITING):
        if isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition):
            values = {k: task.internal_data[k] for k in _TRIGGER_KEYS if k in task.internal_data}
            if values:
                kept[(_owner(task), task.task_spec.bpmn_id)] = values
    return kept


def restore_triggers(workflow: Any, kept: dict[tuple[str | None, str], dict[str, Any]]) -> None:
    """Give the timers waiting again after a move the triggers they had before it."""
    for task in workflow.get_tasks(state=TaskState.WAITING):
        values = kept.get((_owner(task), task.task_spec.bpmn_id))
        if values is not None:
            task.internal_data.update(values)


def _owner(task: Any) -> str | None:
    return (
        None if task.workflow is task.workflow.top_workflow else str(task.workflow.parent_task_id)
    )


def _kind(spec: Any) -> str:
    return type(spec).__name__.removeprefix("Deferred") if spec is not None else "?"

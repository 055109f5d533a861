"""Moving a running instance to a newer version of its model (di chuyển phiên bản).

SpiffWorkflow's diff aligns task specs by BPMN id. An instance can move when no task that is
waiting (ready, waiting, started) or already done has its spec removed or changed in the new
version; waiting branches are then reset and predicted again on the new spec.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.serializer.task_spec import ServiceTaskConverter
from SpiffWorkflow.util.task import TaskState

from app.engine import pruning
from app.engine.definition import Definition
from app.engine.instance import Changes, ProcessRun
from app.engine.specs import DeferredServiceTask
from app.engine.timer_events import CONVERTERS
from app.i18n import _

_BLOCKING = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.COMPLETED


def _registry():  # noqa: ANN202
    config = dict(SPIFF_CONFIG)
    config[DeferredServiceTask] = ServiceTaskConverter
    config.update(CONVERTERS)
    return BpmnWorkflowSerializer.configure(config)


_REGISTRY = _registry()


@dataclass(frozen=True)
class Plan:
    movable: bool
    reasons: list[str]


class _SpecAlignment:
    """A spec diff computed once per pair of versions (read-only afterwards): SpiffWorkflow's
    `SpecDiff` converts every task spec to compare it, and recomputes `changed` and `removed`
    on each access, which made diffing cost more than the rest of a move together."""

    def __init__(self, diff: SpecDiff) -> None:
        self.alignment = diff.alignment
        self.changed = diff.changed
        self.removed = frozenset(diff.removed)


@lru_cache(maxsize=64)
def _spec_alignment(original, new) -> _SpecAlignment:  # noqa: ANN001
    # Specs are the cached, shared objects of deployed versions, which never change.
    return _SpecAlignment(SpecDiff(_REGISTRY, original, new))


def _diffs(run: ProcessRun, target: Definition):  # noqa: ANN202
    """The top workflow's diff, and each called process's (None where its spec is gone)."""
    workflow = run.workflow
    top = WorkflowDiff(workflow, _spec_alignment(workflow.spec, target.spec))
    subs = {}
    for sub_id, sub in workflow.subprocesses.items():
        new = target.subprocess_specs.get(sub.spec.name)
        subs[sub_id] = None if new is None else WorkflowDiff(sub, _spec_alignment(sub.spec, new))
    return top, subs


def plan(run: ProcessRun, target: Definition) -> Plan:
    """Whether the instance can move to `target`, and if not, which steps stop it."""
    top, subs = _diffs(run, target)
    reasons = []
    for label, diff in [
        ("", top),
        *[(_("quy trình con %(i)s: ", i=i), d) for i, d in subs.items()],
    ]:
        if diff is None:
            reasons.append(_("%(label)squy trình con không còn trong phiên bản mới", label=label))
            continue
        for task in diff.removed:
            if task.state & _BLOCKING:
                reasons.append(
                    _(
                        "%(label)sbước «%(name)s» đã bị xoá ở phiên bản mới",
                        label=label,
                        name=_name(task),
                    )
                )
        for task in diff.changed:
            if task.state & _BLOCKING:
                reasons.append(
                    _(
                        "%(label)sbước «%(name)s» đã thay đổi ở phiên bản mới",
                        label=label,
                        name=_name(task),
                    )
                )
    for reason in _pruned_reasons(run, target):
        if reason not in reasons:
            reasons.append(reason)
    return Plan(not reasons, reasons)


# SpecDiff of (old bundle, new bundle, process) : bundles are immutable, so each is worked out once.
_spec_diffs: dict[tuple[str, str, str | None], SpecDiff | None] = {}


def _spec_diff(old: Definition, new: Definition, process: str | None) -> SpecDiff | None:
    key = (old.content_hash, new.content_hash, process)
    if key not in _spec_diffs:
        if len(_spec_diffs) > 256:
            _spec_diffs.clear()
        old_spec = old.spec if process is None else old.subprocess_specs.get(process)
        new_spec = new.spec if process is None else new.subprocess_specs.get(process)
        found = old_spec is not None and new_spec is not None
        _spec_diffs[key] = SpecDiff(_REGISTRY, old_spec, new_spec) if found else None
    return _spec_diffs[key]


def _pruned_reasons(run: ProcessRun, target: Definition) -> list[str]:
    """Steps already done but left out of the stored state (`pruning`) block a move as the
    ones still in it do: when the new version removes or changes them."""
    done: dict[str | None, set[str]] = {}
    for element_id, _at, process in pruning.pruned_path(run.workflow):
        done.setdefault(process, set()).add(element_id)
    reasons = []
    for process, ids in sorted(done.items(), key=lambda item: item[0] or ""):
        label = "" if process is None else _("quy trình con %(i)s: ", i=process)
        diff = _spec_diff(run.definition, target, process)
        if diff is None:
            reasons.append(_("%(label)squy trình con không còn trong phiên bản mới", label=label))
            continue
        removed = sorted({s.bpmn_name or s.bpmn_id for s in diff.removed if s.bpmn_id in ids})
        changed = sorted({s.bpmn_name or s.bpmn_id for s in diff.changed if s.bpmn_id in ids})
        reasons += [
            _("%(label)sbước «%(name)s» đã bị xoá ở phiên bản mới", label=label, name=name)
            for name in removed
        ]
        reasons += [
            _("%(label)sbước «%(name)s» đã thay đổi ở phiên bản mới", label=label, name=name)
            for name in changed
        ]
    return reasons


def migrate(run: ProcessRun, target: Definition) -> Changes:
    """Move the instance (call `plan` first); returns what changed for the projection."""
    snapshot = run._snapshot()
    top, subs = _diffs(run, target)
    migrate_workflow(top, run.workflow, target.spec)
    for sub_id, diff in subs.items():
        sub = run.workflow.subprocesses[sub_id]
        migrate_workflow(diff, sub, target.subprocess_specs[sub.spec.name])
    run.workflow.subprocess_specs = target.subprocess_specs
    run.definition = target
    return run._advance(snapshot)


@dataclass(frozen=True)
class SpecChanges:
    """BPMN elements added in, removed from, and changed between two versions."""

    added: list[tuple[str, str]]
    removed: list[tuple[str, str]]
    changed: list[tuple[str, str, list[str], str]]  # id, old name, attributes, new name


def spec_changes(old: Definition, new: Definition) -> SpecChanges:
    diff = SpecDiff(_REGISTRY, old.spec, new.spec)

    def label(spec) -> tuple[str, str]:  # noqa: ANN001
        return spec.bpmn_id, spec.bpmn_name or spec.bpmn_id

    return SpecChanges(
        added=sorted(label(s) for s in diff.added if s.bpmn_id),
        removed=sorted(label(s) for s in diff.removed if s.bpmn_id),
        changed=sorted(
            (*label(s), sorted(attrs), label(diff.alignment[s])[1])
            for s, attrs in diff.changed.items()
            if s.bpmn_id
        ),
    )


def _name(task) -> str:  # noqa: ANN001
    return task.task_spec.bpmn_name or task.task_spec.bpmn_id or task.task_spec.name

"""Moving a running instance to a newer version of its model (di chuyển phiên bản).

SpiffWorkflow's diff aligns task specs by BPMN id. An instance can move when no task that is
waiting (ready, waiting, started) or already done has its spec removed or changed in the new
version; waiting branches are then reset and predicted again on the new spec. As in Camunda 7's
migration rules: an element keeps its type (a user task does not become a service task), and a
waiting timer whose definition changed still moves and keeps the moment it was due (its
trigger), unless the move is asked to recompute it (`update_timers`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.serializer.task_spec import ServiceTaskConverter
from SpiffWorkflow.util.task import TaskState

from app.engine import pruning
from app.engine.definition import Definition
from app.engine.instance import Changes, ProcessRun
from app.engine.migration_rules import (
    Reason,
    changed_reason,
    gone_reason,
    keeps_trigger,
    kept_triggers,
    removed_reason,
    restore_triggers,
    type_change_reasons,
)
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
    details: list[Reason] = field(default_factory=list)


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
    top = _workflow_diff(workflow, _spec_alignment(workflow.spec, target.spec))
    subs = {}
    for sub_id, sub in workflow.subprocesses.items():
        new = target.subprocess_specs.get(sub.spec.name)
        subs[sub_id] = None if new is None else _workflow_diff(sub, _spec_alignment(sub.spec, new))
    return top, subs


def _workflow_diff(workflow, alignment: _SpecAlignment) -> WorkflowDiff:  # noqa: ANN001
    diff = WorkflowDiff(workflow, alignment)
    diff.attributes = alignment.changed  # type: ignore[attr-defined]
    return diff


def plan(run: ProcessRun, target: Definition) -> Plan:
    """Whether the instance can move to `target`, and if not, which steps stop it (each with
    what the analyst can do)."""
    top, subs = _diffs(run, target)
    details: list[Reason] = []
    for label, diff in [
        ("", top),
        *[(_("quy trình con %(i)s: ", i=i), d) for i, d in subs.items()],
    ]:
        if diff is None:
            details.append(gone_reason(label))
            continue
        details += [removed_reason(label, t.task_spec) for t in diff.removed if t.state & _BLOCKING]
        for task in diff.changed:
            attributes = diff.attributes.get(task.task_spec, [])
            if task.state & _BLOCKING and not keeps_trigger(task, attributes):
                details.append(changed_reason(label, task.task_spec, attributes))
    unique = list({d.message: d for d in [*details, *_pruned_reasons(run, target)]}.values())
    return Plan(not unique, [d.message for d in unique], unique)


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


def _pruned_reasons(run: ProcessRun, target: Definition) -> list[Reason]:
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
            reasons.append(gone_reason(label))
            continue
        reasons += [removed_reason(label, s) for s in diff.removed if s.bpmn_id in ids]
        reasons += [
            changed_reason(label, s, attributes)
            for s, attributes in diff.changed.items()
            if s.bpmn_id in ids
        ]
    return reasons


def migrate(run: ProcessRun, target: Definition, update_timers: bool = False) -> Changes:
    """Move the instance (call `plan` first); returns what changed for the projection. Waiting
    timers keep the moment they are due unless `update_timers` recomputes them on the new
    version (Camunda's `updateEventTrigger`)."""
    snapshot = run._snapshot()
    triggers = {} if update_timers else kept_triggers(run.workflow)
    top, subs = _diffs(run, target)
    migrate_workflow(top, run.workflow, target.spec)
    for sub_id, diff in subs.items():
        sub = run.workflow.subprocesses[sub_id]
        migrate_workflow(diff, sub, target.subprocess_specs[sub.spec.name])
    run.workflow.subprocess_specs = target.subprocess_specs
    run.definition = target
    restore_triggers(run.workflow, triggers)
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


def element_reasons(old: Definition, new: Definition) -> list[Reason]:
    """The elements of `old` whose type `new` changes (its process and the processes it
    calls): instances waiting at one of them cannot move."""
    pairs = [(old.spec, new.spec)] + [
        (spec, new.subprocess_specs[name])
        for name, spec in sorted(old.subprocess_specs.items())
        if name in new.subprocess_specs
    ]
    found: list[Reason] = []
    for original, target in pairs:
        alignment = _spec_alignment(original, target)
        found += type_change_reasons(alignment.changed, alignment.alignment)
    return found

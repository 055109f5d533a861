"""Keeping the stored state of an instance flat along its path (rút gọn trạng thái lưu).

SpiffWorkflow keeps every task it ever ran, and every finished called process with its own
tree, so the state (and the time to load and save it) grows with each step. What the engine
still needs of a workflow is the subtree that holds its live tasks: those still to run, the
parent each of them takes its data from, and the last task completed (the process data of a
running instance). Everything above that subtree has finished and nothing reads it again, and a
finished called process has handed its data to its call activity. Both are left out of the
stored state; the path they took is kept as a short list of (element, time, process) so the
dossier page still draws it and a model migration still checks the steps already done.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

# The key of the stored state holding the path of what was left out, oldest first.
PRUNED_KEY = "pruned_path"
# The attribute of a loaded workflow that carries that path until the next save.
PATH_ATTR = "_pruned_path"


def pruned_path(workflow: Any) -> list[list[Any]]:
    """[element id, completed at, process id or None for the top process] of left-out steps."""
    return getattr(workflow, PATH_ATTR, None) or []


def keep_root(workflow: Any) -> Task:
    """The task whose subtree holds everything the workflow can still need."""
    live = [t for t in workflow.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
    live += [t.parent for t in live if t.parent is not None]
    if workflow.last_task is not None and workflow.last_task.id in workflow.tasks:
        live.append(workflow.last_task)
    if not live:
        return workflow.task_tree
    chain = _ancestry(live[0])
    depth = {task.id: index for index, task in enumerate(chain)}
    deepest = len(chain) - 1
    for task in live[1:]:
        while task.id not in depth:
            task = task.parent
        deepest = min(deepest, depth[task.id])
    return chain[deepest]


def _ancestry(task: Task) -> list[Task]:
    chain = []
    while task is not None:
        chain.append(task)
        task = task.parent
    chain.reverse()
    return chain


def _subtree(root: Task) -> set[UUID]:
    kept, stack = set(), [root]
    while stack:
        task = stack.pop()
        kept.add(task.id)
        stack.extend(task.children)
    return kept


def _completed_steps(tasks: Any, process: str | None) -> list[list[Any]]:
    return [
        [t.task_spec.bpmn_id, t.last_state_change, process]
        for t in tasks
        if t.state == TaskState.COMPLETED and getattr(t.task_spec, "bpmn_id", None)
    ]


def prune(workflow: Any, dct: dict[str, Any], convert: Any) -> None:
    """Leave the finished part of `workflow` (top level) out of its serialized form `dct`."""
    left_out: list[list[Any]] = []
    kept_ids = {None: _prune_tree(workflow, dct, convert, None, left_out)}
    kept_subs = {}
    for sub_id, sub in sorted(workflow.subprocesses.items(), key=lambda item: item[1].depth):
        parent = sub.parent_workflow
        parent_key = None if parent is workflow else parent.parent_task_id
        owner_kept = kept_ids.get(parent_key)
        call = parent.tasks.get(sub_id)
        if (
            owner_kept is None
            or sub_id not in owner_kept
            or call is None
            or call.has_state(TaskState.FINISHED_MASK)
        ):
            left_out += _completed_steps(sub.tasks.values(), sub.spec.name)
            continue
        sub_dct = kept_subs[str(sub_id)] = dct["subprocesses"][str(sub_id)]
        kept_ids[sub_id] = _prune_tree(sub, sub_dct, convert, sub.spec.name, left_out)
    dct["subprocesses"] = kept_subs
    left_out.sort(key=lambda step: step[1])
    dct[PRUNED_KEY] = pruned_path(workflow) + left_out


def _prune_tree(
    workflow: Any, dct: dict[str, Any], convert: Any, process: str | None, left_out: list
) -> set[UUID]:
    root = keep_root(workflow)
    if root is workflow.task_tree:
        return set(workflow.tasks)
    kept = _subtree(root)
    left_out += _completed_steps((t for t in workflow.tasks.values() if t.id not in kept), process)
    dct["tasks"] = {key: value for key, value in dct["tasks"].items() if UUID(key) in kept}
    top = dct["tasks"][str(root.id)]
    top["parent"] = None
    top["data"] = convert(root.data)
    top["delta"] = {}
    dct["root"] = str(root.id)
    return kept

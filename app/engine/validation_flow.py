"""Whether a process's flow leads from its start to an end (part of the model validation,
kiểm tra mô hình), with knock-on problems folded under their cause.

One deleted sequence flow leaves an element with no way out and everything after it out of
reach: that is one problem (the element with no outgoing flow) with the unreachable elements
listed under it, not one problem per element.
"""

from __future__ import annotations

from lxml import etree

from app.engine.errors import Problem
from app.i18n import _, _l


def _kind(el: etree._Element) -> str:
    return etree.QName(el).localname


def _label(el: etree._Element) -> str:
    return el.get("name") or el.get("id") or "?"


def _position(item: tuple[str, etree._Element]) -> int:
    return item[1].sourceline or 0


def _top_level(el: etree._Element) -> bool:
    # an event sub-process starts on its event, with no flow in or out by design
    return _kind(el.getparent()) == "process" and el.get("triggeredByEvent") != "true"


def flow_problems(
    file: str, process: etree._Element, nodes: dict[str, etree._Element], flows: list
) -> list[Problem]:
    """Unreachable elements and dead ends of one process's top level, knock-ons folded."""

    def at(el: etree._Element, code: str, message: str, more: tuple = ()) -> Problem:
        line = el.sourceline
        return Problem(
            message, file, el.get("id"), line, code, name=el.get("name"), consequences=more
        )

    successors: dict[str, list[str]] = {}
    predecessors: dict[str, list[str]] = {}
    for flow in flows:
        successors.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
        predecessors.setdefault(flow.get("targetRef"), []).append(flow.get("sourceRef"))
    for node_id, el in nodes.items():
        if _kind(el) == "boundaryEvent":
            successors.setdefault(el.get("attachedToRef"), []).append(node_id)
            predecessors.setdefault(node_id, []).append(el.get("attachedToRef"))
    top = {i: el for i, el in sorted(nodes.items(), key=_position) if _top_level(el)}
    starts = [i for i, el in top.items() if _kind(el) == "startEvent"]
    seen = _closure(starts, successors, set(top))
    dead_ends = {i for i, el in top.items() if _kind(el) != "endEvent" and not successors.get(i)}

    def dead_end(node_id: str) -> Problem:
        return at(top[node_id], "dead-end", _("phần tử không dẫn tới đâu (thiếu luồng ra)"))

    if not starts:
        return [
            at(process, "process-without-start-event", _("quy trình không có sự kiện bắt đầu")),
            *(dead_end(i) for i in top if i in dead_ends),
        ]
    groups = _unreachable_groups([i for i in top if i not in seen], successors, predecessors)
    unreachable_groups = []
    for entry, members in groups:
        under = tuple(
            problem
            for i in members
            for problem in (
                at(top[i], "unreachable", _("không thể tới được phần tử này từ sự kiện bắt đầu")),
                *((dead_end(i),) if i in dead_ends else ()),
            )
        )
        if entry in dead_ends:
            under = (dead_end(entry), *under)
        message = _("không thể tới được phần tử này từ sự kiện bắt đầu")
        unreachable_groups.append((entry, at(top[entry], "unreachable", message, under)))
    reachable_dead_ends = [i for i in top if i in dead_ends and i in seen]
    if len(reachable_dead_ends) == 1 and unreachable_groups:
        [source] = reachable_dead_ends
        entry = unreachable_groups[0][0]
        under = tuple(
            p for _entry, group in unreachable_groups for p in (group, *group.consequences)
        )
        message = _l(
            "«%(source)s» không dẫn tới đâu (thiếu luồng ra): có lẽ thiếu luồng nối tới "
            "«%(target)s»; %(count)s phần tử phía sau không tới được",
            source=_label(top[source]),
            target=_label(top[entry]),
            count=sum(1 for p in under if p.code == "unreachable"),
        )
        flat = tuple(
            Problem(p.message, p.file, p.element_id, p.line, p.code, name=p.name) for p in under
        )
        return [at(top[source], "flow-missing", message, flat)]
    return [
        *(dead_end(i) for i in reachable_dead_ends),
        *(problem for _entry, problem in unreachable_groups),
    ]


def _closure(starts: list[str], successors: dict[str, list[str]], within: set[str]) -> set[str]:
    seen, stack = set(starts), list(starts)
    while stack:
        for nxt in successors.get(stack.pop(), []):
            if nxt not in seen and nxt in within:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def _unreachable_groups(
    unreachable: list[str],
    successors: dict[str, list[str]],
    predecessors: dict[str, list[str]],
) -> list[tuple[str, list[str]]]:
    """The unreachable elements grouped by the one each group is entered by (an element with
    no flow in first, then any left in a cycle), in document order: (entry, the others)."""
    left = set(unreachable)
    entries = [i for i in unreachable if not predecessors.get(i)]
    groups = []
    while left:
        entry = entries.pop(0) if entries else next(i for i in unreachable if i in left)
        if entry not in left:
            continue
        members = _closure([entry], successors, left)
        left -= members
        groups.append((entry, [i for i in unreachable if i in members and i != entry]))
    return groups

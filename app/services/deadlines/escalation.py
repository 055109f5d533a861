"""Escalation (đôn đốc) modelled in BPMN: an element whose `escalate` property lists actions
acts on the dossier's open steps when it completes — typically after a boundary timer.

Actions: `notify_leader` (the agency's leaders are told), `release_to_pool` (claimed steps go
back to their role's pool, the officer is told), `raise_priority` (steps sort first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import HumanTask
from app.services.core import audit, notifications
from app.services.core.actors import Actor

if TYPE_CHECKING:
    from app.services.core.runtime import DossierRef

# The BPMN property naming the actions (e.g. "notify_leader, release_to_pool").
PROPERTY = "escalate"
ACTIONS = ("notify_leader", "release_to_pool", "raise_priority")
_TASKS = HumanTask.__table__


def parse_actions(value: str) -> tuple[list[str], list[str]]:
    """(known actions, unknown names) from a comma-separated property value."""
    names = [name.strip() for name in value.split(",") if name.strip()]
    return [n for n in names if n in ACTIONS], [n for n in names if n not in ACTIONS]


def escalate(
    session: Session,
    instance_id: int,
    dossier: DossierRef,
    value: str,
    actor: Actor,
    element: str,
) -> None:
    """Carry out a model's escalation actions (notify, release, raise) on an instance's steps."""
    """Act on the dossier's open steps as the completed `element`'s property value says."""
    actions, unknown = parse_actions(value)
    steps = (
        session.connection()
        .execute(
            select(_TASKS.c.id, _TASKS.c.title, _TASKS.c.assignee_id).where(
                _TASKS.c.instance_id == instance_id, _TASKS.c.state == "open"
            )
        )
        .all()
    )
    ids = [step.id for step in steps]
    titles = ", ".join(f"«{step.title}»" for step in steps) or "—"
    if ids and "raise_priority" in actions:
        session.connection().execute(update(_TASKS).where(_TASKS.c.id.in_(ids)).values(priority=1))
    if ids and "release_to_pool" in actions:
        holders = [step for step in steps if step.assignee_id is not None]
        session.connection().execute(
            update(_TASKS).where(_TASKS.c.id.in_(ids)).values(assignee_id=None, claimed_at=None)
        )
        notifications.send(
            session,
            [
                notifications.Notice(
                    step.assignee_id,
                    "task_released",
                    _(
                        "«%(title)s» của hồ sơ %(code)s đã được trả về nhóm do quá thời gian xử lý",
                        title=step.title,
                        code=dossier.code,
                    ),
                    dossier.id,
                    step.id,
                )
                for step in holders
            ],
        )
    if "notify_leader" in actions:
        leaders = notifications.holders(session, "leader", dossier.agency_id)
        notifications.notify(
            session,
            leaders,
            "escalation",
            _(
                "Hồ sơ %(code)s: %(titles)s cần đôn đốc (%(element)s)",
                code=dossier.code,
                titles=titles,
                element=element,
            ),
            dossier_id=dossier.id,
        )
    audit.record(
        session,
        "escalated",
        actor,
        dossier_id=dossier.id,
        instance_id=instance_id,
        element=element,
        actions=actions,
        unknown=unknown,
        tasks=ids,
    )

"""What a supervisor does to open steps (giám sát): reassign them, one or a batch at a time,
and nudge whoever holds them with a message. Each step is its own transaction: a batch reports
per step, and a step is either handed over with its audit entry or left as it was."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import _l
from app.models import Dossier, HumanTask, User, UserRole
from app.models.base import utcnow
from app.services.core import audit, notifications
from app.services.core.actors import Actor
from app.services.core.errors import Conflict, InvalidInput, NotFound, ServiceError
from app.services.deadlines.supervision import scope, supervised_task
from app.storage.db import db

REASON_MAX = 500
MESSAGE_MAX = 500
BATCH_MAX = 100


def _text(value: str, field: str, limit: int, required: Any) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(required, fields={field: required})
    if len(text) > limit or any(not (c.isprintable() or c in "\n\r\t") for c in text):
        message = _l("Tối đa %(max)s ký tự", max=limit)
        raise InvalidInput(message, fields={field: message})
    return text


def reassign_task(task_id: str, user_id: int, actor: Actor, reason: str = "") -> None:
    """A supervisor hands an open step to another officer with the right role."""
    if reason:
        reason = _text(reason, "reason", REASON_MAX, _l("Nêu lý do giao lại"))
    with db.transaction() as session:
        task = supervised_task(session, task_id, actor)
        if task.state != "open":
            raise Conflict(_l("Công việc đã kết thúc"))
        target = next((u for u in _candidates(session, task) if u.id == user_id), None)
        if target is None:
            raise InvalidInput(
                _l("Cán bộ này không có vai trò xử lý bước này tại cơ quan"),
                fields={"user_id": _l("Chọn cán bộ có vai trò phù hợp")},
            )
        previous = task.assignee_id
        task.assignee_id, task.claimed_at = target.id, utcnow()
        audit.record(
            session,
            "task_reassigned",
            actor,
            dossier_id=task.dossier_id,
            instance_id=task.instance_id,
            task_id=task.id,
            title=task.title,
            previous_assignee=previous,
            assignee=target.id,
            assignee_name=target.full_name,
            **({"reason": reason} if reason else {}),
        )


@dataclass(frozen=True)
class Handover:
    task_id: str
    dossier_code: str
    ok: bool
    message: str


def reassign_tasks(task_ids: list[str], user_id: int, reason: str, actor: Actor) -> list[Handover]:
    """Hand each selected step to one officer, each on its own: a step outside the
    supervisor's scope, closed, or not of the officer's role stays as it was and says why."""
    ids = list(dict.fromkeys(t.strip() for t in task_ids if t.strip()))
    if not ids:
        message = _l("Chọn ít nhất một việc")
        raise InvalidInput(message, fields={"task_ids": message})
    if len(ids) > BATCH_MAX:
        message = _l("Mỗi lần giao lại tối đa %(max)s việc", max=BATCH_MAX)
        raise InvalidInput(message, fields={"task_ids": message})
    reason = _text(reason, "reason", REASON_MAX, _l("Nêu lý do giao lại"))
    with db.transaction() as session:
        if not scope(session, actor):
            raise NotFound(_l("Không tìm thấy công việc"))
        codes = dict(
            session.execute(
                select(HumanTask.id, Dossier.code)
                .join(Dossier, Dossier.id == HumanTask.dossier_id)
                .where(HumanTask.id.in_(ids))
            ).all()
        )
    outcomes = []
    for task_id in ids:
        try:
            reassign_task(task_id, user_id, actor, reason)
        except ServiceError as error:
            outcomes.append(Handover(task_id, codes.get(task_id, ""), False, error.message))
        else:
            outcomes.append(Handover(task_id, codes.get(task_id, ""), True, ""))
    return outcomes


def nudge(task_id: str, actor: Actor, message: str = "") -> int:
    """A supervisor's reminder, with a message, to whoever holds the step (or its whole pool if
    unclaimed); the message is sent in the notification and kept in the audit log."""
    text = _text(message, "message", MESSAGE_MAX, _l("Nhập nội dung nhắc"))
    with db.transaction() as session:
        task: HumanTask = supervised_task(session, task_id, actor)
        if task.state != "open":
            raise NotFound(_l("Công việc đã kết thúc"))
        dossier = session.get(Dossier, task.dossier_id)
        users = (
            [task.assignee_id]
            if task.assignee_id
            else notifications.holders(session, task.role, task.agency_id)
        )
        notifications.notify(
            session,
            users,
            "nudge",
            f"{actor.name} nhắc xử lý «{task.title}» của hồ sơ {dossier.code}: {text}",
            dossier_id=task.dossier_id,
            task_id=task.id,
        )
        audit.record(
            session,
            "task_nudged",
            actor,
            dossier_id=task.dossier_id,
            instance_id=task.instance_id,
            task_id=task.id,
            title=task.title,
            message=text,
        )
        return len(users)


def _candidates(session: Session, task: HumanTask) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == task.role, UserRole.agency_id == task.agency_id, User.active)
            .order_by(User.full_name)
        )
    )

"""The deadline sweep: open steps move on_time → due_soon → overdue as their times pass.

Two indexed UPDATEs; no instance is loaded. Idempotent: a step changes state once, so two
schedulers sweeping at the same moment mark it once between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain.deadlines import LABELS_VI, DeadlineState
from app.models import Dossier, HumanTask
from app.models.base import utcnow
from app.services import audit, notifications
from app.services.actors import SYSTEM
from app.storage.db import db

_TASKS = HumanTask.__table__


@dataclass(frozen=True)
class SweepResult:
    due_soon: int
    overdue: int


def sweep(now: datetime | None = None) -> SweepResult:
    now = now or utcnow()
    with db.transaction() as session:
        overdue = _mark(
            session,
            DeadlineState.OVERDUE,
            _TASKS.c.due_at <= now,
            _TASKS.c.deadline_state != DeadlineState.OVERDUE,
        )
        soon = _mark(
            session,
            DeadlineState.DUE_SOON,
            _TASKS.c.due_soon_at <= now,
            _TASKS.c.deadline_state == DeadlineState.ON_TIME,
        )
    return SweepResult(soon, overdue)


_MESSAGES = {
    DeadlineState.DUE_SOON: "«{title}» của hồ sơ {code} sắp đến hạn",
    DeadlineState.OVERDUE: "«{title}» của hồ sơ {code} đã quá hạn",
}


def _mark(session: Session, state: DeadlineState, *conditions) -> int:  # noqa: ANN002
    rows = (
        session.connection()
        .execute(
            update(_TASKS)
            .where(_TASKS.c.state == "open", *conditions)
            .values(deadline_state=str(state))
            .returning(
                _TASKS.c.id,
                _TASKS.c.dossier_id,
                _TASKS.c.instance_id,
                _TASKS.c.title,
                _TASKS.c.assignee_id,
                _TASKS.c.agency_id,
            )
        )
        .all()
    )
    if not rows:
        return 0
    codes = dict(
        session.execute(
            select(Dossier.id, Dossier.code).where(Dossier.id.in_({r.dossier_id for r in rows}))
        ).all()
    )
    leaders: dict[int, list[int]] = {}
    notices: list[notifications.Notice] = []
    for row in rows:
        audit.record(
            session,
            f"task_{state}",
            SYSTEM,
            dossier_id=row.dossier_id,
            instance_id=row.instance_id,
            task_id=row.id,
            title=row.title,
            label=LABELS_VI[state],
        )
        # Due soon tells the officer holding the step; overdue tells the agency's leaders too.
        users = [row.assignee_id] if row.assignee_id else []
        if state == DeadlineState.OVERDUE:
            if row.agency_id not in leaders:
                leaders[row.agency_id] = notifications.holders(session, "leader", row.agency_id)
            users += leaders[row.agency_id]
        message = _MESSAGES[state].format(title=row.title, code=codes.get(row.dossier_id, ""))
        notices += [
            notifications.Notice(uid, f"task_{state}", message, row.dossier_id, row.id)
            for uid in set(users)
        ]
    notifications.send(session, _digest(notices, state))
    return len(rows)


# Past this many steps for one officer in one pass, the officer gets one summary notice
# instead of one per step (a mass deadline change would otherwise flood inboxes).
DIGEST_AFTER = 20
_DIGESTS = {
    DeadlineState.DUE_SOON: "{n} bước xử lý sắp đến hạn; xem danh sách công việc",
    DeadlineState.OVERDUE: "{n} bước xử lý đã quá hạn; xem danh sách công việc",
}


def _digest(notices: list[notifications.Notice], state: DeadlineState) -> list:
    per_user: dict[int, list[notifications.Notice]] = {}
    for notice in notices:
        per_user.setdefault(notice.user_id, []).append(notice)
    result: list[notifications.Notice] = []
    for user_id, own in per_user.items():
        if len(own) <= DIGEST_AFTER:
            result += own
        else:
            message = _DIGESTS[state].format(n=len(own))
            result.append(notifications.Notice(user_id, f"task_{state}_digest", message))
    return result

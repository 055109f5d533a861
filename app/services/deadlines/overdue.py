"""The deadline sweep: open steps move on_time → due_soon → overdue as their times pass.

Two indexed UPDATEs; no instance is loaded. Idempotent: a step changes state once, so two
schedulers sweeping at the same moment mark it once between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, Text, Update, cast, func, insert, literal, null, select, update
from sqlalchemy.orm import Session

from app.domain.deadlines import LABELS_VI, DeadlineState
from app.models import AuditEvent, Dossier, HumanTask, User, UserRole
from app.models.base import UtcDateTime, utcnow
from app.services.core import audit, notifications
from app.services.core.actors import SYSTEM
from app.storage.db import db

_TASKS = HumanTask.__table__


@dataclass(frozen=True)
class SweepResult:
    due_soon: int
    overdue: int


def sweep(now: datetime | None = None) -> SweepResult:
    """Mark steps due soon or overdue and notify the people concerned (idempotent)."""
    now = now or utcnow()
    with db.transaction() as session:
        overdue = _mark(
            session,
            DeadlineState.OVERDUE,
            now,
            _TASKS.c.due_at <= now,
            _TASKS.c.deadline_state != DeadlineState.OVERDUE,
        )
        soon = _mark(
            session,
            DeadlineState.DUE_SOON,
            now,
            _TASKS.c.due_soon_at <= now,
            _TASKS.c.deadline_state == DeadlineState.ON_TIME,
        )
    return SweepResult(soon, overdue)


def _logged(moved: Update, state: DeadlineState, now: datetime) -> Select:
    """On PostgreSQL the audit rows are written by the same statement that moves the steps
    (data-modifying CTEs): a pass that moves thousands of steps sends none of them back and
    forth to be logged. The rows are what `audit.record` would write."""
    steps = moved.cte("moved")
    events = AuditEvent.__table__
    log = (
        insert(events)
        .from_select(
            [
                "at",
                "kind",
                "actor_id",
                "actor_name",
                "dossier_id",
                "instance_id",
                "task_id",
                "data",
            ],
            select(
                literal(now, UtcDateTime()),
                literal(f"task_{state}"),
                null(),
                literal(SYSTEM.name),
                steps.c.dossier_id,
                steps.c.instance_id,
                steps.c.id,
                func.jsonb_build_object(
                    "title", steps.c.title, "label", cast(literal(LABELS_VI[state]), Text)
                ),
            ),
        )
        .cte("logged")
    )
    return select(steps).add_cte(log)


_MESSAGES = {
    DeadlineState.DUE_SOON: "«{title}» của hồ sơ {code} sắp đến hạn",
    DeadlineState.OVERDUE: "«{title}» của hồ sơ {code} đã quá hạn",
}


def _mark(session: Session, state: DeadlineState, now: datetime, *conditions) -> int:  # noqa: ANN002
    moved = (
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
    if session.get_bind().dialect.name == "postgresql":
        rows = session.connection().execute(_logged(moved, state, now)).all()
    else:
        rows = session.connection().execute(moved).all()
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
    if not rows:
        return 0
    notifications.send(session, _notices(session, rows, state))
    return len(rows)


def _notices(session: Session, rows: list, state: DeadlineState) -> list[notifications.Notice]:
    """Due soon tells the officer holding the step; overdue tells the agency's leaders too.
    Past DIGEST_AFTER steps in one pass an officer gets one summary instead; the per-step
    messages (and their dossier codes) are made only for the notices that are kept."""
    per_user: dict[int, list[int]] = {}
    by_agency: dict[int, list[int]] = {}
    for index, row in enumerate(rows):
        if row.assignee_id:
            per_user.setdefault(row.assignee_id, []).append(index)
        by_agency.setdefault(row.agency_id, []).append(index)
    if state == DeadlineState.OVERDUE:
        # the leaders of every agency concerned, read at once
        leaders = session.execute(
            select(UserRole.user_id, UserRole.agency_id)
            .join(User, User.id == UserRole.user_id)
            .where(
                UserRole.role == "leader",
                UserRole.agency_id.in_(by_agency),
                User.active.is_(True),
            )
        ).all()
        for user_id, agency_id in leaders:
            own = per_user.setdefault(user_id, [])
            seen = set(own)
            own.extend(i for i in by_agency[agency_id] if i not in seen)
    kept = {i for own in per_user.values() if len(own) <= DIGEST_AFTER for i in own}
    codes = (
        dict(
            session.execute(
                select(Dossier.id, Dossier.code).where(
                    Dossier.id.in_({rows[i].dossier_id for i in kept})
                )
            ).all()
        )
        if kept
        else {}
    )
    notices: list[notifications.Notice] = []
    for user_id, own in per_user.items():
        if len(own) > DIGEST_AFTER:
            message = _DIGESTS[state].format(n=len(own))
            notices.append(notifications.Notice(user_id, f"task_{state}_digest", message))
            continue
        for i in own:
            row = rows[i]
            message = _MESSAGES[state].format(title=row.title, code=codes.get(row.dossier_id, ""))
            notices.append(
                notifications.Notice(user_id, f"task_{state}", message, row.dossier_id, row.id)
            )
    return notices


# Past this many steps for one officer in one pass, the officer gets one summary notice
# instead of one per step (a mass deadline change would otherwise flood inboxes).
DIGEST_AFTER = 20
_DIGESTS = {
    DeadlineState.DUE_SOON: "{n} bước xử lý sắp đến hạn; xem danh sách công việc",
    DeadlineState.OVERDUE: "{n} bước xử lý đã quá hạn; xem danh sách công việc",
}

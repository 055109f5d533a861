"""Dossiers that will miss their appointment: the apology and new appointment (văn bản xin lỗi
và hẹn lại ngày trả kết quả, slip 04) must be recorded before the due time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.status import VN_TZ
from app.domain.worktime import HOURS_PER_DAY
from app.i18n import _l
from app.models import Dossier, Procedure
from app.models.base import utcnow
from app.services.core import audit, calendars
from app.services.core.actors import Actor
from app.services.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.services.core.portal_sync import resync_status
from app.services.core.runtime import dossier_ref
from app.services.deadlines.supervision import scope
from app.services.dossiers.queries import COUNT_CAP, count_up_to
from app.storage.db import db


@dataclass(frozen=True)
class AtRisk:
    code: str
    owner_name: str
    procedure_name: str
    due_at: datetime
    overdue: bool


# The at-risk list shows this many, most urgent first; its total says how many more there are.
AT_RISK_SHOWN = 200


def at_risk(actor: Actor, shown: int | None = None) -> tuple[list[AtRisk], int]:
    """Open dossiers due within one working day, or already late, with no apology yet: the
    `shown` (default `AT_RISK_SHOWN`) most urgent, earliest due first, and how many there are,
    counted up to `COUNT_CAP` + 1 (a province's backlog is not read whole to be counted)."""
    shown = AT_RISK_SHOWN if shown is None else shown
    with db.transaction() as session:
        agencies = scope(session, actor)
        now = utcnow()
        horizon = calendars.work_calendar(session).add_working_hours(now, HOURS_PER_DAY)
        risky = [
            Dossier.finished_at.is_(None),
            Dossier.due_at <= horizon,
            Dossier.apologized_at.is_(None),
            Dossier.agency_id.in_(agencies),
        ]
        rows = (
            session.execute(
                select(Dossier.code, Dossier.owner_name, Procedure.name, Dossier.due_at)
                .join(Procedure, Procedure.id == Dossier.procedure_id)
                .where(*risky)
                .order_by(Dossier.due_at, Dossier.id)
                .limit(shown)
            ).all()
            if shown
            else []
        )
        total = count_up_to(session, Dossier.id, risky, COUNT_CAP)
        listed = [AtRisk(code, owner, name, due, due <= now) for code, owner, name, due in rows]
        return listed, total


def record_apology(code: str, new_day: date, reason: str, actor: Actor) -> datetime:
    """Record the apology and move the appointment to the end of `new_day` (a working day
    after the current one); the portal is told the new appointment."""
    reason = " ".join(reason.split())
    if not 10 <= len(reason) <= 2000:
        raise InvalidInput(
            _l("Nêu lý do trễ hẹn (10–2000 ký tự)"),
            fields={"reason": _l("Nêu lý do trễ hẹn (10–2000 ký tự)")},
        )
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        if dossier is None:
            raise NotFound(_l("Không tìm thấy hồ sơ %(code)s", code=code))
        if not (
            actor.can("leader", dossier.agency_id) or actor.can("reception", dossier.agency_id)
        ):
            raise Forbidden(_l("Chỉ lãnh đạo hoặc cán bộ một cửa của cơ quan được hẹn lại"))
        if dossier.finished_at is not None:
            raise Conflict(_l("Hồ sơ đã kết thúc"))
        new_due = _new_due(session, dossier, new_day)
        previous = dossier.due_at
        dossier.due_at, dossier.apologized_at = new_due, utcnow()
        audit.record(
            session,
            "apology_recorded",
            actor,
            dossier_id=dossier.id,
            reason=reason,
            previous_due=previous.isoformat() if previous else None,
            due=new_due.isoformat(),
        )
        resync_status(session, dossier_ref(dossier))
        return new_due


def _new_due(session: Session, dossier: Dossier, new_day: date) -> datetime:
    calendar = calendars.work_calendar(session)
    current = dossier.due_at.astimezone(VN_TZ).date() if dossier.due_at else date.min
    if new_day <= current:
        raise InvalidInput(
            _l("Ngày hẹn mới phải sau ngày hẹn hiện tại"),
            fields={"new_day": _l("Chọn ngày sau ngày hẹn hiện tại")},
        )
    if not calendar.is_working_day(new_day):
        raise InvalidInput(
            _l("Ngày hẹn mới phải là ngày làm việc"),
            fields={"new_day": _l("Chọn một ngày làm việc")},
        )
    return datetime.combine(new_day, calendar.hours.closing, VN_TZ)

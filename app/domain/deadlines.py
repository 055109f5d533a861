"""Deadline states of steps and dossiers (đúng hạn / sắp đến hạn / quá hạn) and outcomes
(trước hạn / đúng hạn / trễ hạn), the data of the control slip and of the statistics."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from app.domain.messages import N_
from app.domain.status import VN_TZ
from app.domain.worktime import WorkCalendar
from app.i18n import _l


class DeadlineState(StrEnum):
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


class Outcome(StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


LABELS_VI = {
    DeadlineState.ON_TIME: N_("Trong hạn"),
    DeadlineState.DUE_SOON: N_("Sắp đến hạn"),
    DeadlineState.OVERDUE: N_("Quá hạn"),
    Outcome.EARLY: N_("Trước hạn"),
    Outcome.LATE: N_("Trễ hạn"),
}


def due_soon_at(
    start: datetime, due: datetime, calendar: WorkCalendar, fraction: float
) -> datetime:
    """When a step becomes "due soon": the last `fraction` of its working time remains."""
    if not 0 < fraction < 1:
        raise ValueError(_l("Ngưỡng sắp đến hạn phải trong khoảng (0, 1)"))
    total = calendar.working_hours_between(start, due)
    elapsed = total * (1 - fraction)
    return calendar.add_working_hours(start, elapsed) if elapsed > 0 else start


def state_at(now: datetime, due: datetime | None, soon: datetime | None) -> DeadlineState:
    if due is not None and now >= due:
        return DeadlineState.OVERDUE
    if soon is not None and now >= soon:
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TIME


def outcome(finished: datetime, due: datetime | None) -> Outcome | None:
    """Late after the due time; early when finished on an earlier (Vietnam) day; else on time."""
    if due is None:
        return None
    if finished > due:
        return Outcome.LATE
    if finished.astimezone(VN_TZ).date() < due.astimezone(VN_TZ).date():
        return Outcome.EARLY
    return Outcome.ON_TIME


def next_local_midnight(moment: datetime) -> datetime:
    """The start of the next Vietnam day: finishing before a due time at or after it is early."""
    local = moment.astimezone(VN_TZ)
    return datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), VN_TZ)

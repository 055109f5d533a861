"""What a reorganisation plan did: its report (counts that reconcile, refusals with reasons),
its dossiers page by page, the plans on record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.domain.reorganisation import Plan, plan_from_json
from app.domain.status import VN_TZ
from app.i18n import _l
from app.models import AuditEvent, Dossier, ReorgItem, ReorgPlan
from app.services.core.errors import NotFound
from app.storage.db import db


@dataclass(frozen=True)
class Report:
    plan_id: int
    state: str
    before: int
    moved: int
    finished: int
    refused: int
    pending: int
    refusals: list[tuple[str, str]]  # (dossier code, reason)

    @property
    def reconciles(self) -> bool:
        """Whether before = moved + finished + refused + pending."""
        return self.before == self.moved + self.finished + self.refused + self.pending


def plan_of(row: ReorgPlan) -> Plan:
    """The reorganisation plan stored in a plan row."""
    return plan_from_json(row.body)


def report(plan_id: int) -> Report:
    """Report a reorganisation plan's progress, dossier by dossier counts."""
    with db.transaction() as session:
        row = session.get(ReorgPlan, plan_id)
        if row is None:
            raise NotFound(_l("Không có phương án số %(plan_id)s", plan_id=plan_id))
        counts = dict(
            session.execute(
                select(ReorgItem.outcome, func.count())
                .where(ReorgItem.plan_id == plan_id)
                .group_by(ReorgItem.outcome)
            ).all()
        )
        refusals = session.execute(
            select(Dossier.code, ReorgItem.reason)
            .join(Dossier, Dossier.id == ReorgItem.dossier_id)
            .where(ReorgItem.plan_id == plan_id, ReorgItem.outcome == "refused")
            .order_by(Dossier.id)
        ).all()
        return Report(
            plan_id,
            row.state,
            sum(counts.values()),
            counts.get("moved", 0),
            counts.get("finished", 0),
            counts.get("refused", 0),
            counts.get("pending", 0),
            [(code, reason) for code, reason in refusals],
        )


def plans() -> list[ReorgPlan]:
    """List the reorganisation plans, newest first."""
    with db.transaction() as session:
        rows = session.scalars(select(ReorgPlan).order_by(ReorgPlan.id.desc())).all()
        session.expunge_all()
        return list(rows)


def plan_row(plan_id: int) -> tuple[ReorgPlan, Plan]:
    """Load a plan's row and its parsed plan."""
    with db.transaction() as session:
        row = session.get(ReorgPlan, plan_id)
        if row is None:
            raise NotFound(_l("Không có phương án số %(plan_id)s", plan_id=plan_id))
        session.expunge(row)
        return row, plan_of(row)


def items(plan_id: int, offset: int = 0, limit: int = 100) -> list[tuple[str, ReorgItem]]:
    """List a page of a plan's dossiers with their outcome."""
    with db.transaction() as session:
        rows = session.execute(
            select(Dossier.code, ReorgItem)
            .join(Dossier, Dossier.id == ReorgItem.dossier_id)
            .where(ReorgItem.plan_id == plan_id)
            .order_by(ReorgItem.dossier_id)
            .offset(offset)
            .limit(limit)
        ).all()
        session.expunge_all()
        return [(code, item) for code, item in rows]


def since(moment: datetime) -> str:
    """A moment as officers read it (Vietnam time, HH:MM dd/mm/yyyy)."""
    return moment.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y")


def last_refusal(plan_id: int) -> list[str]:
    """The problems that sent the plan back at its cut-over time, when the last attempt did."""
    with db.transaction() as session:
        for data in session.scalars(
            select(AuditEvent.data)
            .where(AuditEvent.kind == "reorganisation_refused")
            .order_by(AuditEvent.id.desc())
            .limit(50)
        ):
            if data.get("plan_id") == plan_id:
                return list(data.get("problems") or [])
    return []

"""Administrative units as synced from the portal, and reorganisation plans (sắp xếp đơn vị
hành chính): one row per plan, one row per dossier the plan had to move."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Json, UtcDateTime, utcnow


class AdminUnit(Base):
    """A province (2 digits) or commune/ward (5 digits) of the two-level list."""

    __tablename__ = "admin_unit"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    level: Mapped[str] = mapped_column(String(16))  # province | commune
    province_code: Mapped[str] = mapped_column(String(8), default="")
    # active | merged (into successor_code) | abolished
    status: Mapped[str] = mapped_column(String(16), default="active")
    successor_code: Mapped[str | None] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ReorgPlan(Base):
    __tablename__ = "reorg_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    # The plan as declared (see app.domain.reorganisation.parse_plan)
    body: Mapped[dict[str, Any]] = mapped_column(Json)
    cutover_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # draft → transferring (cut over: agencies, officers and procedures re-shaped, the
    # pending dossiers listed) → applied
    state: Mapped[str] = mapped_column(String(16), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    cut_over_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ReorgItem(Base):
    """A dossier pending in an affected agency at the cut-over, and what became of it."""

    __tablename__ = "reorg_item"
    __table_args__ = (Index("ix_reorg_item_plan_outcome", "plan_id", "outcome", "dossier_id"),)

    plan_id: Mapped[int] = mapped_column(ForeignKey("reorg_plan.id"), primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), primary_key=True)
    # pending → moved | finished | refused
    outcome: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str] = mapped_column(Text, default="")
    target_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    # what moved: steps (title, role, from, to, released), the due time and next timer kept
    detail: Mapped[dict[str, Any] | None] = mapped_column(Json)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

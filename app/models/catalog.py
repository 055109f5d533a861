"""Procedures (thủ tục hành chính) and how each is configured to run."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Float, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Json
from app.models.org import Agency
from app.models.process import ModelVersion

procedure_agency = Table(
    "procedure_agency",
    Base.metadata,
    Column("procedure_id", ForeignKey("procedure.id"), primary_key=True),
    Column("agency_id", ForeignKey("agency.id"), primary_key=True),
)


class DocumentType(Base):
    """Mã loại giấy tờ (002 §4.a step 4): what digitized documents and results are typed by."""

    __tablename__ = "document_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(1000), default="")
    active: Mapped[bool] = mapped_column(default=True)
    # Thời hạn lưu trữ (001 §II.1): years, or permanent; neither means not decided yet.
    retention_years: Mapped[int | None] = mapped_column()
    retention_permanent: Mapped[bool] = mapped_column(default=False)


class Fee(Base):
    """Fees and charges by code (Decision 4663/QĐ-KBNN), travelling with dossiers to the portal."""

    __tablename__ = "fee"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    amount: Mapped[int] = mapped_column(default=0)  # VND
    note: Mapped[str] = mapped_column(String(500), default="")
    active: Mapped[bool] = mapped_column(default=True)


class Procedure(Base):
    __tablename__ = "procedure"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    level: Mapped[int] = mapped_column(default=2)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    model_version_id: Mapped[int | None] = mapped_column(ForeignKey("model_version.id"))
    # Statutory duration: an amount in `duration_unit` (working_days, working_hours or
    # calendar_days); the supplement clock either pauses or restarts (see app.domain.worktime).
    duration_days: Mapped[float] = mapped_column(Float, default=5)
    duration_unit: Mapped[str] = mapped_column(String(16), default="working_days")
    supplement_clock: Mapped[str] = mapped_column(String(8), default="pause")
    result_type_code: Mapped[str | None] = mapped_column(String(32))
    fee_code: Mapped[str | None] = mapped_column(String(16))
    # Components (thành phần hồ sơ): [{"type_code", "name", "required"}]; per-step durations.
    components: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    step_durations: Mapped[dict[str, float]] = mapped_column(Json, default=dict)
    active: Mapped[bool] = mapped_column(default=True)
    # Fee codes charged (the catalog holds the amounts); online duration when it differs.
    fee_codes: Mapped[list[str]] = mapped_column(Json, default=list)
    duration_online_days: Mapped[float | None] = mapped_column(Float)
    # Officers named for steps: {element_id: [username, ...]} (empty: the role's pool).
    step_officers: Mapped[dict[str, list[str]]] = mapped_column(Json, default=dict)
    sector: Mapped[str] = mapped_column(String(255), default="")
    # The result is electronic only: no paper is returned (the dossier ends at status 10 when
    # the e-result is issued).
    result_e_only: Mapped[bool] = mapped_column(default=False)
    # Received at any counter of the province regardless of administrative boundaries (path
    # C1): the paper travels by BCCI to this agency and the result back to that counter.
    receive_anywhere: Mapped[bool] = mapped_column(default=False)
    # An online applicant pays the fees when submitting, before reception (002 §4.a Bước 1).
    pay_at_submission: Mapped[bool] = mapped_column(default=False)
    # The result's validity (001 §II.2.c (5), (6)): months from issue (none: without a time
    # limit) and where it is valid (app.domain.document_metadata.SCOPES).
    result_validity_months: Mapped[int | None] = mapped_column()
    result_validity_scope: Mapped[str] = mapped_column(String(16), default="national")
    # The sector database (app/domain/sector_databases.py) the result is registered in when
    # issued (001 §II.1 Bước 5); none: the warehouse alone.
    sector_database: Mapped[str | None] = mapped_column(String(16))
    # The result template (app.domain.result_templates): title, fields, layout; none: the
    # generic result (001 §II.2.b Bước 5).
    result_template: Mapped[dict[str, Any] | None] = mapped_column(Json)

    agency: Mapped[Agency] = relationship()
    agencies: Mapped[list[Agency]] = relationship(secondary=procedure_agency)
    model_version: Mapped[ModelVersion | None] = relationship()

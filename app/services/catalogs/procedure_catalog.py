"""The procedures catalog (danh mục thủ tục hành chính): listing, reading and saving one
procedure with its components, fees, executing agencies, step durations and model version."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import settings
from app.domain.document_metadata import SCOPES
from app.domain.sector_databases import SECTOR_DATABASES, url_of
from app.i18n import _, _l
from app.models import Agency, DocumentType, Fee, ModelVersion, NationalEntry, Procedure, User
from app.services.catalogs.commands import ComponentRow, SaveProcedure, StepRow
from app.services.catalogs.editing import record_saved, require_editor
from app.services.core.actors import Actor
from app.services.core.agencies import ids_by_code
from app.services.core.errors import InvalidInput, NotFound
from app.storage.db import db

PROCEDURE_CODE = re.compile(r"^\d\.\d{6}$")
ELEMENT_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$")
UNITS = ("working_days", "working_hours", "calendar_days")
CLOCKS = ("pause", "restart")
MAX_DAYS = 365
# ids are INTEGER columns: a larger number is no id, and PostgreSQL refuses to compare with it
MAX_ID = 2**31 - 1
MAX_VALIDITY_MONTHS = 1200  # a result valid for a hundred years is one without a time limit


@dataclass(frozen=True)
class ProcedureView:
    values: dict[str, Any]
    versions: list[dict[str, Any]]


def procedures() -> list[dict[str, Any]]:
    """List the procedure catalogue."""
    """Every procedure by code, summarised for the catalog's list, with since when the
    national catalogue no longer lists it (003 §III.2.b: flagged, never deleted)."""
    with db.transaction() as session:
        missing = dict(
            session.execute(
                select(NationalEntry.code, NationalEntry.missing_since).where(
                    NationalEntry.catalog == "procedure", NationalEntry.missing_since.is_not(None)
                )
            ).all()
        )
        return [
            {
                "code": p.code,
                "name": p.name,
                "level": p.level,
                "agency": p.agency.name,
                "duration": p.duration_days,
                "unit": p.duration_unit,
                "fees": p.fee_codes or ([p.fee_code] if p.fee_code else []),
                "components": len(p.components or []),
                "model_version_id": p.model_version_id,
                "e_only": p.result_e_only,
                "receive_anywhere": p.receive_anywhere,
                "active": p.active,
                "result_type_code": p.result_type_code or "",
                "national_missing_since": missing.get(p.code),
            }
            for p in session.scalars(select(Procedure).order_by(Procedure.code))
        ]


def procedure_versions() -> list[dict[str, Any]]:
    """List the deployed model versions a procedure may be bound to."""
    """The deployed model versions a procedure may run on, newest first."""
    with db.transaction() as session:
        return [
            {"id": v.id, "label": f"#{v.id} {v.process_id} {v.content_hash[:8]}"}
            for v in session.scalars(select(ModelVersion).order_by(ModelVersion.id.desc()))
        ]


def procedure(code: str) -> ProcedureView:
    """Show one procedure with its components, fees, steps and model version."""
    """One procedure's settings for its edit page, with the versions to choose from."""
    with db.transaction() as session:
        p = session.scalar(select(Procedure).where(Procedure.code == code))
        if p is None:
            raise NotFound(_l("Không có thủ tục %(code)s", code=code))
        values = {
            "code": p.code,
            "name": p.name,
            "level": p.level,
            "sector": p.sector,
            "agency_code": p.agency.code,
            "agency_codes": [a.code for a in p.agencies],
            "duration_days": p.duration_days,
            "duration_unit": p.duration_unit,
            "duration_online_days": p.duration_online_days,
            "supplement_clock": p.supplement_clock,
            "result_type_code": p.result_type_code or "",
            "fee_codes": p.fee_codes or ([p.fee_code] if p.fee_code else []),
            "components": list(p.components or []),
            "step_durations": dict(p.step_durations or {}),
            "step_officers": dict(p.step_officers or {}),
            "model_version_id": p.model_version_id,
            "result_e_only": p.result_e_only,
            "receive_anywhere": p.receive_anywhere,
            "active": p.active,
            "pay_at_submission": p.pay_at_submission,
            "national": _national(session, p.code),
            "result_validity_months": p.result_validity_months,
            "result_validity_scope": p.result_validity_scope,
            "sector_database": p.sector_database or "",
        }
    return ProcedureView(values, procedure_versions())


def _national(session: Session, code: str) -> dict[str, Any] | None:
    """What the national catalogue last said of this procedure beyond its columns: executing
    levels, online services, since when it is no longer listed (003 §III.2.b); None if never
    synced."""
    entry = session.get(NationalEntry, ("procedure", code))
    if entry is None:
        return None
    services = session.scalars(
        select(NationalEntry).where(
            NationalEntry.catalog == "online_service",
            NationalEntry.code.startswith(f"{code}@"),
            NationalEntry.missing_since.is_(None),
        )
    )
    return {
        "executing_levels": list(entry.payload.get("executing_levels") or []),
        "online_services": [dict(s.payload) for s in services],
        "synced_at": entry.synced_at,
        "missing_since": entry.missing_since,
    }


def save_procedure(command: SaveProcedure, actor: Actor) -> str:
    """Add or change a procedure (analysts, administrators); returns its code. Every field is
    checked, against the other catalogs too, before anything is written."""
    require_editor(actor)
    errors = _own_fields(command)
    with db.transaction() as session:
        agency_ids = ids_by_code(session)
        errors |= _references(session, command, agency_ids)
        errors |= _sector_database(command.sector_database)
        errors |= _components(session, command.components)
        steps, step_errors = _steps(session, command.steps)
        errors |= step_errors
        if errors:
            raise InvalidInput(_l("Thủ tục chưa hợp lệ"), fields=errors)
        created = _write(session, command, agency_ids, steps)
        record_saved(session, actor, "procedure", command.code, created)
    return command.code


def _within_days(value: float | None) -> bool:
    return value is not None and 0 < value <= MAX_DAYS


def _own_fields(command: SaveProcedure) -> dict[str, str]:
    """The fields checked on their own: code, name, level, durations, supplement clock."""
    errors = {}
    if not PROCEDURE_CODE.match(command.code):
        errors["code"] = _("Mã thủ tục trên CSDL quốc gia dạng 1.005092")
    if not 2 <= len(command.name) <= 500:
        errors["name"] = _("Tên thủ tục: bắt buộc, 2–500 ký tự")
    if command.level not in (1, 2, 3, 4):
        errors["level"] = _("Mức độ từ 1 đến 4")
    if not _within_days(command.duration_days):
        errors["duration_days"] = _("Thời hạn giải quyết: số lớn hơn 0")
    if command.duration_unit not in UNITS:
        errors["duration_unit"] = _("Chọn đơn vị thời hạn")
    online = command.duration_online_days
    if online is not None and not _within_days(online):
        errors["duration_online_days"] = _("Thời hạn trực tuyến: số lớn hơn 0, hoặc để trống")
    if command.supplement_clock not in CLOCKS:
        errors["supplement_clock"] = _("Chọn cách tính khi chờ bổ sung")
    if command.result_validity_months == 0:
        errors["result_validity_months"] = _("Số tháng lớn hơn 0, hoặc để trống (không thời hạn)")
    if command.result_validity_scope not in SCOPES:  # 001 §II.2.c (6)
        errors["result_validity_scope"] = _("Chọn phạm vi hiệu lực trong danh sách")
    return errors


def _references(
    session: Session, command: SaveProcedure, agency_ids: dict[str, int]
) -> dict[str, str]:
    """The codes pointing into other catalogs: result type, fees, agencies, model version."""
    errors = {}
    result_type = command.result_type_code
    known = session.scalar(select(DocumentType.id).where(DocumentType.code == result_type))
    if result_type and known is None:
        errors["result_type_code"] = _(
            "Không có loại giấy tờ %(result_type)s trong danh mục", result_type=result_type
        )
    elif not result_type and command.active and command.model_version_id is not None:
        # 001 §IV.1: the result's code comes from the national procedure database; a procedure
        # put to work without one could not issue its result
        errors["result_type_code"] = _(
            "Thủ tục đang áp dụng phải có loại kết quả trong danh mục (đồng bộ từ CSDL quốc gia)"
        )
    fee_codes = set(session.scalars(select(Fee.code)))
    unknown = [c for c in command.fee_codes if c not in fee_codes]
    if unknown:
        errors["fee_codes"] = _(
            "Không có mã phí %(names)s trong danh mục", names=", ".join(unknown)
        )
    if command.agency_code not in agency_ids:
        errors["agency_code"] = _("Chọn cơ quan chủ trì")
    missing = [c for c in command.agency_codes if c not in agency_ids]
    if missing:
        errors["agency_codes"] = _("Không có cơ quan %(names)s", names=", ".join(missing))
    version_id = command.model_version_id
    if version_id is not None and (
        not 0 < version_id <= MAX_ID or session.get(ModelVersion, version_id) is None
    ):
        errors["model_version_id"] = _("Chọn một phiên bản mô hình đã triển khai")
    return errors


def sector_databases() -> list[dict[str, Any]]:
    """The sector databases a procedure's result may be registered in, and whether each is
    connected in this installation (its URL setting is set)."""
    return [
        {
            "code": db.code,
            "short_name": db.short_name,
            "name": db.name,
            "connected": bool(url_of(db.code, settings.current)),
            "url_setting": db.url_setting,
        }
        for db in SECTOR_DATABASES.values()
    ]


def _sector_database(code: str) -> dict[str, str]:
    """A known sector database, connected here (001 §II.1 Bước 5), or none."""
    if not code:
        return {}
    database = SECTOR_DATABASES.get(code)
    if database is None:
        return {
            "sector_database": _("Không có CSDL chuyên ngành %(code)s trong danh mục", code=code)
        }
    if not url_of(code, settings.current):
        return {
            "sector_database": _(
                "CSDL chuyên ngành %(name)s chưa được kết nối (thiếu thiết lập %(setting)s)",
                name=_(database.short_name),
                setting=database.url_setting,
            )
        }
    return {}


def _components(session: Session, rows: tuple[ComponentRow, ...]) -> dict[str, str]:
    """Each component names a known document type and has a name."""
    type_codes = set(session.scalars(select(DocumentType.code)))
    errors = {}
    for row in rows:
        key = f"component-{row.index}"
        if row.type_code not in type_codes:
            errors[f"{key}-type_code"] = f"Không có loại giấy tờ «{row.type_code}»"
        if not 2 <= len(row.name) <= 500:
            errors[f"{key}-name"] = _("Tên thành phần: bắt buộc")
    return errors


@dataclass(frozen=True)
class _Steps:
    durations: dict[str, float]
    officers: dict[str, list[str]]


def _steps(session: Session, rows: tuple[StepRow, ...]) -> tuple[_Steps, dict[str, str]]:
    """Per step of the model its duration in days and its officers (active usernames)."""
    usernames = set(session.scalars(select(User.username).where(User.active.is_(True))))
    steps, errors = _Steps({}, {}), {}
    for row in rows:
        key = f"step-{row.index}"
        if not ELEMENT_ID.match(row.element_id):
            errors[f"{key}-element_id"] = _("Mã bước trong mô hình (ví dụ appraisal)")
            continue
        if row.days is not None:
            if not _within_days(row.days):
                errors[f"{key}-days"] = _("Số ngày làm việc lớn hơn 0")
            else:
                steps.durations[row.element_id] = row.days
        wrong = [u for u in row.officers if u not in usernames]
        if wrong:
            errors[f"{key}-officers"] = _("Không có cán bộ %(names)s", names=", ".join(wrong))
        elif row.officers:
            steps.officers[row.element_id] = list(row.officers)
    return steps, errors


def _write(
    session: Session, command: SaveProcedure, agency_ids: dict[str, int], steps: _Steps
) -> bool:
    """Store the checked procedure; True when it is new."""
    row = session.scalar(select(Procedure).where(Procedure.code == command.code))
    created = row is None
    if row is None:
        row = Procedure(code=command.code)
        session.add(row)
    row.name, row.level, row.sector = command.name, command.level, command.sector[:255]
    row.agency_id = agency_ids[command.agency_code]
    row.agencies = [session.get(Agency, agency_ids[c]) for c in command.agency_codes]
    row.duration_days, row.duration_unit = command.duration_days, command.duration_unit
    row.duration_online_days = command.duration_online_days
    row.supplement_clock = command.supplement_clock
    row.result_type_code = command.result_type_code or None
    row.components = [
        {"type_code": c.type_code, "name": c.name, "required": c.required}
        for c in command.components
    ]
    row.fee_codes = list(command.fee_codes)
    row.fee_code = command.fee_codes[0] if command.fee_codes else None
    row.step_durations, row.step_officers = steps.durations, steps.officers
    row.model_version_id = command.model_version_id
    row.result_e_only = command.result_e_only
    row.receive_anywhere = command.receive_anywhere
    row.result_validity_months = command.result_validity_months
    row.result_validity_scope = command.result_validity_scope
    row.active = command.active
    row.pay_at_submission = command.pay_at_submission
    row.sector_database = command.sector_database or None
    return created

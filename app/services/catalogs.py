"""The catalogs (danh mục): document types, fees, agencies and procedures.

Analysts and administrators keep document types, fees and procedures; agencies are for
administrators. Every save is checked field by field (InvalidInput with one message per
field), is one transaction, and is audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.admin_units import admin_unit
from app.i18n import _, _l
from app.models import Agency, DocumentType, Fee, ModelVersion, Procedure, User
from app.services import audit
from app.services.actors import Actor
from app.services.agencies import ids_by_code
from app.services.errors import Forbidden, InvalidInput, NotFound
from app.storage.db import db

TYPE_CODE = re.compile(r"^[A-Z]{2}(\.[A-Z0-9]{2,8}){1,2}\.\d{2,6}$")
FEE_CODE = re.compile(r"^[A-Z]\d{3}$")
AGENCY_CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[GH]\d{2}$")
PROCEDURE_CODE = re.compile(r"^\d\.\d{6}$")
ELEMENT_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$")
UNITS = ("working_days", "working_hours", "calendar_days")
LEVELS = {1: "Bộ, tỉnh", 2: "Sở, ban, ngành", 3: "Xã, phường", 4: "Đơn vị trực thuộc"}


def _editor(actor: Actor) -> None:
    if not (actor.agencies_for("analyst") or actor.agencies_for("admin")):
        raise Forbidden(_l("Chỉ cán bộ phân tích nghiệp vụ hoặc quản trị được sửa danh mục"))


def _admin(actor: Actor) -> None:
    if not actor.agencies_for("admin"):
        raise Forbidden(_l("Chỉ quản trị viên được sửa danh mục cơ quan"))


def _text(values: dict[str, Any], name: str) -> str:
    return " ".join(str(values.get(name) or "").split())


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def _saved(session: Session, actor: Actor, catalog: str, code: str, created: bool) -> None:
    audit.record(
        session,
        "catalog_saved",
        actor,
        dossier_id=None,
        catalog=catalog,
        code=code,
        created=created,
    )


# --- document types --------------------------------------------------------------------------


def document_types(active_only: bool = False) -> list[dict[str, Any]]:
    """List the document-type catalogue (only active types when asked)."""
    with db.transaction() as session:
        query = select(DocumentType).order_by(DocumentType.code)
        if active_only:
            query = query.where(DocumentType.active.is_(True))
        return [
            {"code": t.code, "name": t.name, "description": t.description, "active": t.active}
            for t in session.scalars(query)
        ]


def save_document_type(values: dict[str, Any], actor: Actor) -> str:
    """An analyst adds or edits a document type of the catalogue."""
    _editor(actor)
    code, name = _text(values, "code").upper(), _text(values, "name")
    errors = {}
    if not TYPE_CODE.match(code):
        errors["code"] = _("Mã loại giấy tờ dạng KQ.G15.000031 hoặc TK.LLTP.01")
    if not 2 <= len(name) <= 255:
        errors["name"] = _("Tên: bắt buộc, 2–255 ký tự")
    if errors:
        raise InvalidInput(_l("Loại giấy tờ chưa hợp lệ"), fields=errors)
    with db.transaction() as session:
        row = session.scalar(select(DocumentType).where(DocumentType.code == code))
        created = row is None
        if created:
            row = DocumentType(code=code)
            session.add(row)
        row.name = name
        row.description = _text(values, "description")[:1000]
        row.active = values.get("active", "on") not in ("", "off", False, None, "0")
        _saved(session, actor, "document_type", code, created)
    return code


# --- fees -------------------------------------------------------------------------------------


def fees() -> list[dict[str, Any]]:
    """List the fee catalogue."""
    with db.transaction() as session:
        return [
            {"code": f.code, "name": f.name, "amount": f.amount, "note": f.note, "active": f.active}
            for f in session.scalars(select(Fee).order_by(Fee.code))
        ]


def save_fee(values: dict[str, Any], actor: Actor) -> str:
    """An analyst adds or edits a fee of the catalogue."""
    _editor(actor)
    code, name = _text(values, "code").upper(), _text(values, "name")
    amount_text = _text(values, "amount").replace(".", "").replace(" ", "")
    errors = {}
    if not FEE_CODE.match(code):
        errors["code"] = _("Mã phí, lệ phí theo QĐ 4663/QĐ-KBNN: một chữ cái và ba chữ số (P196)")
    if not 2 <= len(name) <= 255:
        errors["name"] = _("Tên: bắt buộc, 2–255 ký tự")
    if not _small_number(amount_text, 1_000_000_000):
        errors["amount"] = _("Mức thu: số đồng, không âm")
    if errors:
        raise InvalidInput(_l("Phí, lệ phí chưa hợp lệ"), fields=errors)
    with db.transaction() as session:
        row = session.scalar(select(Fee).where(Fee.code == code))
        created = row is None
        if created:
            row = Fee(code=code)
            session.add(row)
        row.name, row.amount = name, int(amount_text)
        row.note = _text(values, "note")[:500]
        row.active = values.get("active", "on") not in ("", "off", False, None, "0")
        _saved(session, actor, "fee", code, created)
    return code


# --- agencies ---------------------------------------------------------------------------------


def agencies() -> list[dict[str, Any]]:
    """List the agency catalogue with each agency's parent and level."""
    with db.transaction() as session:
        rows = session.scalars(select(Agency).order_by(Agency.code)).all()
        by_id = {a.id: a for a in rows}
        result = []
        for a in rows:
            unit = None
            if a.admin_unit_code:
                try:
                    unit = admin_unit(a.admin_unit_code).label
                except ValueError:
                    unit = a.admin_unit_code
            result.append(
                {
                    "code": a.code,
                    "name": a.name,
                    "level": a.level,
                    "level_label": LEVELS.get(a.level, str(a.level)),
                    "parent_code": by_id[a.parent_id].code if a.parent_id in by_id else "",
                    "admin_unit_code": a.admin_unit_code or "",
                    "admin_unit": unit or "",
                    "treasury_account": a.treasury_account or "",
                    "active": a.active,
                }
            )
        return result


def save_agency(values: dict[str, Any], actor: Actor) -> str:
    """An administrator adds or edits an agency of the catalogue."""
    _admin(actor)
    code, name = _text(values, "code"), _text(values, "name")
    parent_code = _text(values, "parent_code")
    unit_code = _text(values, "admin_unit_code")
    errors = {}
    if not AGENCY_CODE.match(code):
        errors["code"] = _("Mã định danh cơ quan dạng 000.00.12.H31 (QĐ 20/2020/QĐ-TTg)")
    if not 2 <= len(name) <= 255:
        errors["name"] = _("Tên: bắt buộc, 2–255 ký tự")
    level = int(_number(_text(values, "level")) or 0)
    if level not in LEVELS:
        errors["level"] = _("Chọn cấp cơ quan")
    if unit_code:
        try:
            admin_unit(unit_code)
        except ValueError as exc:
            errors["admin_unit_code"] = str(exc)
    with db.transaction() as session:
        parent = None
        if parent_code:
            parent = session.scalar(select(Agency).where(Agency.code == parent_code))
            if parent is None:
                errors["parent_code"] = _(
                    "Không có cơ quan mã %(parent_code)s", parent_code=parent_code
                )
            elif parent_code == code:
                errors["parent_code"] = _("Cơ quan không thể trực thuộc chính nó")
            else:
                ancestor = parent
                while ancestor is not None:
                    if ancestor.code == code:
                        errors["parent_code"] = _("Chọn cơ quan cha này sẽ tạo vòng lặp")
                        break
                    ancestor = ancestor.parent
        if errors:
            raise InvalidInput(_l("Cơ quan chưa hợp lệ"), fields=errors)
        row = session.scalar(select(Agency).where(Agency.code == code))
        created = row is None
        if created:
            row = Agency(code=code)
            session.add(row)
        row.name, row.level = name, level
        row.parent_id = parent.id if parent else None
        row.admin_unit_code = unit_code or None
        row.treasury_account = _text(values, "treasury_account")[:64] or None
        row.active = values.get("active", "on") not in ("", "off", False, None, "0")
        _saved(session, actor, "agency", code, created)
    return code


# --- procedures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProcedureView:
    values: dict[str, Any]
    versions: list[dict[str, Any]]


def procedures() -> list[dict[str, Any]]:
    """List the procedure catalogue."""
    with db.transaction() as session:
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
            }
            for p in session.scalars(select(Procedure).order_by(Procedure.code))
        ]


def procedure_versions() -> list[dict[str, Any]]:
    """List the deployed model versions a procedure may be bound to."""
    with db.transaction() as session:
        return [
            {"id": v.id, "label": f"#{v.id} {v.process_id} {v.content_hash[:8]}"}
            for v in session.scalars(select(ModelVersion).order_by(ModelVersion.id.desc()))
        ]


def procedure(code: str) -> ProcedureView:
    """Show one procedure with its components, fees, steps and model version."""
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
        }
    return ProcedureView(values, procedure_versions())


def _rows(values: dict[str, Any], prefix: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """Repeated form rows `prefix-<i>-<field>`; rows left entirely blank are dropped."""
    rows = []
    for i in range(200):
        row = {f: _text(values, f"{prefix}-{i}-{f}") for f in fields}
        present = any(f"{prefix}-{i}-{f}" in values for f in fields)
        if not present:
            break
        if any(row.values()):
            rows.append({"_index": str(i), **row})
    return rows


def save_procedure(values: dict[str, Any], actor: Actor) -> str:
    """An analyst adds or edits a procedure (components, fees, step deadlines, model)."""
    _editor(actor)
    errors: dict[str, str] = {}
    code, name = _text(values, "code"), _text(values, "name")
    if not PROCEDURE_CODE.match(code):
        errors["code"] = _("Mã thủ tục trên CSDL quốc gia dạng 1.005092")
    if not 2 <= len(name) <= 500:
        errors["name"] = _("Tên thủ tục: bắt buộc, 2–500 ký tự")
    level = int(_number(_text(values, "level")) or 0)
    if level not in (1, 2, 3, 4):
        errors["level"] = _("Mức độ từ 1 đến 4")
    duration = _number(_text(values, "duration_days"))
    if duration is None or not 0 < duration <= 365:
        errors["duration_days"] = _("Thời hạn giải quyết: số lớn hơn 0")
    unit = _text(values, "duration_unit")
    if unit not in UNITS:
        errors["duration_unit"] = _("Chọn đơn vị thời hạn")
    online_text = _text(values, "duration_online_days")
    online = _number(online_text) if online_text else None
    if online_text and (online is None or not 0 < online <= 365):
        errors["duration_online_days"] = _("Thời hạn trực tuyến: số lớn hơn 0, hoặc để trống")
    clock = _text(values, "supplement_clock") or "pause"
    if clock not in ("pause", "restart"):
        errors["supplement_clock"] = _("Chọn cách tính khi chờ bổ sung")
    components = _rows(values, "component", ("type_code", "name", "required"))
    steps = _rows(values, "step", ("element_id", "days", "officers"))
    with db.transaction() as session:
        type_codes = set(session.scalars(select(DocumentType.code)))
        fee_codes = set(session.scalars(select(Fee.code)))
        agency_ids = ids_by_code(session)
        usernames = set(session.scalars(select(User.username).where(User.active.is_(True))))
        result_type = _text(values, "result_type_code")
        if result_type and result_type not in type_codes:
            errors["result_type_code"] = _(
                "Không có loại giấy tờ %(result_type)s trong danh mục", result_type=result_type
            )
        clean_components = []
        for row in components:
            key = f"component-{row['_index']}"
            if row["type_code"] not in type_codes:
                errors[f"{key}-type_code"] = _(
                    "Không có loại giấy tờ «%(code)s»", code=row["type_code"]
                )
            if not 2 <= len(row["name"]) <= 500:
                errors[f"{key}-name"] = _("Tên thành phần: bắt buộc")
            clean_components.append(
                {
                    "type_code": row["type_code"],
                    "name": row["name"],
                    "required": row["required"] in ("on", "1", "true", "yes"),
                }
            )
        fees_chosen = [c for c in re.split(r"[,\s]+", _text(values, "fee_codes")) if c]
        unknown = [c for c in fees_chosen if c not in fee_codes]
        if unknown:
            errors["fee_codes"] = _(
                "Không có mã phí %(names)s trong danh mục", names=", ".join(unknown)
            )
        agency_code = _text(values, "agency_code")
        if agency_code not in agency_ids:
            errors["agency_code"] = _("Chọn cơ quan chủ trì")
        executing = [c for c in re.split(r"[,\s]+", _text(values, "agency_codes")) if c]
        missing = [c for c in executing if c not in agency_ids]
        if missing:
            errors["agency_codes"] = _("Không có cơ quan %(names)s", names=", ".join(missing))
        step_durations: dict[str, float] = {}
        step_officers: dict[str, list[str]] = {}
        for row in steps:
            key = f"step-{row['_index']}"
            if not ELEMENT_ID.match(row["element_id"]):
                errors[f"{key}-element_id"] = _("Mã bước trong mô hình (ví dụ appraisal)")
                continue
            if row["days"]:
                days = _number(row["days"])
                if days is None or not 0 < days <= 365:
                    errors[f"{key}-days"] = _("Số ngày làm việc lớn hơn 0")
                else:
                    step_durations[row["element_id"]] = days
            officers = [u for u in re.split(r"[,\s]+", row["officers"]) if u]
            wrong = [u for u in officers if u not in usernames]
            if wrong:
                errors[f"{key}-officers"] = _("Không có cán bộ %(names)s", names=", ".join(wrong))
            elif officers:
                step_officers[row["element_id"]] = officers
        version_text = _text(values, "model_version_id")
        version_id = int(version_text) if _small_number(version_text, 2**63 - 1) else None
        if version_text and (version_id is None or session.get(ModelVersion, version_id) is None):
            errors["model_version_id"] = _("Chọn một phiên bản mô hình đã triển khai")
        if errors:
            raise InvalidInput(_l("Thủ tục chưa hợp lệ"), fields=errors)
        row = session.scalar(select(Procedure).where(Procedure.code == code))
        created = row is None
        if created:
            row = Procedure(code=code)
            session.add(row)
        row.name, row.level, row.sector = name, level, _text(values, "sector")[:255]
        row.agency_id = agency_ids[agency_code]
        row.agencies = [session.get(Agency, agency_ids[c]) for c in executing]
        row.duration_days, row.duration_unit = duration, unit
        row.duration_online_days = online
        row.supplement_clock = clock
        row.result_type_code = result_type or None
        row.components = clean_components
        row.fee_codes = fees_chosen
        row.fee_code = fees_chosen[0] if fees_chosen else None
        row.step_durations, row.step_officers = step_durations, step_officers
        row.model_version_id = version_id
        row.result_e_only = values.get("result_e_only") in ("on", "1", "true", True)
        row.receive_anywhere = values.get("receive_anywhere") in ("on", "1", "true", True)
        row.active = values.get("active", "on") not in ("", "off", False, None, "0")
        _saved(session, actor, "procedure", code, created)
    return code


def _small_number(text: str, most: int) -> bool:
    """ASCII digits whose value is at most `most` (not "²", not beyond the database)."""
    return text.isascii() and text.isdigit() and len(text) <= len(str(most)) and int(text) <= most

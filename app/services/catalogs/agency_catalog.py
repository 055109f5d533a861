"""The agencies catalog (danh mục cơ quan): listing and saving one agency (administrators)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.admin_units import admin_unit
from app.i18n import _, _l
from app.models import Agency
from app.services.catalogs.commands import SaveAgency
from app.services.catalogs.editing import NAME_RULE, record_saved, require_admin
from app.services.core.actors import Actor
from app.services.core.errors import InvalidInput
from app.storage.db import db

AGENCY_CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[GH]\d{2}$")
LEVELS = {1: "Bộ, tỉnh", 2: "Sở, ban, ngành", 3: "Xã, phường", 4: "Đơn vị trực thuộc"}


def agencies() -> list[dict[str, Any]]:
    """List the agency catalogue with each agency's parent and level."""
    """Every agency by code, with its level, parent and administrative unit as labels."""
    with db.transaction() as session:
        rows = session.scalars(select(Agency).order_by(Agency.code)).all()
        by_id = {a.id: a for a in rows}
        return [
            {
                "code": a.code,
                "name": a.name,
                "level": a.level,
                "level_label": LEVELS.get(a.level, str(a.level)),
                "parent_code": by_id[a.parent_id].code if a.parent_id in by_id else "",
                "admin_unit_code": a.admin_unit_code or "",
                "admin_unit": _unit_label(a.admin_unit_code),
                "treasury_account": a.treasury_account or "",
                "active": a.active,
            }
            for a in rows
        ]


def _unit_label(code: str | None) -> str:
    if not code:
        return ""
    try:
        return admin_unit(code).label
    except ValueError:
        return code


def save_agency(command: SaveAgency, actor: Actor) -> str:
    """Add or change an agency (administrators only); returns its code."""
    require_admin(actor)
    code, unit_code = command.code, command.admin_unit_code
    errors = {}
    if not AGENCY_CODE.match(code):
        errors["code"] = _("Mã định danh cơ quan dạng 000.00.12.H31 (QĐ 20/2020/QĐ-TTg)")
    if not 2 <= len(command.name) <= 255:
        errors["name"] = NAME_RULE
    if command.level not in LEVELS:
        errors["level"] = _("Chọn cấp cơ quan")
    if unit_code:
        try:
            admin_unit(unit_code)
        except ValueError as exc:
            errors["admin_unit_code"] = str(exc)
    with db.transaction() as session:
        parent = _parent(session, code, command.parent_code, errors)
        if errors:
            raise InvalidInput(_l("Cơ quan chưa hợp lệ"), fields=errors)
        row = session.scalar(select(Agency).where(Agency.code == code))
        created = row is None
        if created:
            row = Agency(code=code)
            session.add(row)
        row.name, row.level = command.name, command.level
        row.parent_id = parent.id if parent else None
        row.admin_unit_code = unit_code or None
        row.treasury_account = command.treasury_account[:64] or None
        row.active = command.active
        record_saved(session, actor, "agency", code, created)
    return code


def _parent(session: Session, code: str, parent_code: str, errors: dict[str, str]) -> Agency | None:
    """The parent agency chosen, or None; a missing parent or a loop goes into `errors`."""
    if not parent_code:
        return None
    parent = session.scalar(select(Agency).where(Agency.code == parent_code))
    if parent is None:
        errors["parent_code"] = _("Không có cơ quan mã %(parent_code)s", parent_code=parent_code)
    elif parent_code == code:
        errors["parent_code"] = _("Cơ quan không thể trực thuộc chính nó")
    else:
        ancestor: Agency | None = parent
        while ancestor is not None:
            if ancestor.code == code:
                errors["parent_code"] = _("Chọn cơ quan cha này sẽ tạo vòng lặp")
                break
            ancestor = ancestor.parent
    return parent

"""The document types catalog (danh mục loại giấy tờ): listing and saving one type."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from app.i18n import _, _l
from app.models import DocumentType
from app.services.catalogs.commands import SaveDocumentType
from app.services.catalogs.editing import NAME_RULE, record_saved, require_editor
from app.services.core.actors import Actor
from app.services.core.errors import InvalidInput
from app.storage.db import db

TYPE_CODE = re.compile(r"^[A-Z]{2}(\.[A-Z0-9]{2,8}){1,2}\.\d{2,6}$")
MAX_RETENTION_YEARS = 100


def document_types(active_only: bool = False) -> list[dict[str, Any]]:
    """List the document-type catalogue (only active types when asked)."""
    """The document types by code (only those in use when `active_only`)."""
    with db.transaction() as session:
        query = select(DocumentType).order_by(DocumentType.code)
        if active_only:
            query = query.where(DocumentType.active.is_(True))
        return [
            {
                "code": t.code,
                "name": t.name,
                "description": t.description,
                "active": t.active,
                "retention_years": t.retention_years,
                "retention_permanent": t.retention_permanent,
            }
            for t in session.scalars(query)
        ]


def save_document_type(command: SaveDocumentType, actor: Actor) -> str:
    """Add or change a document type (analysts, administrators); returns its code."""
    require_editor(actor)
    code, name = command.code.upper(), command.name
    errors = {}
    if not TYPE_CODE.match(code):
        errors["code"] = _("Mã loại giấy tờ dạng KQ.G15.000031 hoặc TK.LLTP.01")
    if not 2 <= len(name) <= 255:
        errors["name"] = NAME_RULE
    errors |= _retention_errors(command)
    if errors:
        raise InvalidInput(_l("Loại giấy tờ chưa hợp lệ"), fields=errors)
    with db.transaction() as session:
        row = session.scalar(select(DocumentType).where(DocumentType.code == code))
        created = row is None
        if created:
            row = DocumentType(code=code)
            session.add(row)
        row.name = name
        row.description = command.description[:1000]
        row.active = command.active
        row.retention_years = None if command.retention_permanent else command.retention_years
        row.retention_permanent = command.retention_permanent
        record_saved(session, actor, "document_type", code, created)
    return code


def _retention_errors(command: SaveDocumentType) -> dict[str, str]:
    """The retention period (001 §II.1 "thời hạn lưu trữ"): 1 to 100 years, or permanent,
    never both."""
    years = command.retention_years
    if years is not None and command.retention_permanent:
        return {"retention_years": _("Chọn số năm lưu trữ hoặc lưu trữ vĩnh viễn, không cả hai")}
    if years is not None and not 1 <= years <= MAX_RETENTION_YEARS:
        return {
            "retention_years": _("Thời hạn lưu trữ từ 1 đến %(most)s năm", most=MAX_RETENTION_YEARS)
        }
    return {}

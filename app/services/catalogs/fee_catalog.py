"""The fees catalog (danh mục phí, lệ phí): listing and saving one fee."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from app.i18n import _, _l
from app.models import Fee
from app.services.catalogs.commands import SaveFee
from app.services.catalogs.editing import NAME_RULE, record_saved, require_editor
from app.services.core.actors import Actor
from app.services.core.errors import InvalidInput
from app.storage.db import db

FEE_CODE = re.compile(r"^[A-Z]\d{3}$")
MAX_AMOUNT = 1_000_000_000


def fees() -> list[dict[str, Any]]:
    """List the fee catalogue."""
    """Every fee by code, with its amount in đồng."""
    with db.transaction() as session:
        return [
            {"code": f.code, "name": f.name, "amount": f.amount, "note": f.note, "active": f.active}
            for f in session.scalars(select(Fee).order_by(Fee.code))
        ]


def save_fee(command: SaveFee, actor: Actor) -> str:
    """Add or change a fee (analysts, administrators); returns its code."""
    require_editor(actor)
    code, name, amount = command.code.upper(), command.name, command.amount
    errors = {}
    if not FEE_CODE.match(code):
        errors["code"] = _("Mã phí, lệ phí theo QĐ 4663/QĐ-KBNN: một chữ cái và ba chữ số (P196)")
    if not 2 <= len(name) <= 255:
        errors["name"] = NAME_RULE
    if amount is None or not 0 <= amount <= MAX_AMOUNT:
        errors["amount"] = _("Mức thu: số đồng, không âm")
    if errors or amount is None:
        raise InvalidInput(_l("Phí, lệ phí chưa hợp lệ"), fields=errors)
    with db.transaction() as session:
        row = session.scalar(select(Fee).where(Fee.code == code))
        created = row is None
        if created:
            row = Fee(code=code)
            session.add(row)
        row.name, row.amount = name, amount
        row.note = command.note[:500]
        row.active = command.active
        record_saved(session, actor, "fee", code, created)
    return code

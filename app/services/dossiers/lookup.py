"""Public lookup of a dossier by its code (tra cứu hồ sơ): only the code, the procedure and
whether it is finished — no personal data, and an unknown code answers in the same shape."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.domain.status import DossierStatus
from app.i18n import _
from app.models import Dossier, Procedure
from app.storage.db import db


def public_state(code: str) -> dict[str, Any]:
    """Look up a dossier's state by its code, as anyone may (public lookup page)."""
    code = (code or "").strip()[:64]
    with db.transaction() as session:
        row = session.execute(
            select(Dossier.status, Dossier.finished_at, Procedure.name)
            .join(Procedure, Procedure.id == Dossier.procedure_id)
            .where(Dossier.code == code)
        ).one_or_none()
    if row is None:
        return {"code": code, "found": False, "procedure": None, "state": _("Không có thông tin")}
    status, finished, procedure = row
    if status == DossierStatus.RETURNED:
        state = _("Đã trả kết quả")
    elif status == DossierStatus.PROCESSED:
        state = _("Đã có kết quả, chờ trả")
    elif finished is not None:
        state = _("Đã kết thúc")
    else:
        state = _("Đang giải quyết")
    return {"code": code, "found": True, "procedure": procedure, "state": state}

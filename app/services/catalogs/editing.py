"""Who may edit the catalogs (danh mục) and how an edit is recorded; the shared field rules.

Analysts and administrators keep document types, fees and procedures; agencies are for
administrators. Every save is one transaction and leaves a `catalog_saved` audit event.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.i18n import _l
from app.services.core import audit
from app.services.core.actors import Actor
from app.services.core.errors import Forbidden

NAME_RULE = "Tên: bắt buộc, 2–255 ký tự"


def require_editor(actor: Actor) -> None:
    """Refuse (403) anyone but an analyst or an administrator."""
    if not (actor.agencies_for("analyst") or actor.agencies_for("admin")):
        raise Forbidden(_l("Chỉ cán bộ phân tích nghiệp vụ hoặc quản trị được sửa danh mục"))


def require_admin(actor: Actor) -> None:
    """Refuse (403) anyone but an administrator."""
    if not actor.agencies_for("admin"):
        raise Forbidden(_l("Chỉ quản trị viên được sửa danh mục cơ quan"))


def record_saved(session: Session, actor: Actor, catalog: str, code: str, created: bool) -> None:
    """The audit event of one saved catalog entry."""
    audit.record(
        session,
        "catalog_saved",
        actor,
        dossier_id=None,
        catalog=catalog,
        code=code,
        created=created,
    )

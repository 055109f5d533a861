"""The national catalogue kept in step (003 §III.2.b Bước 1–3, 001 §II.2.b Bước 1–2): the
portal's differences shown as a readable diff (analysts and administrators), applied as shown
by an administrator, refused when the catalogue or ours changed since."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.i18n import _
from app.services.catalogs import national_sync
from app.services.catalogs.national_catalogue import CatalogueRefused
from app.services.catalogs.national_diff import (
    CATALOG_LABELS,
    FIELD_LABELS,
    CatalogDiff,
    shown,
)
from app.services.core.errors import Conflict, ServiceError
from app.web.access import allow, role
from app.web.actor import current_actor

bp = Blueprint("catalog_sync", __name__, url_prefix="/admin")


@bp.get("/catalogs")
@allow(role("analyst", "admin"))
def review():  # noqa: ANN201
    """The differences with the portal's catalogue, fetched now."""
    return _page()


@bp.post("/catalogs")
@allow(role("admin"))
def apply():  # noqa: ANN201
    """Apply the diff whose id the form carries; a changed catalogue shows the new diff."""
    try:
        applied = national_sync.apply_sync(request.form.get("diff_id", "")[:64], current_actor())
    except Conflict as exc:
        return _page(error=exc.message, status=409)
    flash(_("Đã áp dụng %(count)s thay đổi từ Cổng DVCQG", count=len(applied.changes)))
    return redirect(url_for("catalog_sync.review"))


def _page(error: str | None = None, status: int = 200):  # noqa: ANN202
    diff: CatalogDiff | None = None
    problems: list[str] = []
    try:
        diff = national_sync.diff_with_portal()
    except CatalogueRefused as exc:
        error, problems, status = exc.message, exc.problems, exc.status
    except ServiceError as exc:
        error, status = exc.message, exc.status
    actor = current_actor()
    return render_template(
        "catalog_sync.html",
        diff=diff,
        error=error,
        problems=problems,
        syncs=national_sync.last_syncs(),
        catalogs=CATALOG_LABELS,
        labels=FIELD_LABELS,
        shown=shown,
        may_apply=bool(actor.agencies_for("admin")),
    ), status

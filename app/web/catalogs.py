"""Catalog screens: document types, fees, agencies (administrators) and procedures."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.domain.admin_units import provinces
from app.i18n import _
from app.services import catalogs, modeler
from app.services.errors import InvalidInput
from app.web.access import allow, role
from app.web.actor import current_actor

bp = Blueprint("catalogs", __name__, url_prefix="/catalogs")

SIMPLE = {
    "document-types": (
        catalogs.document_types,
        catalogs.save_document_type,
        ("code", "name", "description"),
    ),
    "fees": (catalogs.fees, catalogs.save_fee, ("code", "name", "amount", "note")),
    "agencies": (
        catalogs.agencies,
        catalogs.save_agency,
        ("code", "name", "level", "parent_code", "admin_unit_code", "treasury_account"),
    ),
}


def _editor() -> None:
    actor = current_actor()
    if not (actor.agencies_for("analyst") or actor.agencies_for("admin")):
        from app.services.errors import Forbidden

        raise Forbidden(_("Chỉ cán bộ phân tích nghiệp vụ hoặc quản trị"))


@bp.route("/<kind>", methods=["GET", "POST"])
@allow(role("analyst", "admin"))
def simple(kind: str):  # noqa: ANN201
    if kind not in SIMPLE:
        return render_template("error.html", message=_("Không có danh mục này"), status=404), 404
    _editor()
    listing, save, fields = SIMPLE[kind]
    errors: dict[str, str] = {}
    rows = listing()
    values = {}
    wanted = request.args.get("code")
    if wanted:
        values = next((r for r in rows if r["code"] == wanted), {})
    if request.method == "POST":
        values = {f: request.form.get(f, "") for f in fields}
        values["active"] = request.form.get("active", "")
        try:
            code = save(values, current_actor())
            flash(_("Đã lưu %(code)s", code=code))
            return redirect(url_for("catalogs.simple", kind=kind))
        except InvalidInput as exc:
            errors = exc.fields or {"_form": exc.message}
    return render_template(
        "catalog_simple.html",
        kind=kind,
        rows=rows,
        values=values,
        errors=errors,
        levels=catalogs.LEVELS,
        provinces=provinces(),
    ), (422 if errors else 200)


@bp.get("/procedures")
@allow(role("analyst", "admin"))
def procedures():  # noqa: ANN201
    _editor()
    return render_template("catalog_procedures.html", rows=catalogs.procedures())


@bp.route("/procedures/<code>", methods=["GET", "POST"])
@allow(role("analyst", "admin"))
def procedure(code: str):  # noqa: ANN201
    _editor()
    errors: dict[str, str] = {}
    if code == "new":
        values: dict = {"components": [], "step_durations": {}, "step_officers": {}}
        versions = catalogs.procedure_versions()
    else:
        view = catalogs.procedure(code)
        values, versions = view.values, view.versions
    form = None
    if request.method == "POST":
        form = request.form.to_dict()
        try:
            saved = catalogs.save_procedure(form, current_actor())
            flash(_("Đã lưu thủ tục %(code)s", code=saved))
            return redirect(url_for("catalogs.procedure", code=saved))
        except InvalidInput as exc:
            errors = exc.fields or {"_form": exc.message}
    return render_template(
        "catalog_procedure.html",
        code=code,
        values=values,
        form=form,
        errors=errors,
        versions=versions,
        types=catalogs.document_types(active_only=True),
        fees=catalogs.fees(),
        agencies=catalogs.agencies(),
        units=catalogs.UNITS,
        roles=modeler.catalog()["roles"],
    ), (422 if errors else 200)

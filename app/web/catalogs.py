"""Catalog screens: document types, fees, agencies (administrators) and procedures."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.domain.admin_units import provinces
from app.i18n import _
from app.services import (
    catalogs_agencies,
    catalogs_document_types,
    catalogs_fees,
    catalogs_procedures,
    modeler,
)
from app.services.errors import InvalidInput
from app.web import catalog_forms
from app.web.access import allow, role
from app.web.actor import current_actor

bp = Blueprint("catalogs", __name__, url_prefix="/catalogs")

# Per catalog: its listing, the form's fields, the form's reader and the save.
SIMPLE = {
    "document-types": (
        catalogs_document_types.document_types,
        ("code", "name", "description"),
        catalog_forms.document_type,
        catalogs_document_types.save_document_type,
    ),
    "fees": (
        catalogs_fees.fees,
        ("code", "name", "amount", "note"),
        catalog_forms.fee,
        catalogs_fees.save_fee,
    ),
    "agencies": (
        catalogs_agencies.agencies,
        ("code", "name", "level", "parent_code", "admin_unit_code", "treasury_account"),
        catalog_forms.agency,
        catalogs_agencies.save_agency,
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
    listing, fields, read, save = SIMPLE[kind]
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
            code = save(read(request.form), current_actor())
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
        levels=catalogs_agencies.LEVELS,
        provinces=provinces(),
    ), (422 if errors else 200)


@bp.get("/procedures")
@allow(role("analyst", "admin"))
def procedures():  # noqa: ANN201
    _editor()
    return render_template("catalog_procedures.html", rows=catalogs_procedures.procedures())


@bp.route("/procedures/<code>", methods=["GET", "POST"])
@allow(role("analyst", "admin"))
def procedure(code: str):  # noqa: ANN201
    _editor()
    errors: dict[str, str] = {}
    if code == "new":
        values: dict = {"components": [], "step_durations": {}, "step_officers": {}}
        versions = catalogs_procedures.procedure_versions()
    else:
        view = catalogs_procedures.procedure(code)
        values, versions = view.values, view.versions
    form = None
    if request.method == "POST":
        form = request.form.to_dict()
        try:
            command = catalog_forms.procedure(request.form)
            saved = catalogs_procedures.save_procedure(command, current_actor())
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
        types=catalogs_document_types.document_types(active_only=True),
        fees=catalogs_fees.fees(),
        agencies=catalogs_agencies.agencies(),
        units=catalogs_procedures.UNITS,
        roles=modeler.catalog()["roles"],
    ), (422 if errors else 200)

"""Catalog screens: document types, fees, agencies (administrators) and procedures."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.domain.admin_units import provinces
from app.domain.document_metadata import SCOPES
from app.i18n import _
from app.services.catalogs import (
    agency_catalog,
    document_type_catalog,
    fee_catalog,
    national_sync,
    procedure_catalog,
)
from app.services.core.errors import InvalidInput
from app.services.process_models import modeler
from app.web import catalog_forms
from app.web.access import allow, role
from app.web.actor import current_actor

bp = Blueprint("catalogs", __name__, url_prefix="/catalogs")

# Per catalog: its listing, the form's fields, the form's reader and the save.
SIMPLE = {
    "document-types": (
        document_type_catalog.document_types,
        ("code", "name", "description", "retention_years", "retention_permanent"),
        catalog_forms.document_type,
        document_type_catalog.save_document_type,
    ),
    "fees": (
        fee_catalog.fees,
        ("code", "name", "amount", "note"),
        catalog_forms.fee,
        fee_catalog.save_fee,
    ),
    "agencies": (
        agency_catalog.agencies,
        ("code", "name", "level", "parent_code", "admin_unit_code", "treasury_account"),
        catalog_forms.agency,
        agency_catalog.save_agency,
    ),
}


# Each simple catalog's name in the national catalogue, for the entries it no longer lists.
NATIONAL = {"document-types": "document_type", "fees": "fee", "agencies": "agency"}


def _editor() -> None:
    actor = current_actor()
    if not (actor.agencies_for("analyst") or actor.agencies_for("admin")):
        from app.services.core.errors import Forbidden

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
        levels=agency_catalog.LEVELS,
        provinces=provinces(),
        flags=national_sync.flags(NATIONAL[kind]),
    ), (422 if errors else 200)


@bp.get("/procedures")
@allow(role("analyst", "admin"))
def procedures():  # noqa: ANN201
    _editor()
    return render_template("catalog_procedures.html", rows=procedure_catalog.procedures())


@bp.route("/procedures/<code>", methods=["GET", "POST"])
@allow(role("analyst", "admin"))
def procedure(code: str):  # noqa: ANN201
    _editor()
    errors: dict[str, str] = {}
    if code == "new":
        values: dict = {"components": [], "step_durations": {}, "step_officers": {}}
        versions = procedure_catalog.procedure_versions()
    else:
        view = procedure_catalog.procedure(code)
        values, versions = view.values, view.versions
    form = None
    if request.method == "POST":
        form = request.form.to_dict()
        try:
            command = catalog_forms.procedure(request.form)
            saved = procedure_catalog.save_procedure(command, current_actor())
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
        types=document_type_catalog.document_types(active_only=True),
        fees=fee_catalog.fees(),
        agencies=agency_catalog.agencies(),
        units=procedure_catalog.UNITS,
        sector_databases=procedure_catalog.sector_databases(),
        roles=modeler.catalog()["roles"],
        result_scopes=SCOPES,
    ), (422 if errors else 200)

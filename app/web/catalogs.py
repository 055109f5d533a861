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
    result_template_catalog,
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


@bp.route("/procedures/<code>/result-template", methods=["GET", "POST"])
@allow(role("analyst", "admin"))
def result_template(code: str):  # noqa: ANN201
    """The procedure's result template: title, fields and layout (001 §II.2.b Bước 5)."""
    actor = current_actor()
    view = result_template_catalog.result_template(code, actor)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            raw = catalog_forms.result_template(request.form)
            result_template_catalog.save_result_template(code, raw, actor)
            flash(_("Đã lưu mẫu kết quả của thủ tục %(code)s", code=code))
            return redirect(url_for("catalogs.result_template", code=code))
        except InvalidInput as exc:
            errors = exc.fields or {"_form": exc.message}
            if raw_posted := _posted_template(request.form):
                view = {**view, "template": raw_posted}
    page = render_template("catalog_result_template.html", view=view, errors=errors)
    return page, (422 if errors else 200)


def _posted_template(form) -> dict:  # noqa: ANN001
    """What was posted, in the shape the page draws, to show it again beside its errors."""
    fields = []
    for index in range(catalog_forms.MAX_TEMPLATE_ROWS):
        if f"rfield-{index}-name" not in form:
            break
        fields.append(
            {
                "name": form.get(f"rfield-{index}-name", ""),
                "label": form.get(f"rfield-{index}-label", ""),
                "type": form.get(f"rfield-{index}-type", ""),
                "required": form.get(f"rfield-{index}-required") == "on",
                "default": form.get(f"rfield-{index}-default", ""),
            }
        )
    parts = ("title", "body", "signer_title", "place")
    return {**{p: form.get(p, "") for p in parts}, "fields": fields}

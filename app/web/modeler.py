"""The analyst's editor: bpmn-js in the browser, JSON calls for save, validate, test, deploy."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, jsonify, render_template, request

from app.domain.master_data import MASTER_DATA, tied_fields
from app.i18n import _
from app.services.core.errors import InvalidInput
from app.services.process_models import modeler
from app.services.process_models.deploy_preview import deploy_preview
from app.web.access import allow, role
from app.web.actor import current_actor
from app.web.forms import fields
from app.web.inputs import int_arg
from app.web.modeler_texts import editor_texts, shown_catalog

bp = Blueprint("modeler", __name__, url_prefix="/models")


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput(_("Cần thân yêu cầu JSON"))
    return body


@bp.get("/<process_id>/edit")
@allow(role("analyst", "admin"))
def edit(process_id: str):  # noqa: ANN201
    actor = current_actor()
    revision = int_arg("revision")
    bundle = modeler.load(process_id, actor, revision)
    return render_template(
        "modeler.html",
        bundle=bundle,
        drafts=modeler.drafts(process_id, actor),
        catalog=shown_catalog(modeler.catalog()),
        texts=editor_texts(),
        is_admin=bool(actor.agencies_for("admin")),
        master_data=list(MASTER_DATA.values()),
    )


@bp.post("/<process_id>/drafts")
@allow(role("analyst", "admin"))
def save(process_id: str):  # noqa: ANN201
    body = _body()
    revision, problems = modeler.save_draft(
        process_id,
        body.get("files"),
        str(body.get("comment") or ""),
        current_actor(),
        body.get("base_version_id") if isinstance(body.get("base_version_id"), int) else None,
    )
    return jsonify(revision=revision, problems=problems)


@bp.post("/<process_id>/validate")
@allow(role("analyst", "admin"))
def validate(process_id: str):  # noqa: ANN201
    return jsonify(problems=modeler.validate(process_id, _body().get("files"), current_actor()))


@bp.post("/<process_id>/tests")
@allow(role("analyst", "admin"))
def tests(process_id: str):  # noqa: ANN201
    return jsonify(results=modeler.run_tests(process_id, _body().get("files"), current_actor()))


@bp.post("/<process_id>/deploy")
@allow(role("analyst", "admin"))
def deploy(process_id: str):  # noqa: ANN201
    body = _body()
    version_id = modeler.deploy_draft(
        process_id,
        body.get("files"),
        str(body.get("comment") or ""),
        current_actor(),
        str(body.get("override_reason") or ""),
        body.get("revision") if isinstance(body.get("revision"), int) else None,
    )
    return jsonify(version_id=version_id)


@bp.post("/<process_id>/deploy-preview")
@allow(role("analyst", "admin"))
def preview(process_id: str):  # noqa: ANN201
    """What a deploy would do: problems, changes against the deployed version, tests."""
    return jsonify(deploy_preview(process_id, _body().get("files"), current_actor()))


@bp.post("/check-code")
@allow(role("analyst", "admin"))
def check_code():  # noqa: ANN201
    body = _body()
    problems = modeler.check_code(
        str(body.get("kind")), str(body.get("source") or ""), body.get("files")
    )
    return jsonify(ok=not problems, problems=problems)


@bp.post("/form-preview")
@allow(role("analyst", "admin"))
def form_preview():  # noqa: ANN201
    """The form as officers will see it, rendered by the same code as the task screen."""
    schema = modeler.check_form(str(_body().get("schema") or ""))
    tied = tied_fields(schema)  # each field's master-data code shown beside it (001 §IV.1.a)
    drawn = [replace(f, master_code=tied.get(f.name, "")) for f in fields(schema)]
    return render_template("_form_preview.html", schema=schema, fields=drawn)

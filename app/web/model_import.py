"""Importing a model made with another tool (nhập mô hình từ công cụ khác): upload, the report
element by element, roles confirmed, then the result opened in the editor as a draft."""

from __future__ import annotations

import json

from flask import Blueprint, redirect, render_template, request, url_for

from app.domain.roles import ROLE_LABELS_VI
from app.i18n import _
from app.services.core.errors import InvalidInput
from app.services.process_models import importing
from app.web.access import allow, role
from app.web.actor import current_actor

bp = Blueprint("model_import", __name__, url_prefix="/models/import-foreign")

MAX_UPLOAD = 2 * 1024 * 1024


@bp.get("")
@allow(role("analyst", "admin"))
def form():  # noqa: ANN201
    return render_template("models_import.html", report=None, roles=ROLE_LABELS_VI)


@bp.post("")
@allow(role("analyst", "admin"))
def upload():  # noqa: ANN201
    """A new file, or the same file again with the roles the analyst confirmed."""
    upload = request.files.get("model")
    if upload is not None and upload.filename:
        data, name = upload.read(MAX_UPLOAD + 1), upload.filename
    elif request.form.get("source"):
        data, name = request.form["source"].encode("utf-8"), request.form.get("name", "")
    else:
        raise InvalidInput(_("Chọn tệp BPMN cần nhập"))
    if len(data) > MAX_UPLOAD:
        raise InvalidInput(_("Tệp quá lớn (tối đa %(most)s KB)", most=MAX_UPLOAD // 1024))
    roles = {
        key[len("role:") :]: value
        for key, value in request.form.items()
        if key.startswith("role:") and value
    }
    try:
        report = importing.import_foreign(data, name or "model.bpmn", current_actor(), roles)
    except InvalidInput as exc:
        return render_template(
            "models_import.html", report=None, roles=ROLE_LABELS_VI, refusal=exc
        ), 422
    return render_template(
        "models_import.html",
        report=report,
        roles=ROLE_LABELS_VI,
        source=data.decode("utf-8-sig"),
        name=name,
        files_json=json.dumps(report.imported.files, ensure_ascii=False),
    )


@bp.post("/draft")
@allow(role("analyst", "admin"))
def draft():  # noqa: ANN201
    """Opens the imported bundle in the editor as a draft revision."""
    try:
        files = json.loads(request.form.get("files") or "")
    except json.JSONDecodeError as exc:
        raise InvalidInput(_("Gói nhập không hợp lệ")) from exc
    process_id = request.form.get("process_id", "")
    revision = importing.open_as_draft(
        process_id, files, request.form.get("name", ""), current_actor()
    )
    return redirect(url_for("modeler.edit", process_id=process_id, revision=revision))

"""The model repository screen for analysts: versions, export, import, version per procedure."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from app.domain.model_files import process_xml
from app.i18n import _
from app.services.core.errors import InvalidInput, InvalidModel
from app.services.dossiers import queries
from app.services.process_models import migrations, models_repo
from app.web.access import allow, role
from app.web.actor import current_actor
from app.web.inputs import int_arg

bp = Blueprint("models", __name__, url_prefix="/models")


@bp.get("")
@allow(role("analyst", "admin"))
def index():  # noqa: ANN201
    return _index([], None)


def _index(problems: list[dict], diagram: dict | None) -> str:
    actor = current_actor()
    return render_template(
        "models.html",
        versions=models_repo.versions(actor),
        procedures=queries.all_procedures(),
        problems=problems,
        problem_diagram=diagram,
    )


def _problem_diagram(data: bytes, process_id: str, problems: list[dict]) -> dict | None:
    """The uploaded process drawn with each located problem's element marked."""
    try:
        files = models_repo.read_zip(data)
    except InvalidInput:
        return None
    xml = process_xml(files, process_id)
    marks = {p["element_id"]: "problem" for p in problems if p.get("element_id")}
    return {"xml": xml, "marks": marks} if xml else None


@bp.get("/versions/<int:version_id>.zip")
@allow(role("analyst", "admin"))
def export(version_id: int):  # noqa: ANN201
    name, data = models_repo.export_zip(version_id, current_actor())
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


@bp.post("/import")
@allow(role("analyst", "admin"))
def import_bundle():  # noqa: ANN201
    upload = request.files.get("bundle")
    if upload is None or not upload.filename:
        raise InvalidInput(_("Chọn tệp .zip của gói mô hình"))
    data = upload.read()
    try:
        version_id = models_repo.import_zip(
            data,
            request.form.get("process_id", ""),
            request.form.get("comment", ""),
            current_actor(),
            request.form.get("override_reason", ""),
        )
    except InvalidInput as exc:
        flash(exc.message)
        # every problem, located and named (a refusal before validation has only its message)
        problems = exc.problems if isinstance(exc, InvalidModel) else [{"message": exc.message}]
        return _index(
            problems, _problem_diagram(data, request.form.get("process_id", ""), problems)
        ), 422
    flash(_("Đã triển khai phiên bản %(id)s", id=version_id))
    return redirect(url_for("models.index"))


@bp.post("/procedures/<code>/version")
@allow(role("analyst", "admin"))
def use_version(code: str):  # noqa: ANN201
    version_id = int_arg("version_id", source=request.form)
    if version_id is None:
        raise InvalidInput(_("Chọn phiên bản"))
    models_repo.use_version(code, version_id, current_actor())
    flash(_("Thủ tục %(code)s dùng phiên bản %(id)s", code=code, id=version_id))
    return redirect(url_for("models.index"))


@bp.get("/migrate")
@allow(role("analyst", "admin"))
def migrate_preview():  # noqa: ANN201
    source, target = int_arg("source"), int_arg("target")
    if source is None or target is None:
        raise InvalidInput(_("Chọn phiên bản nguồn và đích"))
    actor = current_actor()
    preview = migrations.preview(source, target, actor)
    page = render_template(
        "models_migrate.html",
        preview=preview,
        source=source,
        target=target,
        versions=models_repo.versions(actor),
    )
    # the question could not be answered as asked: the page says why, with the form to re-ask
    return page, 422 if preview.blocked_all else 200


@bp.post("/migrate")
@allow(role("analyst", "admin"))
def migrate_apply():  # noqa: ANN201
    source = int_arg("source", source=request.form)
    target = int_arg("target", source=request.form)
    if source is None or target is None:
        raise InvalidInput(_("Chọn phiên bản nguồn và đích"))
    report = migrations.apply(
        source, target, current_actor(), update_timers=request.form.get("update_timers") == "1"
    )
    flash(
        _(
            "Đã chuyển %(moved)s hồ sơ; %(blocked)s hồ sơ giữ phiên bản cũ",
            moved=len(report.moved),
            blocked=len(report.blocked),
        )
    )
    return redirect(url_for("models.migrate_preview", source=source, target=target))


@bp.get("/diff")
@allow(role("analyst", "admin"))
def diff():  # noqa: ANN201
    old, new = int_arg("old"), int_arg("new")
    if old is None or new is None:
        raise InvalidInput(_("Chọn hai phiên bản để so sánh"))
    result = models_repo.diff(old, new, current_actor())
    old_marks = {i: "removed" for i, _name in result.changes.removed}
    new_marks = {i: "added" for i, _name in result.changes.added}
    for element, _name, _attrs, _new in result.changes.changed:
        old_marks[element] = new_marks[element] = "changed"
    return render_template(
        "models_diff.html", diff=result, old_marks=old_marks, new_marks=new_marks
    )

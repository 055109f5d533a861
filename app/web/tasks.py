"""The task screen: the dossier summary and the step's form, rendered from its JSON schema."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.i18n import _
from app.services.core.errors import Conflict, InvalidInput
from app.services.dossiers import dossier_queries, tasks
from app.web import forms
from app.web.access import OFFICER, allow
from app.web.actor import current_actor

bp = Blueprint("tasks", __name__)


@bp.get("/tasks/<task_id>")
@allow(OFFICER)
def show(task_id: str):  # noqa: ANN201
    detail = dossier_queries.task_detail(task_id, current_actor())
    return render_template("task.html", detail=detail, fields=forms.fields(detail.form))


@bp.post("/tasks/<task_id>")
@allow(OFFICER)
def submit(task_id: str):  # noqa: ANN201
    actor = current_actor()
    detail = dossier_queries.task_detail(task_id, actor)
    data, errors = forms.parse(detail.form, request.form)
    status, message = 422, None
    if not errors:
        try:
            tasks.complete_task(task_id, actor, data)
            flash(_("Đã hoàn thành: %(title)s", title=detail.task.title))
            return redirect(url_for("inbox.index"))
        except InvalidInput as exc:
            errors, message = exc.fields, exc.message
        except Conflict as exc:
            status, message = 409, exc.message
    fields = forms.fields(detail.form, {**request.form.to_dict(), **data}, errors)
    return render_template("task.html", detail=detail, fields=fields, message=message), status

"""The supervisor's incidents page: external calls that gave up, with a Retry button."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.services import outbox, queries
from app.services.errors import Forbidden
from app.web.actor import current_actor

bp = Blueprint("supervisor", __name__)


@bp.get("/supervisor/incidents")
@login_required
def incidents():  # noqa: ANN201
    return render_template("incidents.html", incidents=queries.open_incidents(current_actor()))


@bp.post("/supervisor/incidents/<int:incident_id>/retry")
@login_required
def retry(incident_id: int):  # noqa: ANN201
    actor = current_actor()
    if not actor.agencies_for("supervisor"):
        raise Forbidden(_("Chỉ giám sát viên được thử lại sự cố"))
    outbox.retry_incident(incident_id, actor)
    flash(_("Đã gửi lại yêu cầu"))
    return redirect(url_for("supervisor.incidents"))

"""Dossier pages: the list with search, and one dossier with its whole processing history."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required

from app.services import queries
from app.web.actor import current_actor
from app.web.history import describe

bp = Blueprint("dossiers", __name__)


@bp.get("/dossiers")
@login_required
def index():  # noqa: ANN201
    search = request.args.get("q", "")
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, total = queries.list_dossiers(current_actor(), search, page)
    pages = max((total + queries.PAGE_SIZE - 1) // queries.PAGE_SIZE, 1)
    return render_template(
        "dossiers.html", rows=rows, total=total, page=page, pages=pages, search=search
    )


@bp.get("/dossiers/<code>")
@login_required
def show(code: str):  # noqa: ANN201
    detail = queries.dossier_detail(code, current_actor())
    history = [{**event, "text": describe(event)} for event in detail.events]
    return render_template("dossier.html", detail=detail, history=history)

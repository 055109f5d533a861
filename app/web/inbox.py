"""The officer's inbox (hộp công việc): my tasks and my roles' pool, claim and unclaim."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.i18n import _
from app.services.dossiers import queries, tasks
from app.web.access import OFFICER, PUBLIC, allow
from app.web.actor import current_actor
from app.web.inputs import page_arg
from app.web.redirects import safe_target

bp = Blueprint("inbox", __name__)


@bp.get("/")
@allow(PUBLIC)
def root():  # noqa: ANN201
    """The portal's deep link `/?vnconnect=1&mahoso=<code>` opens the citizen's dossier (after
    single sign-on); anything else is the officers' inbox."""
    code = request.args.get("mahoso", "").strip()
    if request.args.get("vnconnect") == "1" and code:
        return redirect(url_for("citizen.dossier", code=code))
    return redirect(url_for("inbox.index"))


@bp.get("/inbox")
@allow(OFFICER)
def index():  # noqa: ANN201
    page = page_arg()
    box = queries.inbox(current_actor(), pool_page=page)
    pages = max((box.pool_total + queries.INBOX_SIZE - 1) // queries.INBOX_SIZE, 1)
    return render_template("inbox.html", box=box, page=page, pages=pages)


@bp.post("/tasks/<task_id>/claim")
@allow(OFFICER)
def claim(task_id: str):  # noqa: ANN201
    """Claim and open ("Nhận và xử lý"): the step is taken, then its screen opens (or `next`).
    A step someone else holds is a 409 naming them, never taken over."""
    tasks.claim_task(task_id, current_actor())
    flash(_("Đã nhận việc"))
    return redirect(safe_target(request.form.get("next"), url_for("tasks.show", task_id=task_id)))


@bp.post("/tasks/<task_id>/unclaim")
@allow(OFFICER)
def unclaim(task_id: str):  # noqa: ANN201
    tasks.unclaim_task(task_id, current_actor())
    flash(_("Đã trả lại việc"))
    return redirect(url_for("inbox.index"))

"""The officer's inbox (hộp công việc): my tasks and my roles' pool, claim and unclaim."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import settings
from app.i18n import _
from app.services.dossiers import inbox as inboxes
from app.services.dossiers import queries, saved_filters, tasks
from app.web import public
from app.web.access import OFFICER, PUBLIC, allow
from app.web.actor import current_actor
from app.web.inputs import page_arg
from app.web.list_query import query_args, query_string, task_query
from app.web.redirects import safe_target

bp = Blueprint("inbox", __name__)


@bp.get("/")
@allow(PUBLIC)
def root():  # noqa: ANN201
    """The portal's deep link `/?vnconnect=1&mahoso=<code>` opens the citizen's dossier (after
    single sign-on); a signed-in officer goes to the inbox. Anyone else is a citizen looking for
    online services: where the former public portal is closed they read that these moved to
    the national portal (003 §IV.3.b), officers signing in at `/login`."""
    code = request.args.get("mahoso", "").strip()
    if request.args.get("vnconnect") == "1" and code:
        return redirect(url_for("citizen.dossier", code=code))
    if not current_user.is_authenticated and settings.current.PUBLIC_PORTAL_CLOSED:
        return public.moved_notice(officers_login=True)
    return redirect(url_for("inbox.index"))


@bp.get("/inbox")
@allow(OFFICER)
def index():  # noqa: ANN201
    actor = current_actor()
    page, mine_page = page_arg(), page_arg("mine_page")
    box = inboxes.inbox(actor, task_query(request.args), pool_page=page, mine_page=mine_page)
    size = inboxes.INBOX_SIZE
    return render_template(
        "inbox.html",
        box=box,
        page=page,
        pages=max((min(box.pool_total, queries.COUNT_CAP) + size - 1) // size, 1),
        mine_page=mine_page,
        mine_pages=max((min(box.mine_total, queries.COUNT_CAP) + size - 1) // size, 1),
        args=query_args(box.query),
        query=query_string(box.query),
        saved=saved_filters.saved_filters("inbox", actor),
    )


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


_LISTS = {"inbox": "inbox.index", "supervisor": "supervisor.tasks"}


@bp.post("/saved-filters")
@allow(OFFICER)
def save_filter():  # noqa: ANN201
    """Keep the list's current query under a name; the list opens with it."""
    kind = request.form.get("kind", "")
    saved = saved_filters.save_filter(
        kind, request.form.get("name", ""), request.form.get("query", ""), current_actor()
    )
    flash(_("Đã lưu bộ lọc «%(name)s»", name=saved.name))
    return redirect(url_for(_LISTS[kind]) + ("?" + saved.query if saved.query else ""))


@bp.post("/saved-filters/<int:filter_id>/delete")
@allow(OFFICER)
def delete_filter(filter_id: int):  # noqa: ANN201
    kind = saved_filters.delete_filter(filter_id, current_actor())
    flash(_("Đã xoá bộ lọc"))
    return redirect(url_for(_LISTS.get(kind, "inbox.index")))

"""The officer's notifications page and the unread count in the header."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, url_for
from flask_login import current_user

from app.i18n import _
from app.services.core import notifications
from app.web.access import OFFICER, allow
from app.web.actor import current_actor

bp = Blueprint("notices", __name__)


@bp.get("/notifications")
@allow(OFFICER)
def index():  # noqa: ANN201
    return render_template("notifications.html", items=notifications.for_user(current_actor()))


@bp.post("/notifications/read")
@allow(OFFICER)
def read_all():  # noqa: ANN201
    notifications.mark_all_read(current_actor())
    flash(_("Đã đánh dấu tất cả là đã đọc"))
    return redirect(url_for("notices.index"))


def init_app(app: Flask) -> None:
    @app.context_processor
    def _unread() -> dict[str, int]:
        if current_user.is_authenticated:
            return {"unread_notifications": notifications.unread_count(current_user.id)}
        return {"unread_notifications": 0}

"""Administration: the working calendar per year (holidays, swapped days, overrides)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.i18n import _
from app.models.base import utcnow
from app.services.core import calendars
from app.services.core.errors import Forbidden, InvalidInput
from app.web.access import allow, role
from app.web.actor import current_actor
from app.web.formatting import day as show_day
from app.web.formatting import parse_day

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _year() -> int:
    year = request.values.get("year", type=int) or utcnow().year
    if not 2000 <= year <= 2100:
        raise InvalidInput(_("Năm phải trong khoảng 2000–2100"))
    return year


@bp.route("/calendar", methods=["GET", "POST"])
@allow(role("admin"))
def calendar():  # noqa: ANN201
    actor = current_actor()
    if not actor.agencies_for("admin"):
        raise Forbidden(_("Chỉ quản trị viên được sửa lịch làm việc"))
    year = _year()
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            day = parse_day(request.form.get("day"), "day")
            calendars.add_override(
                year, day, request.form.get("kind", ""), request.form.get("note", ""), actor
            )
            flash(_("Đã thêm điều chỉnh ngày %(day)s", day=show_day(day)))
            return redirect(url_for("admin.calendar", year=year))
        except InvalidInput as exc:
            errors = exc.fields or {"day": exc.message}
    return render_template(
        "admin_calendar.html",
        year=year,
        days=calendars.year_view(year),
        errors=errors,
        form=request.form,
    ), 422 if errors else 200


@bp.post("/calendar/<int:override_id>/delete")
@allow(role("admin"))
def delete(override_id: int):  # noqa: ANN201
    calendars.remove_override(override_id, current_actor())
    flash(_("Đã xoá điều chỉnh"))
    return redirect(url_for("admin.calendar", year=_year()))

"""Administration: the working calendar per year (holidays, swapped days, overrides)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.models.base import utcnow
from app.services import calendars
from app.services.errors import Forbidden, InvalidInput
from app.web.access import allow, role
from app.web.actor import current_actor

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
            day = date.fromisoformat(request.form.get("day", ""))
        except ValueError:
            errors["day"] = _("Ngày không hợp lệ (định dạng YYYY-MM-DD)")
        else:
            try:
                calendars.add_override(
                    year, day, request.form.get("kind", ""), request.form.get("note", ""), actor
                )
                flash(_("Đã thêm điều chỉnh ngày %(day)s", day=f"{day:%d/%m/%Y}"))
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

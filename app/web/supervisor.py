"""The supervisor's screens: the desk, lists, diagram, statistics, late dossiers, incidents."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from app.domain.status import VN_TZ
from app.i18n import _
from app.models.base import utcnow
from app.services.core import outbox
from app.services.core.errors import Forbidden, InvalidInput
from app.services.deadlines import apologies, handover, retention_report, supervision
from app.services.deadlines import digitization_statistics as digitization_stats
from app.services.deadlines import fee_statistics as fee_stats
from app.services.deadlines import statistics as stats
from app.services.dossiers import queries, saved_filters
from app.web.access import allow, role
from app.web.actor import current_actor
from app.web.formatting import parse_day
from app.web.inputs import int_arg, page_arg
from app.web.list_query import query_args, query_string, task_query
from app.web.redirects import safe_target

bp = Blueprint("supervisor", __name__)


@bp.get("/supervisor")
@allow(role("supervisor"))
def desk():  # noqa: ANN201
    actor = current_actor()
    return render_template(
        "supervisor.html",
        view=supervision.overview(actor),
        at_risk_count=apologies.at_risk(actor, shown=0)[1],
    )


@bp.get("/supervisor/procedures/<code>/diagram")
@allow(role("supervisor"))
def diagram(code: str):  # noqa: ANN201
    return render_template(
        "supervisor_diagram.html", diagram=supervision.procedure_diagram(code, current_actor())
    )


@bp.get("/supervisor/at-risk")
@allow(role("supervisor"))
def at_risk():  # noqa: ANN201
    rows, total = apologies.at_risk(current_actor())
    return render_template("supervisor_at_risk.html", rows=rows, total=total)


@bp.get("/supervisor/statistics")
@allow(role("supervisor"))
def statistics():  # noqa: ANN201
    today = utcnow().astimezone(VN_TZ).date()
    first = today.replace(day=1)
    start, end = first, (first + timedelta(days=32)).replace(day=1)
    if request.args.get("start"):
        start = parse_day(request.args["start"], "start")
    if request.args.get("end"):
        end = parse_day(request.args["end"], "end")
    rows, total = stats.report(current_actor(), start, end)
    fee_rows, fee_total = fee_stats.report(current_actor(), start, end)
    scan_rows, scan_total = digitization_stats.report(current_actor(), start, end)
    name = f"thong-ke-{start:%Y%m%d}-{end:%Y%m%d}"
    if request.args.get("format") == "csv" and request.args.get("table") == "digitization":
        return Response(
            digitization_stats.to_csv(scan_rows, scan_total),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename=so-hoa-{name}.csv"},
        )
    if request.args.get("format") == "csv" and request.args.get("table") == "fees":
        return Response(
            fee_stats.to_csv(fee_rows, fee_total),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename=phi-le-phi-{name}.csv"},
        )
    if request.args.get("format") == "csv":
        return Response(
            stats.to_csv(rows, total),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename={name}.csv"},
        )

    def more_sheets(book: Any) -> None:
        fee_stats.add_sheet(book, fee_rows, fee_total, start, end)
        digitization_stats.add_sheet(book, scan_rows, scan_total, start, end)

    if request.args.get("format") == "xlsx":
        return Response(
            stats.to_xlsx(
                rows,
                total,
                start,
                end,
                more_sheets,
            ),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f"attachment; filename={name}.xlsx"},
        )
    return render_template(
        "supervisor_statistics.html",
        rows=rows,
        total=total,
        start=start,
        end=end,
        fee_rows=fee_rows,
        fee_total=fee_total,
        scan_rows=scan_rows,
        scan_total=scan_total,
    )


@bp.get("/supervisor/retention")
@allow(role("supervisor"))
def retention():  # noqa: ANN201
    """Documents past their type's retention period (001 §II.1): listed, never deleted."""
    rows, count = retention_report.past_retention(current_actor())
    if request.args.get("format") == "csv":
        return Response(
            retention_report.to_csv(rows),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=qua-han-luu-tru.csv"},
        )
    return render_template(
        "supervisor_retention.html", rows=rows, count=count, most=retention_report.MAX_ROWS
    )


@bp.get("/supervisor/tasks")
@allow(role("supervisor"))
def tasks():  # noqa: ANN201
    actor = current_actor()
    query = task_query(request.args, page=page_arg())
    listed = supervision.task_list_page(actor, query)
    capped = min(listed.total, queries.COUNT_CAP)
    return render_template(
        "supervisor_tasks.html",
        listed=listed,
        rows=listed.rows,
        total=listed.total,
        pages=max((capped + queries.PAGE_SIZE - 1) // queries.PAGE_SIZE, 1),
        filters=query,
        args=query_args(query),
        query=query_string(query),
        saved=saved_filters.saved_filters("supervisor", actor),
    )


@bp.post("/supervisor/tasks/<task_id>/nudge")
@allow(role("supervisor"))
def nudge(task_id: str):  # noqa: ANN201
    told = handover.nudge(task_id, current_actor(), request.form.get("message", ""))
    flash(_("Đã nhắc %(count)s cán bộ", count=told))
    return redirect(safe_target(request.form.get("next"), url_for("supervisor.tasks")))


@bp.post("/supervisor/tasks/<task_id>/reassign")
@allow(role("supervisor"))
def reassign(task_id: str):  # noqa: ANN201
    user_id = int_arg("user_id", source=request.form)
    if user_id is None:
        raise InvalidInput(_("Chọn cán bộ nhận việc"))
    handover.reassign_task(task_id, user_id, current_actor(), request.form.get("reason", ""))
    flash(_("Đã giao lại việc"))
    return redirect(safe_target(request.form.get("next"), url_for("supervisor.tasks")))


@bp.post("/supervisor/tasks/reassign")
@allow(role("supervisor"))
def reassign_many():  # noqa: ANN201
    """Hand the checked steps to one officer; each step reports on its own."""
    user_id = int_arg("user_id", source=request.form)
    if user_id is None:
        message = _("Chọn cán bộ nhận việc")
        raise InvalidInput(message, fields={"user_id": message})
    outcomes = handover.reassign_tasks(
        request.form.getlist("task_ids"), user_id, request.form.get("reason", ""), current_actor()
    )
    done = [o for o in outcomes if o.ok]
    if done:
        flash(_("Đã giao lại %(count)s việc", count=len(done)))
    for failed in (o for o in outcomes if not o.ok):
        flash(
            _(
                "Không giao lại được %(code)s: %(why)s",
                code=failed.dossier_code or failed.task_id,
                why=failed.message,
            ),
            "error",
        )
    return redirect(safe_target(request.form.get("next"), url_for("supervisor.tasks")))


@bp.get("/supervisor/incidents")
@allow(role("supervisor"))
def incidents():  # noqa: ANN201
    return render_template("incidents.html", incidents=queries.open_incidents(current_actor()))


@bp.post("/supervisor/incidents/<int:incident_id>/retry")
@allow(role("supervisor"))
def retry(incident_id: int):  # noqa: ANN201
    actor = current_actor()
    if not actor.agencies_for("supervisor"):
        raise Forbidden(_("Chỉ giám sát viên được thử lại sự cố"))
    outbox.retry_incident(incident_id, actor)
    flash(_("Đã gửi lại yêu cầu"))
    return redirect(url_for("supervisor.incidents"))

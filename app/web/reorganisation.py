"""Administration of the two-level reform: administrative units synced from the portal, and
reorganisation plans (upload, check, dry run, record, confirm, follow)."""

from __future__ import annotations

import csv
import io
import json
from itertools import islice

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from app.domain.reorganisation import PlanError, plan_from_json, plan_from_text
from app.i18n import _
from app.services.core.errors import Conflict, Forbidden, InvalidInput, ServiceError
from app.services.reorganisation import admin_units, cutover, moves, reports
from app.web.access import allow, role
from app.web.actor import current_actor
from app.web.formatting import local_time, parse_moment
from app.web.inputs import page_arg

bp = Blueprint("reorganisation", __name__, url_prefix="/admin")
PREVIEW = 300


def _admin():  # noqa: ANN202
    actor = current_actor()
    if not actor.agencies_for("admin"):
        raise Forbidden(_("Chỉ quản trị viên được sắp xếp đơn vị hành chính"))
    return actor


@bp.route("/units", methods=["GET", "POST"])
@allow(role("admin"))
def units():  # noqa: ANN201
    actor = _admin()
    if request.method == "POST":
        try:
            applied = admin_units.apply_sync(request.form.get("fingerprint", ""), actor)
            flash(_("Đã cập nhật %(n)s đơn vị hành chính", n=len(applied.rows())))
        except ServiceError as exc:
            flash(exc.message, "error")
        return redirect(url_for("reorganisation.units"))
    error, diff = None, None
    try:
        diff = admin_units.diff_with_portal()
    except ServiceError as exc:
        error = exc.message
    return render_template(
        "admin_units.html", counts=admin_units.counts(), diff=diff, error=error
    ), 502 if error else 200


@bp.get("/reorganisation")
@allow(role("admin"))
def plans():  # noqa: ANN201
    _admin()
    return render_template("reorganisation.html", plans=_listed(), problems=[], form={})


@bp.post("/reorganisation/check")
@allow(role("admin"))
def check():  # noqa: ANN201
    """Parse the uploaded plan and show its problems, or the dry run and a button to record."""
    _admin()
    upload = request.files.get("plan")
    text = request.form.get("plan_text", "")
    if upload is not None and upload.filename:
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            return _refused([_("Tệp phương án phải là văn bản UTF-8 (JSON hoặc CSV)")])
    try:
        plan = plan_from_text(text, name=request.form.get("name", ""), cutover_at=_cutover_at())
    except InvalidInput as exc:
        return _refused([exc.message])
    except PlanError as exc:
        return _refused(exc.problems)
    problems, entries = moves.dry_run(plan)
    if problems:
        return _refused(problems)
    preview = list(islice(entries, PREVIEW))
    more = next(entries, None) is not None
    counts: dict[str, int] = {}
    for entry in preview:
        counts[entry.outcome] = counts.get(entry.outcome, 0) + 1
    return render_template(
        "reorganisation_dry_run.html",
        plan=plan,
        plan_json=json.dumps(plan.as_json(), ensure_ascii=False),
        entries=preview,
        counts=counts,
        more=more,
    )


def _cutover_at() -> str | None:
    """The cut-over moment typed for a CSV plan (dd/mm/yyyy HH:MM), as ISO; None when empty."""
    typed = request.form.get("cutover_at", "").strip()
    return parse_moment(typed, "cutover_at").isoformat() if typed else None


def _listed() -> list:
    """The plans on record, each with its report."""
    return [(row, reports.report(row.id)) for row in reports.plans()]


def _refused(problems: list[str]):  # noqa: ANN202
    return render_template(
        "reorganisation.html", plans=_listed(), problems=problems, form=request.form
    ), 422


@bp.post("/reorganisation/record")
@allow(role("admin"))
def record():  # noqa: ANN201
    actor = _admin()
    try:
        plan = plan_from_json(json.loads(request.form.get("plan_json", "")))
        plan_id = cutover.record_plan(plan, actor)
    except (ValueError, PlanError) as exc:
        problems = exc.problems if isinstance(exc, PlanError) else [_("Phương án không đọc được")]
        return _refused(problems)
    except cutover.PlanRefused as exc:
        return _refused(exc.problems)
    flash(_("Đã ghi phương án số %(id)s", id=plan_id))
    return redirect(url_for("reorganisation.plan", plan_id=plan_id))


@bp.get("/reorganisation/<int:plan_id>")
@allow(role("admin"))
def plan(plan_id: int):  # noqa: ANN201
    _admin()
    row, declared = reports.plan_row(plan_id)
    page = page_arg()
    return render_template(
        "reorganisation_plan.html",
        row=row,
        plan=declared,
        report=reports.report(plan_id),
        items=reports.items(plan_id, (page - 1) * 100, 100),
        page=page,
        refused=reports.last_refusal(plan_id) if row.state == "draft" else [],
    )


@bp.get("/reorganisation/<int:plan_id>/dry-run.csv")
@allow(role("admin"))
def dry_run_csv(plan_id: int):  # noqa: ANN201
    """Every pending dossier's line of the dry run, streamed (a big plan is never held whole)."""
    _admin()
    row, declared = reports.plan_row(plan_id)
    if row.state not in ("draft", "scheduled"):
        raise Conflict(_("Phương án đã áp dụng: xem báo cáo thay cho chạy thử"))
    problems, entries = moves.dry_run(declared)
    if problems:
        raise cutover.PlanRefused(problems)

    def lines():  # noqa: ANN202
        out = io.StringIO()
        sheet = csv.writer(out)
        sheet.writerow(["ho_so", "ket_qua", "tu", "den", "buoc", "ly_do", "thoi_han", "hen_gio"])
        for entry in entries:
            steps = "; ".join(
                f"{s.title} [{s.role}] {s.source}→{s.target}"
                + (" (trả về nhóm)" if s.released else "")
                for s in entry.steps
            )
            sheet.writerow(
                [
                    entry.code,
                    entry.outcome,
                    entry.source,
                    entry.target,
                    steps,
                    entry.reason,
                    entry.due_at or "",
                    entry.timer_at or "",
                ]
            )
            yield out.getvalue()
            out.seek(0)
            out.truncate()

    return Response(
        lines(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=chay-thu-phuong-an-{plan_id}.csv"},
    )


@bp.post("/reorganisation/<int:plan_id>/schedule")
@allow(role("admin"))
def schedule(plan_id: int):  # noqa: ANN201
    actor = _admin()
    try:
        at = cutover.schedule(plan_id, actor)
        flash(_("Phương án sẽ được áp dụng lúc %(at)s", at=local_time(at)))
    except cutover.PlanRefused as exc:
        for problem in exc.problems:
            flash(problem, "error")
    except ServiceError as exc:
        flash(exc.message, "error")
    return redirect(url_for("reorganisation.plan", plan_id=plan_id))

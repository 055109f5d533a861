"""Dossier pages: the list with search, and one dossier with its whole processing history."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    flash,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from app.i18n import _
from app.services.core.errors import InvalidInput
from app.services.deadlines import apologies
from app.services.documents import reuse, sector_registry, slips, views
from app.services.dossiers import dossier_fees, dossier_queries, progress, queries, transfers
from app.web import fee_inputs
from app.web.access import OFFICER, allow, role
from app.web.actor import current_actor
from app.web.formatting import day as show_day
from app.web.formatting import parse_day
from app.web.history import describe
from app.web.i18n import role_label, tr
from app.web.inputs import page_arg

bp = Blueprint("dossiers", __name__)


@bp.get("/dossiers")
@allow(OFFICER)
def index():  # noqa: ANN201
    search = request.args.get("q", "")
    page = page_arg()
    rows, total = dossier_queries.list_dossiers(current_actor(), search, page)
    size, cap = queries.PAGE_SIZE, queries.COUNT_CAP
    # counted up to the cap: past it, a full page means there may be a next one
    open_end = total > cap and len(rows) == size
    last = max(cap // size, page + open_end) if total > cap else max((total + size - 1) // size, 1)
    return render_template(
        "dossiers.html",
        rows=rows,
        total=total,
        page=page,
        last=last,
        open_end=open_end,
        cap=cap,
        search=search,
        args={"q": search} if search else {},
    )


@bp.get("/dossiers/<code>")
@allow(OFFICER)
def show(code: str):  # noqa: ANN201
    return _page(code)


@bp.get("/dossiers/<code>/steps")
@allow(OFFICER)
def steps(code: str):  # noqa: ANN201
    """The steps table as JSON, for the page's live refresh (static/js/steps.js): plain rows
    (never a step's form data), the rendered rows, where the dossier stands and whether the
    worker still has a call to make for it (`pending`: the page keeps asking while it does)."""
    found = progress.dossier_steps(code, current_actor())
    standing = found.standing
    return jsonify(
        code=standing.code,
        pending=standing.waiting_service,
        finished=standing.finished,
        where=progress.describe(standing, role_label),
        steps=[
            {
                "id": t.id,
                "title": tr(t.title),
                "role": t.role,
                "role_label": role_label(t.role),
                "unit": found.units.get(t.id, ""),
                "assignee": t.assignee_name,
                "state": t.state,
                "created_at": t.created_at.isoformat() if t.created_at else None,
                "due_at": t.due_at.isoformat() if t.due_at else None,
                "completed_at": t.completed_at.isoformat() if t.completed_at else None,
            }
            for t in found.rows
        ],
        html=str(get_template_attribute("_steps.html", "step_rows")(found)),
    )


@bp.post("/dossiers/<code>/transfer")
@allow(role("leader", "supervisor"))
def transfer(code: str):  # noqa: ANN201
    try:
        moved = transfers.transfer_dossier(
            code, request.form.get("to_agency", ""), request.form.get("reason", ""), current_actor()
        )
    except InvalidInput as exc:
        return _page(code, {"transfer": exc.message, **exc.fields}), 422
    flash(_("Đã chuyển hồ sơ; %(n)s bước đang mở chuyển theo, thời hạn giữ nguyên", n=moved))
    return redirect(url_for("dossiers.show", code=code))


@bp.post("/dossiers/<code>/apology")
@allow(role("leader", "reception"))
def apology(code: str):  # noqa: ANN201
    try:
        new_day = parse_day(request.form.get("new_day"), "new_day")
    except InvalidInput as exc:
        return _page(code, exc.fields), 422
    try:
        new_due = apologies.record_apology(
            code, new_day, request.form.get("reason", ""), current_actor()
        )
    except InvalidInput as exc:
        return _page(code, exc.fields or {"reason": exc.message}), 422
    flash(_("Đã ghi nhận xin lỗi, hẹn trả mới: %(day)s", day=show_day(new_due)))
    return redirect(url_for("dossiers.show", code=code))


@bp.post("/dossiers/<code>/fees")
@allow(role("reception"))
def collect_fees(code: str):  # noqa: ANN201
    """The counter records fees left due at reception (paid or exempt), 003 §II.1.b."""
    _rest, entries, errors = fee_inputs.split(request.form)
    try:
        if errors:
            raise InvalidInput(_("Thông tin phí, lệ phí chưa hợp lệ"), fields=errors)
        dossier_fees.collect_later(code, entries, current_actor())
    except InvalidInput as exc:
        return _page(code, exc.fields or {"fees": exc.message}, request.form), 422
    flash(_("Đã ghi nhận phí, lệ phí"))
    return redirect(url_for("dossiers.show", code=code) + "#dossier-fees")


def _page(code: str, errors: dict[str, str] | None = None, fee_values: Any = None) -> str:
    actor = current_actor()
    detail = dossier_queries.dossier_detail(code, actor)
    history = [{**event, "text": describe(event)} for event in detail.events]
    can_apologize = detail.dossier["finished_at"] is None and bool(
        actor.agencies_for("leader") | actor.agencies_for("reception")
    )
    agency_ids = {a for _, a in actor.roles}
    can_digitize = bool(
        (actor.agencies_for("reception") | actor.agencies_for("processing")) & agency_ids
    )
    can_transfer = detail.dossier["finished_at"] is None and bool(
        actor.agencies_for("leader") | actor.agencies_for("supervisor")
    )
    steps = progress.dossier_steps(code, actor)
    return render_template(
        "dossier.html",
        steps=steps,
        where=progress.describe(steps.standing, role_label),
        can_transfer=can_transfer,
        agencies=queries.agency_choices() if can_transfer else [],
        documents=views.documents_of(code, actor),
        components=reuse.components_of(code, actor),
        sector=sector_registry.states_of(code, actor),
        sees_incidents=bool(actor.agencies_for("supervisor")),
        slip_choices=slips.choices(code, actor),
        can_digitize=can_digitize,
        trace=dossier_queries.dossier_trace(code, actor),
        detail=detail,
        history=history,
        errors=errors or {},
        can_apologize=can_apologize,
        can_collect=any(f.state == "due" for f in detail.fees)
        and actor.acting_agency(
            ("reception",), detail.dossier["agency_id"], detail.dossier["receiving_agency_id"]
        )
        is not None,
        fee_values=fee_values or {},
    )

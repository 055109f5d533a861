"""The reuse-by-component panel (002 §5.b Bước 2) on its two screens: the dossier's reuse step
("Dùng các giấy tờ đã chọn", one request for every confirmed component) and the counter's
reception form, where the choices are checked before the dossier is received and attached
right after it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from app.domain.document_owner import ROLES as OWNER_ROLES
from app.i18n import _
from app.services.core.errors import Conflict, Forbidden, InvalidInput
from app.services.documents import component_reuse, owner_check, reuse, type_choices
from app.services.documents.component_reuse import Outcome, Panel, Pick
from app.services.documents.component_sources import SOURCES
from app.services.dossiers import dossier_queries
from app.web.access import OFFICER, allow
from app.web.actor import current_actor
from app.web.formatting import local_time

bp = Blueprint("reuse_panel", __name__)
USE, CONFIRM = "use-", "confirm-"
MAX_PICKS = 50  # more components than any procedure has: a forged form, refused


@bp.app_template_global()
def confirmation_text(confirmation: dict[str, Any]) -> str:
    """Who confirmed a reused component, when and how, as the dossier page says it."""
    try:
        at = local_time(datetime.fromisoformat(str(confirmation.get("at") or "")))
    except ValueError:
        at = ""
    how = _("trực tuyến") if confirmation.get("via") == "online" else _("tại quầy một cửa")
    who = confirmation.get("by_name") or confirmation.get("by_id") or ""
    if confirmation.get("role") == "proxy":
        who = _("%(name)s (người được ủy quyền)", name=who)
    return _("Công dân xác nhận dùng: %(who)s, %(how)s, %(at)s", who=who, how=how, at=at)


def picks_from(form: MultiDict) -> list[Pick]:
    """The per-component choices a form posts (`use-<type>` = "source:ref" or "" for paper,
    `confirm-<type>` = "on"); InvalidInput for a forged flood of them."""
    codes = [k[len(USE) :] for k in form if k.startswith(USE)]
    if len(codes) > MAX_PICKS:
        raise InvalidInput(_("Quá nhiều thành phần hồ sơ trong yêu cầu"))
    return [
        Pick(code, (form.get(USE + code) or "").strip(), form.get(CONFIRM + code) == "on")
        for code in codes
    ]


def chosen_of(panel: Panel | None, form: MultiDict) -> dict[str, str]:
    """What each component's choice shows: what was posted, else the first offered item (the
    nearest source in the guide's order)."""
    if panel is None:
        return {}
    shown = {}
    for row in panel.rows:
        posted = form.get(USE + row.type_code)
        first = row.offered[0].choice if row.offered else ""
        shown[row.type_code] = posted if posted is not None else first
    return shown


def outcome_message(outcome: Outcome) -> str:
    """What one "Dùng các giấy tờ đã chọn" did, in words."""
    if not outcome.attached:
        return _("Các giấy tờ đã chọn đã được đính kèm trước đó; không đính kèm thêm")
    message = _("Đã dùng lại %(count)s giấy tờ, công dân đã xác nhận", count=len(outcome.attached))
    if outcome.fetching:
        message += " " + _("(đang lấy tệp từ nguồn: %(codes)s)", codes=", ".join(outcome.fetching))
    return message


def panel_context(panel: Panel | None, form: MultiDict, errors: dict[str, Any]) -> dict:
    """What `_reuse_panel.html` reads."""
    return {
        "reuse_panel": panel,
        "reuse_chosen": chosen_of(panel, form),
        "reuse_confirmed": {k[len(CONFIRM) :] for k in form if k.startswith(CONFIRM)},
        "reuse_errors": {k: v for k, v in errors.items() if k.startswith("component-")},
        "reuse_labels": reuse.SOURCE_LABELS,
        "reuse_sources": SOURCES,
    }


def dossier_panel(code: str) -> Panel | None:
    """The panel of a dossier for the current officer; None for one who does not attach."""
    try:
        return component_reuse.panel(code, current_actor())
    except Forbidden:
        return None


@bp.post("/dossiers/<code>/reuse/components")
@allow(OFFICER)
def attach(code: str):  # noqa: ANN201
    """ "Dùng các giấy tờ đã chọn": every confirmed component in one request, all or nothing."""
    actor = current_actor()
    try:
        outcome = component_reuse.attach_chosen(code, picks_from(request.form), actor)
    except InvalidInput as exc:
        return _again(code, {"_panel": exc.message, **(exc.fields or {})}, 422)
    except Conflict as exc:
        return _again(code, {"_panel": exc.message}, 409)
    flash(outcome_message(outcome))
    return redirect(url_for("documents.reuse_lookup", code=code) + "#reuse-panel")


def _again(code: str, errors: dict[str, Any], status: int):  # noqa: ANN202
    """The reuse step shown again with the panel's errors (nothing was attached)."""
    return reuse_page(code, errors, status)


def reuse_page(  # noqa: ANN201
    code: str,
    errors: dict[str, Any],
    status: int,
    dossier: Any = None,
    choices: Any = None,
    chosen: dict[str, str] | None = None,
    found: reuse.Lookup | None = None,
):
    """The reuse step: the per-component panel (002 §5.b Bước 2), then the lookup of one
    type at a time (for a type outside the procedure's components)."""
    if dossier is None:
        dossier = dossier_queries.dossier_detail(code, current_actor()).dossier
    form = request.form if request.method == "POST" else MultiDict()
    return render_template(
        "reuse.html",
        dossier=dossier,
        choices=choices or type_choices.for_dossier(code),
        chosen=chosen or {"type_code": "", "other_type_code": ""},
        lookup=found,
        errors=errors,
        form=form,
        labels=reuse.SOURCE_LABELS,
        data_labels=reuse.data_labels(found.type_code) if found else {},
        compared=reuse.COMPARED,
        roles=OWNER_ROLES,
        reason_bounds=(owner_check.REASON_MIN, owner_check.REASON_MAX),
        **panel_context(dossier_panel(code), form, errors),
    ), status


class CounterReuse:
    """The panel on the counter's reception form: shown once the procedure and the owner are
    known; the choices are checked before reception and attached right after it."""

    LOOKUP = "reuse_lookup"  # the button that shows the panel without receiving

    def __init__(self, values: dict[str, str], form: MultiDict) -> None:
        self.values, self.form = values, form
        self.looking_up = bool(form.get(self.LOOKUP))
        self.picks: list[Pick] = []
        self.panel: Panel | None = None

    @property
    def wanted(self) -> bool:
        """Whether the panel is shown: asked for, or its choices were posted."""
        return self.looking_up or any(k.startswith(USE) for k in self.form)

    def check(self) -> None:
        """Before reception: InvalidInput unless every chosen item can be attached."""
        self.picks = picks_from(self.form)
        if not any(p.choice for p in self.picks):
            return
        try:
            component_reuse.check_for_owner(
                self.values["procedure_code"], self.values["owner_id"], self.picks
            )
        except InvalidInput as exc:
            raise InvalidInput(
                exc.message, fields={"_panel": exc.message, **(exc.fields or {})}
            ) from exc

    def attach(self, code: str) -> str | None:
        """After reception: attach the confirmed choices; where to go when they could not be."""
        if not any(p.choice for p in self.picks):
            return None
        try:
            flash(outcome_message(component_reuse.attach_chosen(code, self.picks, current_actor())))
        except (InvalidInput, Conflict) as exc:
            flash(
                _("Hồ sơ đã được tiếp nhận; chưa dùng lại được giấy tờ: %(why)s", why=exc.message)
            )
            return url_for("documents.reuse_lookup", code=code) + "#reuse-panel"
        return None

    def context(self, errors: dict[str, Any]) -> dict[str, Any]:
        """The panel for the counter form (looked up when wanted and the owner is known)."""
        if self.wanted and self.panel is None and self.values.get("owner_id"):
            try:
                self.panel = component_reuse.preview(
                    self.values["procedure_code"],
                    self.values["owner_id"],
                    self.values.get("owner_name", ""),
                    current_actor(),
                )
            except InvalidInput as exc:
                errors.setdefault("_panel", exc.message)
        return {**panel_context(self.panel, self.form, errors), "reuse_at_counter": True}

"""The task screen: the step's form, rendered from its JSON schema, beside the workbench (the
dossier's components in an inline viewer, the latest supplement to review, the earlier steps
in words, the result preview of an approval)."""

from __future__ import annotations

import io
import time

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from app import settings
from app.domain.document_metadata import INPUTS as SIX_INPUTS
from app.domain.master_data import tied_fields
from app.i18n import _
from app.services.core.actors import Actor
from app.services.core.errors import Conflict, InvalidInput, ServiceError
from app.services.documents import (
    e_authenticated_copies,
    e_authentication,
    result_drafts,
    supplement_review,
)
from app.services.dossiers import dossier_queries, national_data, progress, tasks
from app.web import fee_inputs, forms
from app.web.access import OFFICER, allow
from app.web.actor import current_actor
from app.web.i18n import role_label, tr

bp = Blueprint("tasks", __name__)
# The result template's fields are posted as `rf-<name>` (never mixed with the step's form).
RESULT_FIELD, MAX_RESULT_FIELDS, MAX_VALUE = "rf-", 40, 5000


@bp.get("/tasks/<task_id>")
@allow(OFFICER)
def show(task_id: str):  # noqa: ANN201
    actor = current_actor()
    detail = dossier_queries.task_detail(task_id, actor)
    national = _national(detail, task_id, actor)
    return render_template(
        "task.html",
        detail=detail,
        fields=_drawn(detail, national),
        national_notices=forms.down_notices(national.down),
    )


def _drawn(detail: dossier_queries.TaskDetail, national: national_data.Filled) -> list[forms.Field]:
    """The step's fields as first shown, those the national databases filled marked."""
    return forms.from_national(
        forms.fields(detail.form, _drafted_name(detail)), national.values, earlier=national.earlier
    )


def _national(
    detail: dossier_queries.TaskDetail, task_id: str, actor: Actor
) -> national_data.Filled:
    """What the national databases say for an open step the officer may act on (001 §II.2.b
    Bước 4); nothing is asked for a closed step, a reader, or a form with no national field
    (the page and the submission then read nothing more)."""
    if detail.task.state != "open" or not detail.can_act or not tied_fields(detail.form):
        return national_data.Filled()
    return national_data.for_task(task_id, actor)


def _drafted_name(detail: dossier_queries.TaskDetail) -> dict[str, str]:
    """An approval's result name starts as the drafted result's title (what will be signed)."""
    latest = detail.result.latest if detail.result else None
    named = "result_name" in (detail.form or {}).get("properties", {})
    return {"result_name": latest.title} if latest and named else {}


@bp.post("/tasks/<task_id>")
@allow(OFFICER)
def submit(task_id: str):  # noqa: ANN201
    actor = current_actor()
    detail = dossier_queries.task_detail(task_id, actor)
    form = request.form.copy()
    # the result draft version the approval page showed (001 §II.2.b Bước 5): not a form field
    seen = _version(form.pop(RESULT_VERSION, None))
    posted, entries, fee_errors = form, None, {}
    if detail.fees is not None:  # a reception step records each fee (003 §II.1.b)
        posted, entries, fee_errors = fee_inputs.split(form)
    national = _national(detail, task_id, actor)
    posted, reasons = forms.split_reasons(posted, national.tied)
    data, errors = forms.parse(detail.form, posted)
    errors.update(fee_errors)
    status, message = 422, None
    if not errors:
        try:
            tasks.complete_task(
                task_id, actor, data, entries, reasons, national, seen_result_version=seen
            )
            return _go_on(task_id, actor, detail.task.title)
        except InvalidInput as exc:
            errors, message = exc.fields, exc.message
        except Conflict as exc:
            status, message = 409, exc.message
    fields = forms.fields(detail.form, {**request.form.to_dict(), **data}, errors)
    fields = forms.from_national(fields, national.values, reasons, posted=True)
    page = render_template(
        "task.html",
        detail=detail,
        fields=fields,
        national_notices=forms.down_notices(national.down),
        message=message,
        fee_values=request.form,
        fee_errors={k: v for k, v in errors.items() if k.startswith(fee_inputs.PREFIX)},
    )
    return page, status


RESULT_VERSION = "result_draft_version"


def _version(raw: str | None) -> int | None:
    """The posted draft version; anything but a whole number names no real version (0)."""
    if raw is None:
        return None
    return int(raw) if raw.strip().isdigit() and len(raw.strip()) < 10 else 0


@bp.get("/tasks/<task_id>/result-preview")
@allow(OFFICER)
def result_preview(task_id: str):  # noqa: ANN201
    pdf, code = dossier_queries.result_preview(task_id, current_actor())
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="xem-truoc-ket-qua-{code}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/tasks/<task_id>/result-draft")
@allow(OFFICER)
def result_draft(task_id: str):  # noqa: ANN201
    """Save the result filled in from the procedure's template as a new draft version."""
    actor = current_actor()
    posted = {
        k.removeprefix(RESULT_FIELD): v[: MAX_VALUE + 1]
        for k, v in list(request.form.items())[: MAX_RESULT_FIELDS + 2]
        if k.startswith(RESULT_FIELD)
    }
    try:
        version = result_drafts.save_filled(task_id, actor, posted)
    except (InvalidInput, Conflict) as exc:
        return _with_result_error(task_id, actor, exc, posted)
    flash(_("Đã lưu dự thảo kết quả, phiên bản %(version)s", version=version))
    return redirect(url_for("tasks.show", task_id=task_id) + "#result")


@bp.post("/tasks/<task_id>/result-upload")
@allow(OFFICER)
def result_upload(task_id: str):  # noqa: ANN201
    """Upload the result made and signed elsewhere (a PDF) as a new draft version."""
    actor = current_actor()
    upload = request.files.get("file")
    source = upload.stream if upload is not None and upload.filename else io.BytesIO()
    try:
        version = result_drafts.save_uploaded(
            task_id, actor, source, request.form.get("title", "")[:1000]
        )
    except (InvalidInput, Conflict) as exc:
        return _with_result_error(task_id, actor, exc, {})
    flash(_("Đã tải lên văn bản kết quả, phiên bản %(version)s", version=version))
    return redirect(url_for("tasks.show", task_id=task_id) + "#result")


def _with_result_error(task_id: str, actor: Actor, exc: InvalidInput | Conflict, posted: dict):  # noqa: ANN202
    detail = dossier_queries.task_detail(task_id, actor)
    page = render_template(
        "task.html",
        detail=detail,
        fields=forms.fields(detail.form),
        result_error={"message": exc.message, "fields": exc.fields, "values": posted},
    )
    return page, exc.status


@bp.post("/tasks/<task_id>/documents/<int:document_id>/review")
@allow(OFFICER)
def review(task_id: str, document_id: int):  # noqa: ANN201
    """Confirm (`verdict=confirm`) or reject (`verdict=reject`, with `reason`) a supplement
    file from the step's screen; back to the screen with what happened."""
    actor, verdict = current_actor(), request.form.get("verdict", "")
    try:
        if verdict == "confirm":
            typed = {
                k: v[:2001]
                for k, v in list(request.form.items())[:50]
                if k.startswith("field_") or k in SIX_INPUTS
            }
            key = supplement_review.confirm_file(task_id, document_id, actor, typed)
            flash(_("Đã xác nhận và lưu giấy tờ bổ sung với mã lưu trữ %(key)s", key=key))
        elif verdict == "reject":
            reason = request.form.get("reason", "")
            supplement_review.reject_file(task_id, document_id, reason, actor)
            flash(_("Đã từ chối giấy tờ bổ sung"))
        else:
            raise InvalidInput(_("Chọn xác nhận hoặc từ chối giấy tờ"))
    except (InvalidInput, Conflict) as exc:
        detail = dossier_queries.task_detail(task_id, actor)
        national = _national(detail, task_id, actor)
        page = render_template(
            "task.html",
            detail=detail,
            fields=_drawn(detail, national),
            national_notices=forms.down_notices(national.down),
            review_error={
                "document_id": document_id,
                "message": exc.message,
                "fields": exc.fields,
                "values": request.form.to_dict(),
            },
        )
        return page, exc.status
    return redirect(url_for("tasks.show", task_id=task_id) + "#supplement")


@bp.post("/tasks/<task_id>/e-authentication/send")
@allow(OFFICER)
def send_for_authentication(task_id: str):  # noqa: ANN201
    """Send the dossier's out-of-scope documents to their managing agency (001 §II.2.c B1)."""
    return _authentication_action(
        task_id,
        lambda actor: _(
            "Đã gửi %(count)s giấy tờ đi xác thực", count=e_authentication.send(task_id, actor)
        ),
    )


@bp.post("/tasks/<task_id>/e-authentication/<int:authentication_id>/resend")
@allow(OFFICER)
def resend_for_authentication(task_id: str, authentication_id: int):  # noqa: ANN201
    def act(actor: Actor) -> str:
        e_authentication.resend(task_id, authentication_id, actor)
        return _("Đã gửi lại giấy tờ đi xác thực")

    return _authentication_action(task_id, act)


@bp.post("/tasks/<task_id>/e-authentication/<int:authentication_id>/supplement")
@allow(OFFICER)
def authentication_supplement(task_id: str, authentication_id: int):  # noqa: ANN201
    def act(actor: Actor) -> str:
        note = request.form.get("note", "")[:2000]
        e_authentication.mark_for_supplement(task_id, authentication_id, note, actor)
        return _("Đã ghi nhận: giấy tờ cần công dân bổ sung")

    return _authentication_action(task_id, act)


@bp.post("/tasks/<task_id>/e-authentication/counter/<int:document_id>")
@allow(OFFICER)
def authenticate_at_counter(task_id: str, document_id: int):  # noqa: ANN201
    """001 §III.1 case 2: the officer's e-authenticated copy of a document, from its original."""

    def act(actor: Actor) -> str:
        compared = request.form.get("compared") == "on"
        key = e_authenticated_copies.authenticate_at_counter(task_id, document_id, actor, compared)
        return _("Đã xác thực điện tử và lưu với mã lưu trữ %(key)s", key=key)

    return _authentication_action(task_id, act)


def _authentication_action(task_id: str, act):  # noqa: ANN001, ANN202
    """Run an e-authentication action of the step's screen; back to the screen with what
    happened, or the screen again with why not (its status)."""
    actor = current_actor()
    try:
        done = act(actor)
    except ServiceError as exc:
        detail = dossier_queries.task_detail(task_id, actor)
        page = render_template(
            "task.html",
            detail=detail,
            fields=forms.fields(detail.form),
            authentication_error=exc.message,
        )
        return page, exc.status
    flash(done)
    return redirect(url_for("tasks.show", task_id=task_id) + "#e-authentication")


# How often the page asks, while the worker makes the call the next step waits for.
WAIT_POLL = 0.05


def _go_on(task_id: str, actor: Actor, title: str):  # noqa: ANN202
    """After a step: open the officer's next step of the same dossier at once (see
    progress.after_step for the rule), or say where the dossier went and go back to the
    inbox. A step behind a service call is waited for a moment (AFTER_STEP_WAIT seconds),
    never guessed; not behind the result's signing, which the officer is told of at once."""
    deadline = time.monotonic() + settings.current.AFTER_STEP_WAIT
    after = progress.after_step(task_id, actor)
    while after.next_step is None and after.standing.waiting_service:
        if after.standing.signing or time.monotonic() >= deadline:
            break
        time.sleep(WAIT_POLL)
        after = progress.after_step(task_id, actor)
    done = _("Đã hoàn thành: %(title)s", title=tr(title))
    step = after.next_step
    if step is not None and after.take:
        try:
            tasks.claim_task(step.id, actor)
        except Conflict:  # a colleague took it meanwhile: it is theirs now
            after = progress.after_step(task_id, actor)
            step = after.next_step if not after.take else None
    if step is not None:
        flash(_("%(done)s. Bước tiếp theo của bạn: %(next)s", done=done, next=tr(step.title)))
        return redirect(url_for("tasks.show", task_id=step.id))
    flash(f"{done}. {progress.describe(after.standing, role_label)}")
    return redirect(url_for("inbox.index"))

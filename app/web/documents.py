"""Digitizing components at the counter, the documents, their signatures, and the slips."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for

from app.documents.intake import Upload
from app.documents.signing import MESSAGES as VERDICT_MESSAGES
from app.domain.document_metadata import LABELS as METADATA_LABELS
from app.domain.document_metadata import SCOPES, VALIDITIES, WITHOUT_CCCD
from app.domain.documents import CLASSES, PAPER_FORMS
from app.domain.status import VN_TZ
from app.i18n import _
from app.services.core.errors import Conflict, InvalidInput
from app.services.documents import (
    catalog,
    certified_copies,
    completion,
    drafts,
    reuse,
    reused_files,
    slips,
    type_choices,
    views,
)
from app.services.dossiers import dossier_queries
from app.web import reuse_panel
from app.web.access import OFFICER, allow
from app.web.actor import current_actor
from app.web.i18n import tr
from app.web.inputs import int_arg
from app.web.redirects import safe_target

bp = Blueprint("documents", __name__)
MAX_COUNT = 100_000  # pages or sheets of one component: far above any real one
SCAN_FIELDS = (
    "type_code",
    "other_type_code",
    "classification",
    "paper_form",
    "declared_pages",
    "page_order",
    "rescans",
)
META_FIELDS = (
    "type_code",
    "owner_id_type",
    "owner_id",
    "owner_name",
    "name",
    "summary",
    "validity",
    "valid_from",
    "valid_until",
    "validity_scope",
    "owner_birth_year",
    "owner_id_issued_on",
    "owner_id_issuer",
)


def _int(value: str | None, default: int = 0) -> int:
    """A small count typed in a form; `default` when not a number or beyond MAX_COUNT."""
    try:
        number = int((value or "").strip())
    except ValueError:
        return default
    return number if -MAX_COUNT <= number <= MAX_COUNT else default


@bp.app_template_global()
def verdict_text(verdict: Any) -> str:
    """A signature verdict (a Verdict, or its stored dict) in the reader's language; a failed
    check keeps its technical detail as written."""
    item = verdict if isinstance(verdict, dict) else verdict.as_dict()
    state = item.get("state")
    if state not in VERDICT_MESSAGES or state == "error":
        return str(item.get("message") or "")
    at = item.get("signed_at")
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    when = f"{at.astimezone(VN_TZ):%d/%m/%Y %H:%M:%S}" if at else "—"
    return tr(VERDICT_MESSAGES[state]) % {"signer": item.get("signer") or "—", "at": when}


@bp.route("/dossiers/<code>/documents/new", methods=["GET", "POST"])
@allow(OFFICER)
def new(code: str):  # noqa: ANN201
    actor = current_actor()
    dossier = dossier_queries.dossier_detail(code, actor).dossier
    values = {name: request.form.get(name, "").strip() for name in SCAN_FIELDS}
    values.setdefault("paper_count", request.form.get("paper_count", "1"))
    choices = type_choices.for_dossier(code)
    errors: dict[str, str] = {}
    if request.method == "POST":
        files = [f for f in request.files.getlist("files") if f and f.filename]
        declared = _int(values["declared_pages"])
        if declared <= 0:
            errors["declared_pages"] = _("Nhập số trang giấy của thành phần (số nguyên dương)")
        else:
            try:
                type_code = type_choices.resolve(
                    choices, values["type_code"], values["other_type_code"]
                )
                document_id = drafts.digitize(
                    drafts.Digitize(
                        dossier_code=code,
                        type_code=type_code,
                        classification=values["classification"],
                        paper_form=values["paper_form"],
                        declared_pages=declared,
                        page_order=values["page_order"],
                        rescans=values["rescans"],
                        paper_count=int_arg("paper_count", 1, high=MAX_COUNT, source=request.form)
                        or 1,
                    ),
                    [Upload(f.filename, f.stream) for f in files],
                    actor,
                )
                flash(_("Đã quét và nhận dạng; hãy kiểm tra siêu dữ liệu rồi lưu"))
                return redirect(url_for("documents.show", document_id=document_id))
            except InvalidInput as exc:
                errors = exc.fields or {"files": exc.message}
    return render_template(
        "document_new.html",
        dossier=dossier,
        values=values,
        errors=errors,
        choices=choices,
        classes=CLASSES,
        paper_forms=PAPER_FORMS,
    ), (422 if errors else 200)


@bp.get("/documents/<int:document_id>")
@allow(OFFICER)
def show(document_id: int):  # noqa: ANN201
    return _page(document_id)


def _page(document_id: int, errors: dict[str, str] | None = None, form: dict | None = None):
    view = views.document_view(document_id, current_actor())
    doc = view.values
    suggested = doc["suggested"] or {}
    defaults = {
        **{k: _shown(doc.get(k)) for k in META_FIELDS},
        **{f"field_{k}": v for k, v in (doc["fields"] or {}).items()},
    }
    if doc["state"] == "draft" or view.missing:  # pre-filled where it can be (001 §II.2.c)
        defaults.update(views.prefilled_six(doc))
    for key, value in suggested.items():
        if key.startswith("field_") and doc["state"] == "draft":
            defaults.setdefault(key, value)
    values = {**defaults, **(form or {})}
    choices = type_choices.for_dossier(view.dossier_code) if view.dossier_code else None
    # the type chosen at upload: among the components, or shown behind "Khác…"
    if choices and "other_type_code" not in values and values["type_code"] not in choices.codes:
        values["type_code"], values["other_type_code"] = type_choices.OTHER, doc["type_code"]
    return render_template(
        "document.html",
        choices=choices,
        view=view,
        doc=doc,
        values=values,
        suggested=suggested,
        errors=errors or {},
        types=(types := catalog.document_types()),
        doc_type=types.get(
            values.get("other_type_code") or values.get("type_code") or doc["type_code"]
        ),
        classes=CLASSES,
        paper_forms=PAPER_FORMS,
        fill_inputs=completion.inputs_for(view.missing),
    ), (422 if errors else 200)


@bp.app_context_processor
def metadata_choices() -> dict[str, Any]:
    """What every form asking the six mandatory fields (001 §II.2.c) offers and calls them."""
    return {
        "scopes": SCOPES,
        "validities": VALIDITIES,
        "metadata_labels": METADATA_LABELS,
        "without_cccd": WITHOUT_CCCD,
    }


def _shown(value: Any) -> Any:
    """A column's value as a form field shows it (a day as ISO, nothing as empty)."""
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else value


@bp.post("/documents/<int:document_id>/confirm")
@allow(OFFICER)
def confirm(document_id: int):  # noqa: ANN201
    form = {k: v for k, v in request.form.items() if k in META_FIELDS or k.startswith("field_")}
    try:
        code = views.document_view(document_id, current_actor()).dossier_code
        if code:  # a dossier's file: one of its procedure's components, or "Khác…" explicitly
            other = request.form.get("other_type_code", "")
            chosen = type_choices.resolve(
                type_choices.for_dossier(code), form.get("type_code", ""), other
            )
            key = drafts.confirm(document_id, {**form, "type_code": chosen}, current_actor())
        else:
            key = drafts.confirm(document_id, form, current_actor())
    except InvalidInput as exc:
        shown = {**form, "other_type_code": request.form.get("other_type_code", "")}
        return _page(document_id, exc.fields or {"_form": exc.message}, shown)
    flash(_("Đã ký số và lưu giấy tờ với mã lưu trữ %(key)s", key=key))
    return redirect(url_for("documents.show", document_id=document_id))


@bp.post("/documents/<int:document_id>/metadata")
@allow(OFFICER)
def complete_metadata(document_id: int):  # noqa: ANN201
    """Fill the mandatory fields (001 §II.2.c) a stored document lacks."""
    form = {k: v for k, v in request.form.items() if k in META_FIELDS}
    try:
        filled = completion.complete_metadata(document_id, form, current_actor())
    except InvalidInput as exc:
        return _page(document_id, exc.fields or {"_form": exc.message}, form)
    names = ", ".join(tr(METADATA_LABELS[key]) for key in filled)
    flash(_("Đã bổ sung siêu dữ liệu: %(names)s", names=names))
    return redirect(url_for("documents.show", document_id=document_id))


@bp.post("/documents/<int:document_id>/certify")
@allow(OFFICER)
def certify(document_id: int):  # noqa: ANN201
    copy_id = certified_copies.certify(document_id, current_actor())
    flash(_("Đã tạo bản sao điện tử có chữ ký số của cơ quan"))
    return redirect(url_for("documents.show", document_id=copy_id))


@bp.post("/documents/<int:document_id>/discard")
@allow(OFFICER)
def discard(document_id: int):  # noqa: ANN201
    view = views.document_view(document_id, current_actor())
    drafts.discard(document_id, current_actor())
    flash(_("Đã huỷ bản quét"))
    if view.dossier_code:
        return redirect(url_for("dossiers.show", code=view.dossier_code))
    return redirect(url_for("inbox.index"))


@bp.get("/documents/<int:document_id>/file")
@allow(OFFICER)
def file(document_id: int):  # noqa: ANN201
    sha = request.args.get("original")
    path, name = views.file_path(document_id, current_actor(), sha)
    mimetype = "application/pdf" if name.lower().endswith(".pdf") or not sha else None
    return send_file(path, mimetype=mimetype, download_name=name, as_attachment=bool(sha))


@bp.route("/documents/verify", methods=["GET", "POST"])
@allow(OFFICER)
def verify():  # noqa: ANN201
    verdicts, error = None, ""
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            error = _("Chọn tệp PDF cần kiểm tra chữ ký")
        else:
            try:
                verdicts = views.verify_upload(Upload(upload.filename, upload.stream))
            except InvalidInput as exc:
                error = exc.message
    status = 422 if error else 200
    return render_template("document_verify.html", verdicts=verdicts, error=error), status


@bp.get("/dossiers/<code>/slips/<number>.pdf")
@allow(OFFICER)
def slip(code: str, number: str):  # noqa: ANN201
    import io

    pdf, name = slips.slip_pdf(code, number, current_actor())
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name=name)


@bp.route("/dossiers/<code>/reuse", methods=["GET", "POST"])
@allow(OFFICER)
def reuse_lookup(code: str):  # noqa: ANN201
    """Look a component up in the warehouses and national databases, then attach it once the
    citizen confirms; a document of another person only with the officer's stated reason."""
    actor = current_actor()
    dossier = dossier_queries.dossier_detail(code, actor).dossier
    choices = type_choices.for_dossier(code)
    chosen = {k: request.values.get(k, "").strip() for k in ("type_code", "other_type_code")}
    found, errors, status = None, {}, 200
    if chosen["type_code"]:
        try:
            type_code = type_choices.resolve(
                choices, chosen["type_code"], chosen["other_type_code"]
            )
            found = reuse.lookup(code, type_code, actor)
        except InvalidInput as exc:
            errors, status = exc.fields or {"type_code": exc.message}, 422
    if request.method == "POST" and request.form.get("attach") and not errors:
        if found is None or found.found is None:
            errors, status = (
                {"_form": _("Giấy tờ không còn ở nguồn đã tra cứu; hãy tra cứu lại")},
                422,
            )
        else:
            errors, status = _attach(code, found, actor)
            if not errors:
                return redirect(url_for("dossiers.show", code=code) + "#components")
    return reuse_panel.reuse_page(code, errors, status, dossier, choices, chosen, found)


def _attach(code: str, found: reuse.Lookup, actor: Any) -> tuple[dict[str, str], int]:
    """Attach the posted document if it is the one this lookup offers; the errors to show."""
    form = request.form
    try:
        reuse.check_offered(found, form.get("source", ""), form.get("ref", ""))
        attached = reuse.attach(
            code,
            form.get("source", ""),
            form.get("ref", ""),
            found.type_code,
            form.get("citizen_confirmed") == "on",
            {k: form.get(f"paper_{k}", "") for k in reuse.COMPARED},
            actor,
            override_reason=form.get("override_reason", ""),
            seen=form.get("seen", ""),
        )
    except InvalidInput as exc:
        return {"_form": exc.message, **(exc.fields or {})}, 422
    except Conflict as exc:
        return {"_form": exc.message}, 409
    flash(_attached_message(attached))
    if attached.get("fetch_error"):
        why = tr(reused_files.reason_in_words(attached["fetch_error"]))
        flash(_("Nguồn chưa trả tệp (%(why)s); hệ thống đang lấy lại tệp", why=why))
    return {}, 302


def _attached_message(attached: dict[str, Any]) -> str:
    if attached["owner_override"]:
        return _("Đã đính kèm giấy tờ không khớp chủ hồ sơ, kèm lý do; việc này được ghi nhật ký")
    if attached["mismatch"]:
        return _("Đã đính kèm theo giấy tờ giấy; có sai khác với CSDL quốc gia")
    return _("Đã đính kèm giấy tờ dùng lại")


@bp.post("/dossiers/<code>/components/<int:component_id>/fetch")
@allow(OFFICER)
def retry_fetch(code: str, component_id: int):  # noqa: ANN201
    """ "Thử lại": fetch a reused component's file from its source again, now."""
    outcome = reused_files.retry(code, component_id, current_actor())
    flash(
        {
            "fetched": _("Tệp của thành phần đã được lấy về"),
            "running": _("Đang lấy tệp từ nguồn; hãy tải lại trang sau ít giây"),
            "queued": _("Đã yêu cầu lấy lại tệp từ nguồn"),
        }[outcome]
    )
    fallback = url_for("dossiers.show", code=code) + "#components"
    return redirect(safe_target(request.form.get("next"), fallback))

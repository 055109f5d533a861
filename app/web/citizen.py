"""The citizen's side: single sign-on from the portal (OpenID Connect, Authlib), their dossiers,
and online submission (path A). Citizens have their own session, apart from officers'."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from authlib.oauth2.rfc6749.errors import OAuth2Error
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from joserfc.errors import ClaimError, ExpiredTokenError, JoseError

from app import settings
from app.documents.intake import Upload
from app.i18n import _
from app.integrations.errors import IntegrationError
from app.services.accounts import sessions
from app.services.citizens import actions, online, online_form, payments, portal_sign_in
from app.services.citizens.online_commands import SubmitOnline
from app.services.core.errors import Conflict, InvalidInput, NotFound
from app.services.deadlines import supplement_clock
from app.web import forms, public, server_session
from app.web.access import CITIZEN, PUBLIC, allow
from app.web.citizen_session import SESSION_KEY, current_citizen
from app.web.form_reader import FormReader
from app.web.forms import TECHNICAL_FIELDS
from app.web.national_form import NationalForm
from app.web.redirects import safe_target

bp = Blueprint("citizen", __name__, url_prefix="/citizen")
SUBMIT_FIELDS = ("agency", "phone", "email", "summary", "e_only")


def init_app(app: Flask) -> None:
    oauth = OAuth(app)
    oauth.register(
        "portal",
        client_id=settings.current.PORTAL_OIDC_CLIENT_ID,
        client_secret=settings.current.PORTAL_OIDC_CLIENT_SECRET,
        server_metadata_url=settings.current.PORTAL_URL.rstrip("/")
        + "/.well-known/openid-configuration",
        client_kwargs={"scope": "openid profile", "code_challenge_method": "S256"},
    )
    app.extensions["portal_oidc"] = oauth


def _portal():  # noqa: ANN202
    return current_app.extensions["portal_oidc"].portal


def citizen_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):  # noqa: ANN202
        citizen = current_citizen()
        if citizen is None:
            return redirect(url_for("citizen.login", next=request.full_path.rstrip("?")))
        return view(citizen, *args, **kwargs)

    return wrapped


def _safe_next(target: str | None) -> str:
    """Only a path of this system (never another host) is followed after sign-in."""
    return safe_target(target, url_for("citizen.home"))


@bp.get("/login")
@allow(PUBLIC)
def login():  # noqa: ANN201
    session["citizen_next"] = _safe_next(request.args.get("next"))
    return _portal().authorize_redirect(url_for("citizen.callback", _external=True))


@bp.get("/callback")
@allow(PUBLIC)
def callback():  # noqa: ANN201
    try:
        token = _portal().authorize_access_token()
        claims = token.get("userinfo") or {}
        citizen = portal_sign_in.sign_in(dict(claims))
    except MismatchingStateError:
        return _refused(
            _("Phiên đăng nhập không khớp hoặc đã được dùng (state). Hãy đăng nhập lại.")
        )
    except ExpiredTokenError:
        return _refused(_("Mã định danh (ID token) của Cổng DVCQG đã hết hạn."))
    except ClaimError as exc:
        # a wrong audience, issuer or nonce: the token was not issued for this sign-in
        return _refused(
            _(
                "Mã định danh không dành cho hệ thống này hoặc lần đăng nhập này (%(why)s).",
                why=exc.description,
            )
        )
    except JoseError as exc:
        return _refused(_("Chữ ký của mã định danh không hợp lệ (%(why)s).", why=exc.error))
    except OAuthError as exc:
        return _refused(
            _("Cổng DVCQG từ chối đăng nhập: %(why)s.", why=exc.description or exc.error)
        )
    except OAuth2Error as exc:
        return _refused(
            _("Phản hồi đăng nhập không hợp lệ: %(why)s.", why=exc.description or exc.error)
        )
    except InvalidInput as exc:
        return _refused(exc.message)
    sessions.end(server_session.forget(server_session.CITIZEN))
    server_session.keep(server_session.CITIZEN, sessions.start_for_citizen(citizen.id))
    session[SESSION_KEY] = citizen.id
    g.pop("citizen", None)
    return redirect(_safe_next(session.pop("citizen_next", None)))


def _refused(message: str):  # noqa: ANN202
    _sign_out()
    return render_template("citizen_error.html", message=message), 401


def _sign_out() -> None:
    g.pop("citizen", None)
    session.pop(SESSION_KEY, None)
    sessions.end(server_session.forget(server_session.CITIZEN))


@bp.post("/logout")
@allow(PUBLIC)
def logout():  # noqa: ANN201
    _sign_out()
    return redirect(url_for("citizen.home_public"))


@bp.get("/welcome")
@allow(PUBLIC)
def home_public():  # noqa: ANN201
    """The citizens' landing page; where the former public portal is closed, no public landing
    page remains: the notice that online services moved to the national portal (003 §IV.3.b)."""
    if settings.current.PUBLIC_PORTAL_CLOSED:
        return public.moved_notice()
    return render_template("citizen_welcome.html", citizen=current_citizen())


@bp.get("/")
@allow(CITIZEN)
@citizen_required
def home(citizen: portal_sign_in.Citizen):  # noqa: ANN201
    return render_template(
        "citizen_home.html", citizen=citizen, dossiers=portal_sign_in.dossiers_of(citizen)
    )


@bp.get("/dossiers/<code>")
@allow(CITIZEN)
@citizen_required
def dossier(citizen: portal_sign_in.Citizen, code: str):  # noqa: ANN201
    if request.args.get("status") == "paid":
        flash(_("Cổng thanh toán báo đã thanh toán; hồ sơ được xử lý tiếp."))
    return _detail(citizen, code)


def _detail(
    citizen: portal_sign_in.Citizen, code: str, error: str | None = None, status: int = 200
):  # noqa: ANN202
    try:
        detail = portal_sign_in.dossier_of(citizen, code)
    except NotFound:
        abort(404)
    waiting = actions.waiting_for(code)
    asked = actions.SUPPLEMENT_MESSAGE in waiting["messages"]
    return render_template(
        "citizen_dossier.html",
        citizen=citizen,
        d=detail,
        waiting=waiting,
        error=error,
        choices=online.supplement_choices(code) if asked else None,
        deadline=supplement_clock.supplement_deadline(code) if asked else None,
        form=request.form if request.method == "POST" else {},
        fees=payments.fee_lines(code),
        pay_now=payments.payable(code) and "thanh_toan" not in waiting["messages"],
    ), status


def _owned(citizen: portal_sign_in.Citizen, code: str) -> None:
    if not portal_sign_in.owns(citizen, code):
        abort(404)


@bp.get("/dossiers/<code>/results/<int:document_id>")
@allow(CITIZEN)
@citizen_required
def result(citizen: portal_sign_in.Citizen, code: str, document_id: int):  # noqa: ANN201
    try:
        path, name = portal_sign_in.result_file(citizen, code, document_id)
    except NotFound:
        abort(404)
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=name)


def _only(*allowed: str) -> None:
    """Refuse (InvalidInput, naming them) the fields posted beside `allowed` and the page's
    technical ones: only what the action reads may come with it."""
    posted = [n for n in (*request.form, *request.files) if n not in TECHNICAL_FIELDS]
    actions.refuse_unknown(posted, allowed)


def _act(
    citizen: portal_sign_in.Citizen,
    code: str,
    action: Callable[[], object],
    done: str,
    fields: tuple[str, ...] = (),
):  # noqa: ANN202
    """Run a citizen's action on their dossier, posted with only `fields`; a refusal is shown
    on the dossier's page."""
    _owned(citizen, code)
    try:
        _only(*fields)
        action()
    except Conflict as exc:
        return _detail(citizen, code, exc.message, 409)
    except InvalidInput as exc:
        return _detail(citizen, code, exc.message, 422)
    flash(done)
    return redirect(url_for("citizen.dossier", code=code))


@bp.post("/dossiers/<code>/withdraw")
@allow(CITIZEN)
@citizen_required
def withdraw(citizen: portal_sign_in.Citizen, code: str):  # noqa: ANN201
    reason = request.form.get("reason", "")
    return _act(
        citizen,
        code,
        lambda: actions.withdraw(code, reason, citizen.actor),
        _("Đã rút hồ sơ."),
        ("reason",),
    )


@bp.post("/dossiers/<code>/supplement")
@allow(CITIZEN)
@citizen_required
def supplement(citizen: portal_sign_in.Citizen, code: str):  # noqa: ANN201
    files = [
        Upload(f.filename or "", f.stream) for f in request.files.getlist("files") if f.filename
    ]
    read = {k: request.form.get(k, "") for k in ("note", "type_code", "other_type_code")}
    return _act(
        citizen,
        code,
        lambda: online.send_supplement(
            citizen, code, read["note"], read["type_code"], files, read["other_type_code"]
        ),
        _("Đã gửi hồ sơ bổ sung; cơ quan tiếp tục xử lý."),
        ("note", "type_code", "other_type_code", "files"),
    )


@bp.post("/dossiers/<code>/pay")
@allow(CITIZEN)
@citizen_required
def pay(citizen: portal_sign_in.Citizen, code: str):  # noqa: ANN201
    _owned(citizen, code)
    try:
        _only()  # the amount is what the process says is due, never what is posted
    except InvalidInput as exc:
        return _detail(citizen, code, exc.message, 422)
    try:
        pay_url = payments.start_payment(
            code,
            return_url=url_for("citizen.dossier", code=code, _external=True),
            callback_url=url_for("payments_api.callback", _external=True),
        )
    except Conflict as exc:
        return _detail(citizen, code, exc.message, 409)
    except InvalidInput as exc:  # the agency has no treasury account (003 §II.1.b)
        return _detail(citizen, code, exc.message, 422)
    except IntegrationError as exc:
        message = _("Không kết nối được nền tảng thanh toán: %(why)s", why=str(exc))
        return _detail(citizen, code, message, 502)
    return redirect(pay_url)


@bp.route("/submit/<procedure_code>", methods=["GET", "POST"])
@allow(CITIZEN)
@citizen_required
def submit(citizen: portal_sign_in.Citizen, procedure_code: str):  # noqa: ANN201
    try:
        info, offers = online.submission(citizen, procedure_code)
    except NotFound:
        abort(404)
    errors: dict[str, str] = {}
    values = {k: request.form.get(k, "").strip() for k in SUBMIT_FIELDS}
    national = NationalForm(*online_form.for_submission(citizen, procedure_code))
    if request.method == "POST":
        try:
            _only(
                *SUBMIT_FIELDS,
                *(f"{p}_{o.type_code}" for o in offers for p in ("use", "file")),
                *national.names(),
            )
        except InvalidInput as exc:
            return _submit_page(citizen, info, offers, values, {"_form": exc.message}, national)
        national.read(request.form)
        try:
            code = online.submit(citizen, _submission(procedure_code, offers, national))
        except InvalidInput as exc:
            errors = exc.fields or {"_form": exc.message}
        else:
            flash(
                _(
                    "Đã nộp hồ sơ %(code)s. Theo dõi tiến độ tại đây và trên Cổng DVCQG.",
                    code=code,
                )
            )
            return redirect(url_for("citizen.dossier", code=code))
    return _submit_page(citizen, info, offers, values, errors, national)


def _submission(
    procedure_code: str, offers: list[online.Offer], national: NationalForm
) -> SubmitOnline:
    """The posted submission form as the service's command; refused (422) when the e-only
    box or a chosen document has the wrong shape."""
    read = FormReader(request.form)
    chosen = {o.type_code: read.stripped(f"use_{o.type_code}") for o in offers}
    command = SubmitOnline(
        procedure_code=procedure_code,
        agency_code=read.stripped("agency"),
        phone=read.stripped("phone"),
        email=read.stripped("email"),
        summary=read.stripped("summary"),
        e_only=read.flag("e_only"),
        chosen={type_code: ref for type_code, ref in chosen.items() if ref},
        uploads={
            o.type_code: [
                Upload(f.filename or "", f.stream)
                for f in request.files.getlist(f"file_{o.type_code}")
                if f.filename
            ]
            for o in offers
        },
        form=national.data,
        reasons=national.reasons,
    )
    for name, message in national.errors.items():
        read.note(name, message)
    read.done()
    return command


def _submit_page(
    citizen: portal_sign_in.Citizen,
    info: dict[str, Any],
    offers: list[online.Offer],
    values: dict[str, str],
    errors: dict[str, str],
    national: NationalForm,
):  # noqa: ANN202
    return render_template(
        "citizen_submit.html",
        citizen=citizen,
        info=info,
        offers=offers,
        values=values,
        errors=errors,
        national_fields=national.fields(errors),
        national_notices=forms.down_notices(national.filled.down),
    ), 422 if errors else 200

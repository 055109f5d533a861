"""Login and logout (đăng nhập), the officer's password change, language switch."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.i18n import _
from app.services.accounts import officer_accounts, sessions
from app.services.core.errors import InvalidInput, Unauthorized
from app.web import server_session
from app.web.access import OFFICER, PUBLIC, allow
from app.web.redirects import safe_target

bp = Blueprint("auth", __name__)


def _client_address() -> str:
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
def login():  # noqa: ANN201
    if request.method != "POST":  # GET and HEAD show the form
        return render_template("login.html", error=None)
    try:
        signed_in = officer_accounts.sign_in(
            request.form.get("username", ""), request.form.get("password", ""), _client_address()
        )
    except Unauthorized:
        # one message whatever the reason (unknown user, wrong password, lock): no enumeration
        error = _("Sai tên đăng nhập hoặc mật khẩu, hoặc tạm thời chưa thể đăng nhập")
        return render_template("login.html", error=error), 401
    sessions.end(server_session.forget(server_session.OFFICER))
    server_session.keep(server_session.OFFICER, signed_in.token)
    login_user(signed_in.user)
    return redirect(safe_target(request.args.get("next"), url_for("inbox.index")))


@bp.post("/logout")
@allow(OFFICER)
def logout():  # noqa: ANN201
    sessions.end(server_session.forget(server_session.OFFICER))
    logout_user()
    flash(_("Đã đăng xuất"))
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@allow(OFFICER)
def password():  # noqa: ANN201
    """The signed-in officer changes their password; every other session of theirs ends."""
    if request.method != "POST":  # GET and HEAD show the form
        return render_template("account_password.html", errors={})
    try:
        token = officer_accounts.change_password(
            current_user.id,
            request.form.get("current_password", ""),
            request.form.get("new_password", ""),
            request.form.get("new_password_again", ""),
            _client_address(),
        )
    except InvalidInput as exc:
        return render_template("account_password.html", errors=exc.fields), 422
    server_session.keep(server_session.OFFICER, token)
    flash(_("Đã đổi mật khẩu; các phiên đăng nhập khác đã kết thúc."))
    return redirect(url_for("inbox.index"))


@bp.get("/lang/<code>")
@allow(PUBLIC)
def language(code: str):  # noqa: ANN201
    if code in ("vi", "en"):
        session["lang"] = code
    return redirect(safe_target(request.referrer, url_for("inbox.index")))

"""Login and logout (đăng nhập), language switch."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash

from app.models import User
from app.storage.db import db
from app.web.access import OFFICER, PUBLIC, allow

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
def login():  # noqa: ANN201
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        with db.transaction() as s:
            user = s.scalar(select(User).where(User.username == username))
        if user is None or not user.active or not check_password_hash(user.password_hash, password):
            error = _("Sai tên đăng nhập hoặc mật khẩu")
        else:
            login_user(user)
            target = request.args.get("next", "")
            return redirect(
                target
                if target.startswith("/") and not target.startswith("//")
                else url_for("inbox.index")
            )
    return render_template("login.html", error=error), 401 if error else 200


@bp.post("/logout")
@allow(OFFICER)
def logout():  # noqa: ANN201
    logout_user()
    flash(_("Đã đăng xuất"))
    return redirect(url_for("auth.login"))


@bp.get("/lang/<code>")
@allow(PUBLIC)
def language(code: str):  # noqa: ANN201
    if code in ("vi", "en"):
        session["lang"] = code
    target = request.referrer or url_for("inbox.index")
    return redirect(target)

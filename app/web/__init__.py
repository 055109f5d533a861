"""The web layer: blueprints that parse input, check permission, call one service, render."""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from app import settings
from app.domain.deadlines import LABELS_VI as DEADLINE_LABELS
from app.domain.status import DossierStatus
from app.i18n import _l
from app.models import User
from app.models.base import utcnow
from app.services.accounts import sessions
from app.web import server_session
from app.web.i18n import role_label, tr

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
login_manager.localize_callback = str  # the flash keeps text, in the reader's language


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The officer of this cookie, only while its server-side session lives (logout and a
    password change end it: a copy of the cookie is then worth nothing)."""
    return sessions.officer(server_session.token(server_session.OFFICER), int(user_id))


def register(app: Flask) -> None:
    from app.web import request_log

    request_log.init_app(app)  # first: every later hook logs with the request's id
    from app.web import (
        access,
        admin,
        api,
        auth,
        catalog_sync,
        catalogs,
        citizen,
        counter,
        documents,
        dossiers,
        errors,
        formatting,
        headers,
        i18n,
        inbox,
        inputs,
        model_import,
        modeler,
        models,
        notices,
        ops,
        payments_api,
        portal_api,
        public,
        reorganisation,
        reuse_panel,
        supervisor,
        tasks,
    )

    if settings.current.PROXY_HOPS:
        hops = settings.current.PROXY_HOPS
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    inputs.init_app(app)  # the converters first: every rule added below uses them
    ops.init_app(app)  # before the access check: a refused request is timed and counted too
    login_manager.init_app(app)
    access.init_app(app)  # before CSRF: who may use a route is answered first
    csrf.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    notices.init_app(app)
    citizen.init_app(app)
    for blueprint in (
        auth.bp,
        inbox.bp,
        tasks.bp,
        dossiers.bp,
        documents.bp,
        reuse_panel.bp,
        counter.bp,
        supervisor.bp,
        admin.bp,
        reorganisation.bp,
        catalogs.bp,
        catalog_sync.bp,
        notices.bp,
        models.bp,
        model_import.bp,
        modeler.bp,
        citizen.bp,
    ):
        app.register_blueprint(blueprint)
    # The officers' /api/* rides on the session cookie: it needs the X-CSRFToken header. These
    # two take no cookie at all: a shared token and a signature authenticate them.
    csrf.exempt(portal_api.bp)
    csrf.exempt(payments_api.bp)
    app.register_blueprint(payments_api.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(portal_api.bp)
    app.register_blueprint(api.bp)
    access.check_declared(app)
    formatting.init_app(app)
    app.jinja_env.filters["role_name"] = role_label
    app.jinja_env.globals.update(
        role_label=role_label,
        status_label=_status_label,
        deadline_label=lambda code: tr(DEADLINE_LABELS.get(code, "")),
        count_label=_count_label,
        province_name=settings.current.PROVINCE_NAME,
        now=utcnow,
    )


def _count_label(total: int) -> str:
    """A list's total; counts stop past queries.COUNT_CAP ("more than 1.000")."""
    from app.services.dossiers.queries import COUNT_CAP
    from app.web.formatting import number

    if total > COUNT_CAP:
        return f"{number(COUNT_CAP)}+"
    return number(total)


def _status_label(code: int) -> str:
    try:
        return tr(DossierStatus(code).label_vi)
    except ValueError:
        return ""

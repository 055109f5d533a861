"""Who may use each route (phân quyền theo chức năng): every view declares it with `@allow`,
and one check before every request enforces it. Deny by default: an endpoint without a
declaration is refused, and `check_declared` stops the application at start-up listing them.

Rules (any one of a view's rules lets the request through):
- PUBLIC: anyone, signed in or not;
- OFFICER: any signed-in officer (the service still checks agency and role);
- role("admin"), role("analyst", "admin"), ...: a signed-in officer holding one of those roles
  in some agency (the service checks which agency);
- CITIZEN: a citizen signed in through the portal (single sign-on);
- PORTAL: the national portal's calls, with its shared token;
- PAYMENT: the payment platform's callbacks, with a valid signature;
- METRICS: the metrics scraper, with `Authorization: Bearer METRICS_TOKEN`; with no token
  set, only a direct connection from this machine (loopback, no proxy header).
The services keep their own checks: this is the first of two locks, not the only one.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, jsonify, redirect, request, url_for
from flask_login import current_user

from app import settings
from app.domain.roles import ROLE_LABELS_VI
from app.i18n import _, _l
from app.services.core.errors import Forbidden, Unauthorized
from app.web.citizen_session import current_citizen
from app.web.errors import wants_json

PUBLIC = "public"
OFFICER = "officer"
CITIZEN = "citizen"
PORTAL = "portal"
PAYMENT = "payment"
METRICS = "metrics"
ROLE_PREFIX = "role:"
KINDS = (PUBLIC, OFFICER, CITIZEN, PORTAL, PAYMENT, METRICS)
ATTRIBUTE = "access_rules"
# Flask's own endpoint (a bound method: its rule is kept here rather than on the function).
BUILT_IN = {"static": (PUBLIC,)}
PORTAL_TOKEN_HEADER = "X-Portal-Token"  # nosec B105 # the header's name, not a token
LOOPBACK = ("127.0.0.1", "::1")
# Headers a reverse proxy adds: a request carrying one did not come from this machine's own
# scraper, even when the proxy itself connects over loopback.
PROXY_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")

View = TypeVar("View", bound=Callable)


def role(*codes: str) -> tuple[str, ...]:
    """The rules for officers holding any of `codes` (checked against the known roles)."""
    unknown = [c for c in codes if c not in ROLE_LABELS_VI]
    if not codes or unknown:
        raise ValueError(f"unknown roles: {unknown or 'none given'}")
    return tuple(ROLE_PREFIX + code for code in codes)


def allow(*rules: str | tuple[str, ...]) -> Callable[[View], View]:
    """Declare who may use a view: `@allow(OFFICER)`, `@allow(*role("analyst", "admin"))`."""
    flat = tuple(r for rule in rules for r in ((rule,) if isinstance(rule, str) else rule))
    for rule in flat:
        if rule not in KINDS and not (
            rule.startswith(ROLE_PREFIX) and rule[len(ROLE_PREFIX) :] in ROLE_LABELS_VI
        ):
            raise ValueError(f"unknown access rule: {rule}")
    if not flat:
        raise ValueError("a view must allow someone")

    def declare(view: View) -> View:
        setattr(view, ATTRIBUTE, flat)
        return view

    return declare


def rules_of(app: Flask, endpoint: str) -> tuple[str, ...] | None:
    """The declared rules of an endpoint, or None when it has none."""
    if endpoint in BUILT_IN:
        return BUILT_IN[endpoint]
    view = app.view_functions.get(endpoint)
    return getattr(view, ATTRIBUTE, None) if view is not None else None


def undeclared(app: Flask) -> list[str]:
    return sorted(e for e in app.view_functions if rules_of(app, e) is None)


def check_declared(app: Flask) -> None:
    """Refuse to start with a route that does not say who may use it."""
    missing = undeclared(app)
    if missing:
        raise RuntimeError(
            "Routes without an access rule (add @allow(...) in app/web): " + ", ".join(missing)
        )


def _officer_roles() -> set[str]:
    if not current_user.is_authenticated:
        return set()
    return {ROLE_PREFIX + str(r.role) for r in current_user.roles}


def _portal_token_ok() -> bool:
    expected = settings.current.PORTAL_CALLBACK_TOKEN
    given = request.headers.get(PORTAL_TOKEN_HEADER, "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def _payment_signed() -> bool:
    from app.integrations.payment import SIGNATURE_HEADER, verify

    body = request.get_json(silent=True)
    secret = settings.current.PAYMENT_SECRET
    signature = request.headers.get(SIGNATURE_HEADER, "")
    return isinstance(body, dict) and bool(secret) and verify(body, signature, secret)


def _metrics_scraper() -> bool:
    """The bearer token when METRICS_TOKEN is set; otherwise a direct loopback connection."""
    expected = settings.current.METRICS_TOKEN
    if not expected:
        direct = not any(name in request.headers for name in PROXY_HEADERS)
        return direct and request.remote_addr in LOOPBACK
    scheme, _sep, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), expected.encode()
    )


def _citizen_signed_in() -> bool:
    """A citizen's id in the cookie, and their server-side session still alive."""
    return current_citizen() is not None


def _passes(rule: str) -> bool:
    if rule == PUBLIC:
        return True
    if rule == OFFICER:
        return bool(current_user.is_authenticated)
    if rule == CITIZEN:
        return _citizen_signed_in()
    if rule == PORTAL:
        return _portal_token_ok()
    if rule == PAYMENT:
        return _payment_signed()
    if rule == METRICS:
        return _metrics_scraper()
    return rule in _officer_roles()


def _enforce():  # noqa: ANN202
    """The before_request hook: let the request through, or answer why not."""
    if request.url_rule is None:
        return None  # no route matched: Flask answers 404/405 itself
    rules = rules_of(current_app, request.url_rule.endpoint)
    if rules is None:
        raise Forbidden(_l("Chức năng chưa được khai báo quyền truy cập"))
    if any(_passes(rule) for rule in rules):
        return None
    return _refusal(rules)


def _refusal(rules: tuple[str, ...]):  # noqa: ANN202
    for_officers = any(r == OFFICER or r.startswith(ROLE_PREFIX) for r in rules)
    if for_officers and current_user.is_authenticated:
        needed = ", ".join(_(ROLE_LABELS_VI[r[len(ROLE_PREFIX) :]]) for r in rules if r != OFFICER)
        raise Forbidden(
            _l("Bạn không có quyền dùng chức năng này (cần vai trò: %(roles)s)", roles=needed)
        )
    if wants_json() and (for_officers or CITIZEN in rules):
        return jsonify(error=_("Vui lòng đăng nhập")), 401
    if for_officers:
        # the LoginManager set up by app.web (Flask-Login keeps it on the application)
        return current_app.login_manager.unauthorized()
    if CITIZEN in rules:
        return redirect(url_for("citizen.login", next=request.full_path.rstrip("?")))
    if PORTAL in rules:
        raise Forbidden(_l("Sai mã xác thực của Cổng DVCQG"))
    if METRICS in rules:
        raise Unauthorized(_l("Cần mã truy cập số liệu giám sát"))
    raise Forbidden(_l("Chữ ký của thông báo thanh toán không hợp lệ"))


def init_app(app: Flask) -> None:
    """Enforce the declarations before every request (before CSRF: who first, then how)."""
    app.before_request(_enforce)

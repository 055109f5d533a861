"""Pages anyone may open: the dossier lookup (rate-limited) and, since 1 July 2025, the notice
that this system's former public portal has moved to the national portal (003 §IV.3.b)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request, send_from_directory
from redis import Redis
from redis.exceptions import RedisError

from app import settings
from app.i18n import _
from app.services.dossiers import lookup
from app.web.access import PUBLIC, allow

bp = Blueprint("public", __name__)
LOOKUPS_PER_MINUTE = 20


def _allowed() -> bool:
    """At most LOOKUPS_PER_MINUTE lookups per client address per minute (shared through Redis
    by every web process); when Redis is unreachable the lookup is refused, not left open."""
    # the minute starts at a client's first lookup (a fixed window per client)
    key = f"gqtthc:lookup:{request.remote_addr}"
    try:
        redis = Redis.from_url(settings.current.REDIS_URL, socket_timeout=1)
        count = redis.incr(key)
        if count == 1:
            redis.expire(key, 60)
    except RedisError:
        return False
    return count <= LOOKUPS_PER_MINUTE


@bp.get("/tra-cuu")
@allow(PUBLIC)
def lookup_page():  # noqa: ANN201
    """This system's own lookup page; hidden with the rest of the former public portal when it
    is closed (the lookup API below stays for the national portal)."""
    if settings.current.PUBLIC_PORTAL_CLOSED:
        return former_portal("tra-cuu")
    code = request.args.get("ma", "").strip()
    if not code:
        return render_template("public_lookup.html", result=None)
    if not _allowed():
        return render_template("public_lookup.html", result=None, limited=True), 429
    return render_template("public_lookup.html", result=lookup.public_state(code))


@bp.get("/api/public/lookup")
@allow(PUBLIC)
def lookup_api():  # noqa: ANN201
    if not _allowed():
        return jsonify(error=_("Quá nhiều lượt tra cứu; thử lại sau một phút")), 429
    return jsonify(lookup.public_state(request.args.get("code", "")))


@bp.get("/dich-vu-cong")
@bp.get("/dich-vu-cong/<path:rest>")
@allow(PUBLIC)
def former_portal(rest: str = ""):  # noqa: ANN201
    """The old public portal's addresses (search, online submission, lookup, payment)."""
    if not settings.current.PUBLIC_PORTAL_CLOSED:
        return render_template("error.html", message=_("Không tìm thấy trang")), 404
    return moved_notice()


def moved_notice(*, officers_login: bool = False) -> str:
    """The notice that online public services moved to the national portal, which the page
    opens after 10 s (003 §IV.3.b); `officers_login`: with the link to the officers' own
    sign-in page (the site root)."""
    return render_template(
        "public_moved.html",
        target=settings.current.NATIONAL_PORTAL_URL,
        seconds=10,
        officers_login=officers_login,
    )


@bp.get("/favicon.ico")
@allow(PUBLIC)
def favicon():  # noqa: ANN201
    """The site icon where browsers look for it first (the pages also link the SVG)."""
    return send_from_directory(
        current_app.static_folder or "static",
        "favicon.ico",
        mimetype="image/vnd.microsoft.icon",
        max_age=86400,
    )

"""The one place where service errors become HTTP answers: a page, or JSON under /api."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from app.i18n import _
from app.services.core.errors import InvalidModel, ServiceError


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.is_json


def init_app(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):  # noqa: ANN202
        message = exc.message  # already text, in the reader's language (ServiceError reads it)
        if wants_json():
            more = {"problems": exc.problems} if isinstance(exc, InvalidModel) else {}
            return jsonify(error=message, fields=exc.fields, **more), exc.status
        return render_template("error.html", message=message, status=exc.status), exc.status

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):  # noqa: ANN202
        message = _("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ; vui lòng thử lại.")
        if wants_json():
            return jsonify(error=message, fields={}), 400
        return render_template("error.html", message=message, status=400), 400

    @app.errorhandler(404)
    def _not_found(exc):  # noqa: ANN001, ANN202
        if wants_json():
            return jsonify(error=_("Không tìm thấy")), 404
        return render_template("error.html", message=_("Không tìm thấy trang."), status=404), 404

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):  # noqa: ANN202
        """Refusals raised by Werkzeug (bad JSON, too large, wrong method): the same shapes."""
        if exc.code is None or exc.code >= 500:
            return exc
        message = str(exc.description or exc.name)
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        if wants_json():
            return jsonify(error=message), exc.code, headers
        page = render_template("error.html", message=message, status=exc.code)
        return page, exc.code, headers

    @app.errorhandler(RedisError)
    def _redis_down(exc: RedisError):  # noqa: ANN202
        """Redis holds the login throttle and the queue: without it, say so (503), not 500."""
        current_app.logger.warning("Redis unavailable: %s", exc)
        message = _(
            "Hệ thống tạm thời gián đoạn (hàng đợi không phản hồi); vui lòng thử lại sau ít phút."
        )
        if wants_json():
            return jsonify(error=message, fields={}), 503, {"Retry-After": "60"}
        return (
            render_template("error.html", message=message, status=503),
            503,
            {"Retry-After": "60"},
        )

    @app.errorhandler(DBAPIError)
    def _database_gone(exc: DBAPIError):  # noqa: ANN202
        """The database dropped this request's connection (a restart, a failover): nothing was
        saved, so say "try again" (503); the pool replaces the connection. Other database
        errors are bugs (500)."""
        if not exc.connection_invalidated:
            raise exc
        current_app.logger.warning("database connection lost: %s", exc.orig)
        message = _("Hệ thống tạm thời gián đoạn (cơ sở dữ liệu); vui lòng thử lại sau giây lát.")
        if wants_json():
            return jsonify(error=message, fields={}), 503, {"Retry-After": "5"}
        return (
            render_template("error.html", message=message, status=503),
            503,
            {"Retry-After": "5"},
        )

"""Calls the national portal makes to this system (citizen actions), authenticated by a
shared token in `X-Portal-Token`; JSON in, JSON out."""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from app.services import citizen_actions
from app.services.errors import Forbidden, InvalidInput

bp = Blueprint("portal_api", __name__, url_prefix="/api/portal")


@bp.before_request
def _check_token():  # noqa: ANN202
    expected = current_app.config["PORTAL_CALLBACK_TOKEN"]
    given = request.headers.get("X-Portal-Token", "")
    if not expected or not hmac.compare_digest(given, expected):
        raise Forbidden("Sai mã xác thực của Cổng DVCQG / bad portal token")


def _body(action: str) -> dict[str, Any]:
    """The JSON object of the request, carrying only the keys the action defines."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("Cần thân yêu cầu JSON / a JSON body is required")
    citizen_actions.refuse_unknown(body, citizen_actions.FIELDS[action])
    return body


@bp.post("/dossiers/<code>/withdraw")
def withdraw(code: str):  # noqa: ANN201
    body = _body("withdraw")
    status = citizen_actions.withdraw(code, str(body.get("reason") or ""))
    return jsonify(dossier_code=code, status=status)


@bp.post("/dossiers/<code>/supplement")
def supplement(code: str):  # noqa: ANN201
    body = _body("supplement")
    status = citizen_actions.supplement(
        code, str(body.get("note") or ""), body.get("documents") or []
    )
    return jsonify(dossier_code=code, status=status)


@bp.post("/dossiers")
def submit():  # noqa: ANN201
    code = citizen_actions.submit_online(_body("submit"))
    return jsonify(dossier_code=code, status=1), 201


@bp.post("/dossiers/<code>/payment")
def payment(code: str):  # noqa: ANN201
    body = _body("pay")
    if not isinstance(body.get("amount"), int) or isinstance(body["amount"], bool):
        raise InvalidInput("Cần JSON với amount (số nguyên, đồng) và transaction_id")
    status = citizen_actions.pay(code, body["amount"], str(body.get("transaction_id") or ""))
    return jsonify(dossier_code=code, status=status)

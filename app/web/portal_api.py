"""Calls the national portal makes to this system (citizen actions), authenticated by a
shared token in `X-Portal-Token` (checked by app.web.access); JSON in, JSON out."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from app.i18n import _l
from app.services.citizens import actions
from app.services.core.errors import InvalidInput
from app.web.access import PORTAL, allow

bp = Blueprint("portal_api", __name__, url_prefix="/api/portal")


def _body(action: str) -> dict[str, Any]:
    """The JSON object of the request, carrying only the keys the action defines."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput(_l("Cần thân yêu cầu JSON"))
    actions.refuse_unknown(body, actions.FIELDS[action])
    return body


@bp.post("/dossiers/<code>/withdraw")
@allow(PORTAL)
def withdraw(code: str):  # noqa: ANN201
    body = _body("withdraw")
    status = actions.withdraw(code, str(body.get("reason") or ""))
    return jsonify(dossier_code=code, status=status)


@bp.post("/dossiers/<code>/supplement")
@allow(PORTAL)
def supplement(code: str):  # noqa: ANN201
    body = _body("supplement")
    status = actions.supplement(code, str(body.get("note") or ""), body.get("documents") or [])
    return jsonify(dossier_code=code, status=status)


@bp.post("/dossiers")
@allow(PORTAL)
def submit():  # noqa: ANN201
    code = actions.submit_online(_body("submit"))
    return jsonify(dossier_code=code, status=1), 201


@bp.post("/dossiers/<code>/payment")
@allow(PORTAL)
def payment(code: str):  # noqa: ANN201
    body = _body("pay")
    if not isinstance(body.get("amount"), int) or isinstance(body["amount"], bool):
        raise InvalidInput("Cần JSON với amount (số nguyên, đồng) và transaction_id")
    status = actions.pay(code, body["amount"], str(body.get("transaction_id") or ""))
    return jsonify(dossier_code=code, status=status)

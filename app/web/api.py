"""JSON API for the same use cases (session login, checked by app.web.access: 401 without
one; errors as JSON from app.web.errors).

Signed in by the session cookie, so every POST carries the CSRF token in `X-CSRFToken` (from
`GET /api/csrf-token` or any page): another site's form or script cannot act for the officer.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, jsonify, request
from flask_wtf.csrf import generate_csrf

from app.i18n import _l
from app.services.core.errors import InvalidInput
from app.services.dossiers import dossier_queries, national_data, tasks
from app.services.dossiers import inbox as inboxes
from app.web.access import OFFICER, allow
from app.web.actor import current_actor
from app.web.forms import REASON_SUFFIX
from app.web.inputs import page_arg
from app.web.list_query import task_query

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/csrf-token")
@allow(OFFICER)
def csrf_token():  # noqa: ANN201
    """The token to send back in the `X-CSRFToken` header (readable by this site only)."""
    return jsonify(csrf_token=generate_csrf())


@bp.get("/inbox")
@allow(OFFICER)
def inbox():  # noqa: ANN201
    box = inboxes.inbox(current_actor(), task_query(request.args), pool_page=page_arg())
    return jsonify(
        mine=[asdict(t) for t in box.mine],
        pool=[asdict(t) for t in box.pool],
        mine_total=box.mine_total,
        pool_total=box.pool_total,
    )


@bp.post("/tasks/<task_id>/claim")
@allow(OFFICER)
def claim(task_id: str):  # noqa: ANN201
    tasks.claim_task(task_id, current_actor())
    return jsonify(ok=True)


@bp.post("/tasks/<task_id>/complete")
@allow(OFFICER)
def complete(task_id: str):  # noqa: ANN201
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput(_l("Nội dung phải là một đối tượng JSON"))
    actor = current_actor()
    # a field filled from a national database is changed with `<field>__reason` beside it
    # (001 §II.2.b Bước 4), as on the task screen
    national = national_data.for_task(task_id, actor)
    reasons = {
        name: str(data.pop(name + REASON_SUFFIX))
        for name in national.tied
        if isinstance(data.get(name + REASON_SUFFIX), str)
    }
    # an approval names the result draft version its client showed (001 §II.2.b Bước 5)
    seen = request.args.get("result_draft_version")
    version = None if seen is None else int(seen) if seen.isdigit() and len(seen) < 10 else 0
    tasks.complete_task(task_id, actor, data, None, reasons, national, version)
    return jsonify(ok=True)


@bp.get("/dossiers/<code>")
@allow(OFFICER)
def dossier(code: str):  # noqa: ANN201
    detail = dossier_queries.dossier_detail(code, current_actor())
    return jsonify(
        dossier=detail.dossier, tasks=[asdict(t) for t in detail.tasks], events=detail.events
    )

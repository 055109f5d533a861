"""Authorization as a table: every route × every persona, with the outcome each one gets.

A route in `app.url_map` without a row here fails the suite; so does a row whose outcome
changes. Outcomes: ok (the edge and the service let it through: a page, a redirect, or a
validation answer such as 409/422), login (redirect to the officers' login), clogin (redirect
to the citizens' single sign-on), 401, 403, 404 (the object is not one the persona may see).
Path values are real objects of the Sở Tư pháp (tests/web/access_world.py); POSTs carry a
valid CSRF token and an empty body, so nothing is changed by an allowed persona.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
from flask import Flask

from app.web import access, errors
from tests.web.access_world import PERSONAS
from tests.web.helpers import login, token

# One line per route: METHOD path, then the outcome for each persona (columns as below).
TABLE = """
#                                              rec    proc   lead   sup    ana    adm    cit    anon   other
GET /                                          ok     ok     ok     ok     ok     ok     ok     ok     ok
GET /admin/catalogs                            403    403    403    403    ok     ok     login  login  403
POST /admin/catalogs                           403    403    403    403    403    ok     login  login  403
GET /admin/calendar                            403    403    403    403    403    ok     login  login  403
POST /admin/calendar                           403    403    403    403    403    ok     login  login  403
POST /admin/calendar/<int:override_id>/delete  403    403    403    403    403    ok     login  login  403
GET /admin/reorganisation                      403    403    403    403    403    ok     login  login  403
# GET /admin/reorganisation/<int:plan_id>: no plan on record
GET /admin/reorganisation/<int:plan_id>        403    403    403    403    403    404    login  login  403
# GET /admin/reorganisation/<int:plan_id>/dry-run.csv: no plan on record
GET /admin/reorganisation/<int:plan_id>/dry-run.csv 403    403    403    403    403    404    login  login  403
POST /admin/reorganisation/<int:plan_id>/schedule 403    403    403    403    403    ok     login  login  403
POST /admin/reorganisation/check               403    403    403    403    403    ok     login  login  403
POST /admin/reorganisation/record              403    403    403    403    403    ok     login  login  403
GET /admin/units                               403    403    403    403    403    ok     login  login  403
POST /admin/units                              403    403    403    403    403    ok     login  login  403
GET /account/password                          ok     ok     ok     ok     ok     ok     login  login  ok
POST /account/password                         ok     ok     ok     ok     ok     ok     login  login  ok
GET /api/csrf-token                            ok     ok     ok     ok     ok     ok     401    401    ok
GET /api/dossiers/<code>                       ok     ok     ok     ok     ok     ok     401    401    404
GET /api/inbox                                 ok     ok     ok     ok     ok     ok     401    401    ok
POST /api/payments/callback                    403    403    403    403    403    403    403    403    403
POST /api/portal/dossiers                      403    403    403    403    403    403    403    403    403
POST /api/portal/dossiers/<code>/payment       403    403    403    403    403    403    403    403    403
POST /api/portal/dossiers/<code>/supplement    403    403    403    403    403    403    403    403    403
POST /api/portal/dossiers/<code>/withdraw      403    403    403    403    403    403    403    403    403
GET /api/public/lookup                         ok     ok     ok     ok     ok     ok     ok     ok     ok
POST /api/tasks/<task_id>/claim                ok     403    403    403    403    403    401    401    404
POST /api/tasks/<task_id>/complete             ok     403    403    403    403    403    401    401    404
GET /catalogs/<kind>                           403    403    403    403    ok     ok     login  login  403
POST /catalogs/<kind>                          403    403    403    403    ok     ok     login  login  403
GET /catalogs/procedures                       403    403    403    403    ok     ok     login  login  403
GET /catalogs/procedures/<code>                403    403    403    403    ok     ok     login  login  403
POST /catalogs/procedures/<code>               403    403    403    403    ok     ok     login  login  403
# GET and POST /catalogs/procedures/<code>/result-template: <code> is a dossier's, no procedure's
GET /catalogs/procedures/<code>/result-template 403   403    403    403    404    404    login  login  403
POST /catalogs/procedures/<code>/result-template 403  403    403    403    404    404    login  login  403
GET /citizen/                                  clogin clogin clogin clogin clogin clogin ok     clogin clogin
GET /citizen/dossiers/<code>                   clogin clogin clogin clogin clogin clogin ok     clogin clogin
POST /citizen/dossiers/<code>/pay              clogin clogin clogin clogin clogin clogin ok     clogin clogin
# GET /citizen/dossiers/<code>/results/<int:document_id>: a scan, not a result
GET /citizen/dossiers/<code>/results/<int:document_id> clogin clogin clogin clogin clogin clogin 404    clogin clogin
POST /citizen/dossiers/<code>/supplement       clogin clogin clogin clogin clogin clogin ok     clogin clogin
POST /citizen/dossiers/<code>/withdraw         clogin clogin clogin clogin clogin clogin ok     clogin clogin
GET /citizen/login                             ok     ok     ok     ok     ok     ok     ok     ok     ok
GET /citizen/submit/<procedure_code>           clogin clogin clogin clogin clogin clogin ok     clogin clogin
POST /citizen/submit/<procedure_code>          clogin clogin clogin clogin clogin clogin ok     clogin clogin
GET /citizen/welcome                           ok     ok     ok     ok     ok     ok     ok     ok     ok
GET /counter/new                               ok     403    403    403    403    403    login  login  ok
POST /counter/new                              ok     403    403    403    403    403    login  login  ok
GET /dich-vu-cong                              ok     ok     ok     ok     ok     ok     ok     ok     ok
GET /dich-vu-cong/<path:rest>                  ok     ok     ok     ok     ok     ok     ok     ok     ok
# POST /dossiers/<code>/components/<int:component_id>/fetch: no such component of the dossier
POST /dossiers/<code>/components/<int:component_id>/fetch 404    404    404    404    404    404    login  login  404
GET /documents/<int:document_id>               ok     ok     ok     ok     ok     ok     login  login  404
POST /documents/<int:document_id>/certify      ok     ok     403    403    403    403    login  login  404
# POST /documents/<int:document_id>/confirm: the empty form is refused (422) first
POST /documents/<int:document_id>/confirm      ok     ok     ok     ok     ok     ok     login  login  404
# POST /documents/<int:document_id>/metadata: the document lacks nothing (409)
POST /documents/<int:document_id>/metadata     ok     ok     403    403    403    403    login  login  404
POST /documents/<int:document_id>/discard      ok     ok     403    403    403    403    login  login  404
GET /documents/<int:document_id>/file          ok     ok     ok     ok     ok     ok     login  login  404
GET /documents/verify                          ok     ok     ok     ok     ok     ok     login  login  ok
POST /documents/verify                         ok     ok     ok     ok     ok     ok     login  login  ok
GET /dossiers                                  ok     ok     ok     ok     ok     ok     login  login  ok
GET /dossiers/<code>                           ok     ok     ok     ok     ok     ok     login  login  404
POST /dossiers/<code>/apology                  ok     403    ok     403    403    403    login  login  404
GET /dossiers/<code>/documents/new             ok     ok     ok     ok     ok     ok     login  login  404
POST /dossiers/<code>/documents/new            ok     ok     ok     ok     ok     ok     login  login  404
POST /dossiers/<code>/fees                     ok     403    403    403    403    403    login  login  404
GET /dossiers/<code>/reuse                     ok     ok     ok     ok     ok     ok     login  login  404
POST /dossiers/<code>/reuse                    ok     ok     ok     ok     ok     ok     login  login  404
POST /dossiers/<code>/reuse/components         ok     ok     403    403    403    403    login  login  404
GET /dossiers/<code>/slips/<number>.pdf        ok     ok     ok     ok     ok     ok     login  login  404
GET /dossiers/<code>/steps                     ok     ok     ok     ok     ok     ok     login  login  404
POST /dossiers/<code>/transfer                 403    403    ok     ok     403    ok     login  login  403
GET /favicon.ico                               ok     ok     ok     ok     ok     ok     ok     ok     ok
GET /healthz                                   ok     ok     ok     ok     ok     ok     ok     ok     ok
GET /inbox                                     ok     ok     ok     ok     ok     ok     login  login  ok
GET /lang/<code>                               ok     ok     ok     ok     ok     ok     ok     ok     ok
GET /login                                     ok     ok     ok     ok     ok     ok     ok     ok     ok
# POST /login: no password given: the login form's own refusal
POST /login                                    401    401    401    401    401    401    401    401    401
# GET /metrics: the test client connects from loopback and no METRICS_TOKEN is set
GET /metrics                                   ok     ok     ok     ok     ok     ok     ok     ok     ok
GET /models                                    403    403    403    403    ok     ok     login  login  403
POST /models/<process_id>/deploy               403    403    403    403    ok     ok     401    401    403
POST /models/<process_id>/deploy-preview       403    403    403    403    ok     ok     401    401    403
POST /models/<process_id>/drafts               403    403    403    403    ok     ok     401    401    403
GET /models/<process_id>/edit                  403    403    403    403    ok     ok     login  login  403
POST /models/<process_id>/tests                403    403    403    403    ok     ok     401    401    403
POST /models/<process_id>/validate             403    403    403    403    ok     ok     401    401    403
POST /models/check-code                        403    403    403    403    ok     ok     401    401    403
GET /models/diff                               403    403    403    403    ok     ok     login  login  403
POST /models/form-preview                      403    403    403    403    ok     ok     401    401    403
POST /models/import                            403    403    403    403    ok     ok     login  login  403
GET /models/import-foreign                     403    403    403    403    ok     ok     login  login  403
POST /models/import-foreign                    403    403    403    403    ok     ok     login  login  403
POST /models/import-foreign/draft              403    403    403    403    ok     ok     login  login  403
GET /models/migrate                            403    403    403    403    ok     ok     login  login  403
POST /models/migrate                           403    403    403    403    ok     ok     login  login  403
POST /models/procedures/<code>/version         403    403    403    403    ok     ok     login  login  403
GET /models/versions/<int:version_id>.zip      403    403    403    403    ok     ok     login  login  403
GET /notifications                             ok     ok     ok     ok     ok     ok     login  login  ok
POST /notifications/read                       ok     ok     ok     ok     ok     ok     login  login  ok
GET /readyz                                    ok     ok     ok     ok     ok     ok     ok     ok     ok
GET /static/<path:filename>                    ok     ok     ok     ok     ok     ok     ok     ok     ok
GET /supervisor                                403    403    403    ok     403    ok     login  login  403
GET /supervisor/at-risk                        403    403    403    ok     403    ok     login  login  403
GET /supervisor/incidents                      403    403    403    ok     403    ok     login  login  403
# POST /supervisor/incidents/<int:incident_id>/retry: no incident on record
POST /supervisor/incidents/<int:incident_id>/retry 403    403    403    404    403    404    login  login  403
GET /supervisor/procedures/<code>/diagram      403    403    403    ok     403    ok     login  login  403
GET /supervisor/retention                      403    403    403    ok     403    ok     login  login  403
GET /supervisor/statistics                     403    403    403    ok     403    ok     login  login  403
GET /supervisor/tasks                          403    403    403    ok     403    ok     login  login  403
POST /supervisor/tasks/<task_id>/nudge         403    403    403    ok     403    ok     login  login  403
POST /supervisor/tasks/<task_id>/reassign      403    403    403    ok     403    ok     login  login  403
POST /supervisor/tasks/reassign                403    403    403    ok     403    ok     login  login  403
GET /tasks/<task_id>                           ok     ok     ok     ok     ok     ok     login  login  404
# POST /tasks/<task_id>/documents/<int:document_id>/review: the empty form is refused (422)
POST /tasks/<task_id>/documents/<int:document_id>/review ok ok ok ok ok ok login login 404
# GET /tasks/<task_id>/result-preview: the world's task is a reception, no approval
GET /tasks/<task_id>/result-preview            404    404    404    404    404    404    login  login  404
# POST /tasks/<task_id>/result-draft and result-upload: the world's task is a reception
POST /tasks/<task_id>/result-draft              404    404    404    404    404    404    login  login  404
POST /tasks/<task_id>/result-upload             404    404    404    404    404    404    login  login  404
POST /tasks/<task_id>                          ok     403    403    403    403    403    login  login  404
POST /tasks/<task_id>/claim                    ok     403    403    403    403    403    login  login  404
POST /tasks/<task_id>/unclaim                  ok     403    403    403    403    403    login  login  404
# POST /tasks/<task_id>/e-authentication/*: the world's task is a reception, which e-authenticates
# nothing (and there is no such request): 404 for every officer
POST /tasks/<task_id>/e-authentication/send    404    404    404    404    404    404    login  login  404
POST /tasks/<task_id>/e-authentication/<int:authentication_id>/resend 404 404 404 404 404 404 login login 404
POST /tasks/<task_id>/e-authentication/<int:authentication_id>/supplement 404 404 404 404 404 404 login login 404
POST /tasks/<task_id>/e-authentication/counter/<int:document_id> 404 404 404 404 404 404 login login 404
POST /saved-filters                            ok     ok     ok     ok     ok     ok     login  login  ok
# POST /saved-filters/<int:filter_id>/delete: no saved filter on record
POST /saved-filters/<int:filter_id>/delete     404    404    404    404    404    404    login  login  404
GET /tra-cuu                                   ok     ok     ok     ok     ok     ok     ok     ok     ok
# GET /citizen/callback: no SSO state: refused (and the citizen signed out)
GET /citizen/callback                          401    401    401    401    401    401    401    401    401
POST /citizen/logout                           ok     ok     ok     ok     ok     ok     ok     ok     ok
POST /logout                                   ok     ok     ok     ok     ok     ok     login  login  ok
"""

# Routes that end the persona's session (the SSO callback without a state signs out).
SESSION_ENDING = ("POST /logout", "POST /citizen/logout", "GET /citizen/callback")


def _rows() -> dict[str, dict[str, str]]:
    rows = {}
    for line in TABLE.strip().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        method, path, *outcomes = line.split()
        assert len(outcomes) == len(PERSONAS), f"row {method} {path}: {len(outcomes)} columns"
        key = f"{method} {path}"
        assert key not in rows, f"two rows for {key}"
        rows[key] = dict(zip(PERSONAS, outcomes, strict=True))
    return rows


ROWS = _rows()
# Routes that end the persona's session run last.
ORDER = sorted(ROWS, key=lambda key: key in SESSION_ENDING)


def routes(app: Flask) -> dict[str, object]:
    """Every route of the app as "METHOD path" → its rule."""
    return {
        f"{method} {rule.rule}": rule
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    }


def is_json(rule) -> bool:  # noqa: ANN001
    return rule.rule.startswith("/api/") or (
        rule.endpoint.startswith("modeler.") and rule.endpoint != "modeler.edit"
    )


def outcome(response) -> str:  # noqa: ANN001
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        target = urlsplit(response.headers["Location"])
        asked_to_sign_in = "next=" in target.query  # a plain redirect after logout is not
        if target.path == "/login" and asked_to_sign_in:
            return "login"
        if target.path == "/citizen/login" and asked_to_sign_in:
            return "clogin"
    if status in (401, 403, 404) or status >= 500:
        return str(status)
    return "ok"


def call(world, persona: str, key: str, rule):  # noqa: ANN001, ANN201
    client, path = world.clients[persona], world.path(rule)
    if key.startswith("GET "):
        return client.get(path)
    headers = {"X-CSRFToken": world.tokens[persona]}
    if is_json(rule):
        return client.post(path, json={}, headers=headers)
    return client.post(path, data={}, headers=headers)


def test_every_route_has_a_row_and_every_row_a_route(world):
    present = routes(world.app)
    assert sorted(set(present) - set(ROWS)) == [], "routes without a row in TABLE"
    assert sorted(set(ROWS) - set(present)) == [], "rows for routes that no longer exist"


@pytest.mark.parametrize("key", ORDER)
def test_route_answers_each_persona_as_the_table_says(world, key):
    rule = routes(world.app)[key]
    seen = {persona: outcome(call(world, persona, key, rule)) for persona in PERSONAS}
    if os.environ.get("ACCESS_TABLE_PRINT"):
        print("ROW", key, *seen.values())
    assert seen == ROWS[key]


def test_the_app_refuses_to_start_with_a_route_that_declares_no_rule():
    app = Flask(__name__)
    app.add_url_rule("/declared", "declared", access.allow(access.PUBLIC)(lambda: "ok"))
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    with pytest.raises(RuntimeError, match="forgotten"):
        access.check_declared(app)


def test_a_route_without_a_rule_is_refused_at_request_time_too():
    app = Flask(__name__)
    errors.init_app(app)
    access.init_app(app)
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    response = app.test_client().get("/forgotten", headers={"Content-Type": "application/json"})
    assert response.status_code == 403
    assert "secret" not in response.get_data(as_text=True)


def test_an_officer_without_the_role_reads_why_in_vietnamese(world):
    """/models/check-code: analysts and administrators only (it was open to every officer)."""
    for username, status in (("tiepnhan", 403), ("phantich", 200), ("quantri", 200)):
        client = world.app.test_client()  # the table's clients may be logged out by now
        login(client, username)
        response = client.post(
            "/models/check-code",
            json={"kind": "expression", "source": "1 + 1"},
            headers={"X-CSRFToken": token(client, "/login")},
        )
        assert response.status_code == status, username
        if status == 403:
            assert "không có quyền" in response.get_json()["error"]
        else:
            assert response.get_json() == {"ok": True, "problems": []}


def test_an_unknown_rule_or_role_cannot_be_declared():
    with pytest.raises(ValueError):
        access.allow("everyone")
    with pytest.raises(ValueError):
        access.role("superuser")

"""One app, one database and one signed-in client per persona, shared by the route tables
(authorization and hostile input): built once per test module, since logging in nine personas
and seeding a dossier for every route would otherwise dominate the run time."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import select

from app import create_app
from app.models import CalendarOverride, HumanTask, ModelVersion, User
from app.services.accounts import sessions
from app.services.citizens import portal_sign_in
from app.services.core import calendars
from app.services.core.actors import Actor
from app.storage.db import db
from app.web import server_session
from app.web.citizen_session import SESSION_KEY
from tests.conftest import _config, _sqlite_url
from tests.documents.scans import numbered_pdf
from tests.services.helpers import deliver
from tests.web.helpers import login, receive_at_counter, token

# The personas, in the order of the table's columns.
PERSONAS = ("rec", "proc", "lead", "sup", "ana", "adm", "cit", "anon", "other")
OFFICERS = {
    "rec": "tiepnhan",  # reception (một cửa), Sở Tư pháp
    "proc": "chuyenvien",  # processing
    "lead": "lanhdao",  # leader
    "sup": "giamsat",  # supervisor
    "ana": "phantich",  # business analyst
    "adm": "quantri",  # administrator (and supervisor)
    "other": "tiepnhantc",  # reception at the Sở Tài chính: another agency's officer
}
CITIZEN_ID = "001090012345"  # the owner of the dossiers received below
PROCEDURE = "2.000488"


@dataclass
class World:
    app: Flask
    clients: dict[str, FlaskClient]
    tokens: dict[str, str]
    values: dict[str, Any]  # path parameter → a real value from the seeded data
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)  # per route

    def path(self, rule: Any) -> str:
        """The rule's path with real values (the route's own ones first)."""
        given = {**self.values, **self.overrides.get(rule.rule, {})}
        with self.app.test_request_context():
            adapter = self.app.url_map.bind("localhost")
            return adapter.build(rule.endpoint, {a: given[a] for a in rule.arguments})


def build(template, redis_url: str, urls: tuple[str, str, str], tmp) -> World:  # noqa: ANN001
    """The app on a copy of the seeded database, a few objects of the Sở Tư pháp, the
    personas signed in (officers through the login form, the citizen as single sign-on
    leaves them)."""
    Redis.from_url(redis_url).flushdb()
    config = _config(_sqlite_url(template, tmp), redis_url, *urls)
    # The table posts empty login and password forms as every persona: those failures must not
    # throttle the personas' later sign-ins (throttling has its own tests).
    config.LOGIN_DELAY_BASE, config.LOGIN_ACCOUNT_FAILURES, config.LOGIN_ADDRESS_FAILURES = (
        0,
        10**6,
        10**6,
    )
    app = create_app(config)
    clients = {name: app.test_client() for name in PERSONAS}
    for persona, username in OFFICERS.items():
        login(clients[persona], username)
    rec = clients["rec"]
    code = receive_at_counter(rec, owner_id=CITIZEN_ID)
    spare_code = receive_at_counter(rec, owner_id=CITIZEN_ID)
    deliver("portal.check_account", {"exists": True})  # the reception step opens
    document_id, spare_document = _scan(rec, code), _scan(rec, code)
    citizen = portal_sign_in.sign_in(
        {"sub": "VN-000001", "identifier": CITIZEN_ID, "name": "Nguyễn Văn An"}
    )
    with clients["cit"].session_transaction() as session:
        session[SESSION_KEY] = citizen.id
        session[server_session.CITIZEN] = sessions.start_for_citizen(citizen.id)
    with db.transaction() as session:
        task_id = session.scalar(
            select(HumanTask.id)
            .where(HumanTask.dossier.has(code=code))
            .order_by(HumanTask.created_at.desc())
        )
        version_id = session.scalar(select(ModelVersion.id).order_by(ModelVersion.id))
        admin = Actor.of(session.scalar(select(User).where(User.username == "quantri")))
    calendars.add_override(2026, date(2026, 12, 5), "working_day", "bù", admin)
    override_id = _override_id()
    assert task_id, "the dossier has no task"
    values = {
        "code": code,
        "task_id": task_id,
        "document_id": document_id,
        "number": "01",
        "override_id": override_id,
        "plan_id": 999_999,  # no plan on record: the administrator gets 404
        "incident_id": 999_999,  # no incident on record: a supervisor gets 404
        "filter_id": 999_999,  # no saved filter on record: every officer gets 404
        "component_id": 999_999,  # no reused component on record: every officer gets 404
        "authentication_id": 999_999,  # no e-authentication request: every officer gets 404
        "version_id": version_id,
        "process_id": "counter_dossier",
        "kind": "document-types",
        "procedure_code": PROCEDURE,
        "filename": "css/app.css",
        "rest": "tra-cuu",
    }
    overrides = {
        "/lang/<code>": {"code": "vi"},
        "/catalogs/procedures/<code>": {"code": PROCEDURE},
        "/models/procedures/<code>/version": {"code": PROCEDURE},
        "/supervisor/procedures/<code>/diagram": {"code": PROCEDURE},
        "/documents/<int:document_id>/discard": {"document_id": spare_document},
        # the citizen's own actions change the dossier: they act on a second one
        "/citizen/dossiers/<code>/withdraw": {"code": spare_code},
        "/citizen/dossiers/<code>/supplement": {"code": spare_code},
        "/citizen/dossiers/<code>/pay": {"code": spare_code},
        "/api/portal/dossiers/<code>/withdraw": {"code": spare_code},
    }
    tokens = {name: token(client, "/login") for name, client in clients.items()}
    return World(app, clients, tokens, values, overrides)


def _override_id() -> int:
    with db.transaction() as session:
        return session.scalar(select(CalendarOverride.id).order_by(CalendarOverride.id.desc()))


def _scan(client: FlaskClient, code: str) -> int:
    url = f"/dossiers/{code}/documents/new"
    response = client.post(
        url,
        data={
            "type_code": "KQ.G01.000023",
            "classification": "required_by_law",
            "paper_form": "original",
            "paper_count": "1",
            "declared_pages": "1",
            "csrf_token": token(client, url),
            "files": (io.BytesIO(numbered_pdf(1)), "scan.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/documents/(\d+)", response.headers["Location"]).group(1))


def close(world: World) -> None:
    if db.engine is not None:
        db.engine.dispose()
        db.engine = None

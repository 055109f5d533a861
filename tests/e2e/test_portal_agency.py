"""Submissions forwarded by the national portal carry the performing agency the citizen chose
there (002 §4.a Bước 1): the portal simulator refuses a submission without one, and this
system checks it exactly as on its own submission screen (002 §5.a Bước 1)."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import func, select

from app.integrations.simulators import serve_in_thread
from app.integrations.simulators.portal import create_portal_simulator
from app.models import Agency, Dossier
from app.storage.db import db
from config import TestConfig

pytestmark = pytest.mark.simulators
COMMUNE, SO, CENTRE, POLICE = "000.21.33.H31", "000.00.12.H31", "000.00.01.H31", "000.00.07.H31"
COPY = {
    "procedure_code": "1.005092",
    "owner_id_type": "cccd",
    "owner_id": "079095000123",
    "owner_name": "Trần Thị Bình",
    "account_id": "VN-0002",
}
PORTAL_TOKEN = {"X-Portal-Token": TestConfig.PORTAL_CALLBACK_TOKEN}


@pytest.fixture
def portal(app):  # noqa: ANN201
    """The portal simulator forwarding to this system, served for real over HTTP."""
    system_url, stop_system = serve_in_thread(app)
    portal_url, stop_portal = serve_in_thread(create_portal_simulator(system_url=system_url))
    yield portal_url
    stop_portal()
    stop_system()


def _dossiers() -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Dossier))


def _owner(code: str) -> str:
    with db.transaction() as session:
        return session.scalar(select(Dossier).where(Dossier.code == code)).agency.code


def test_the_portal_forwards_the_agency_chosen_and_the_dossier_belongs_to_it(portal, actors):
    for chosen in (COMMUNE, SO):
        sent = requests.post(
            f"{portal}/api/citizen/dossiers", json=COPY | {"agency_code": chosen}, timeout=10
        )
        assert sent.status_code == 201, sent.text
        assert _owner(sent.json()["dossier_code"]) == chosen


@pytest.mark.parametrize("agency_code", [None, "", "xã Tân Hưng", 33, ["000.21.33.H31"]])
def test_the_portal_refuses_a_submission_without_a_well_formed_agency(portal, agency_code):
    before = _dossiers()
    body = COPY | ({} if agency_code is None else {"agency_code": agency_code})
    refused = requests.post(f"{portal}/api/citizen/dossiers", json=body, timeout=10)
    assert refused.status_code == 400 and "agency_code" in refused.json()["error"]
    assert _dossiers() == before


@pytest.mark.parametrize(
    ("agency_code", "message"),
    [
        (POLICE, "không thực hiện thủ tục này"),
        (CENTRE, "không thực hiện thủ tục này"),
        ("999.99.99.Z99", "không thực hiện thủ tục này"),
    ],
)
def test_an_agency_that_does_not_perform_the_procedure_is_refused_by_this_system(
    portal, agency_code, message
):
    before = _dossiers()
    body = COPY | {"agency_code": agency_code}
    refused = requests.post(f"{portal}/api/citizen/dossiers", json=body, timeout=10)
    assert refused.status_code == 422 and message in refused.json()["fields"]["agency"]
    assert _dossiers() == before


def test_a_forwarded_submission_for_a_closed_agency_is_refused_naming_it(client):
    with db.transaction() as session:
        session.scalar(select(Agency).where(Agency.code == COMMUNE)).active = False
    before = _dossiers()
    refused = client.post(
        "/api/portal/dossiers", json=COPY | {"agency_code": COMMUNE}, headers=PORTAL_TOKEN
    )
    assert refused.status_code == 422
    assert "đã ngừng hoạt động" in refused.get_json()["fields"]["agency"]
    assert _dossiers() == before


def test_without_an_agency_the_api_refuses_a_procedure_several_agencies_perform(client):
    before = _dossiers()
    refused = client.post("/api/portal/dossiers", json=COPY, headers=PORTAL_TOKEN)
    assert refused.status_code == 422
    assert "nhiều cơ quan thực hiện" in refused.get_json()["fields"]["agency"]
    assert _dossiers() == before

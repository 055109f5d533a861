"""Owners other than a CCCD holder at the counter, with the account check run for real: the
worker asks the portal simulator over HTTP (001 §II.1 Bước 2, §II.2.a).

- a state agency is owner type 3, identified by its agency code;
- a passport holder (a foreigner) is looked up on the portal by passport number and name."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Dossier
from app.services.core.errors import InvalidInput
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from app.storage.db import db
from tests.services.helpers import open_task, settle

pytestmark = pytest.mark.simulators

AGENCY = ("agency_code", "000.00.15.H31", "Trường Trung học phổ thông Hưng Yên")
PASSPORT = ("passport", "C1234567", "Phạm Minh Đức")


def _receive(actor, kind: str, value: str, name: str, **kw) -> str:
    return receive_dossier(ReceiveDossier("2.000488", kind, value, name, **kw), actor)


def _dossier(code: str) -> Dossier:
    with db.transaction() as session:
        return session.scalar(select(Dossier).where(Dossier.code == code))


def _next_step(drain, clock, code: str) -> str:
    """The step the account check leads to: reception (account found) or creating one."""

    def reached() -> str | None:
        for step in ("reception", "create_portal_account"):
            if open_task(code, step) is not None:
                return step
        return None

    return str(settle(drain, clock, reached))


def test_001_II_1_step_2_a_state_agency_owns_a_dossier_as_owner_type_3(actors):
    code = _receive(actors["tiepnhan"], "agency_code", "000.00.15.h31", AGENCY[2])
    dossier = _dossier(code)
    assert (dossier.owner_type, dossier.owner_id_type, dossier.owner_id) == (
        3,
        "agency_code",
        "000.00.15.H31",
    )


@pytest.mark.parametrize("value", ["000.00.15", "H31.15.00.000", "0101243150", "<script>"])
def test_a_wrong_agency_code_is_refused_on_the_identifier_field(actors, value):
    with pytest.raises(InvalidInput) as refused:
        _receive(actors["tiepnhan"], "agency_code", value, AGENCY[2])
    assert "000.00.12.H31" in refused.value.fields["owner_id"]


@pytest.mark.parametrize("kind", ["agency_code", "tax_code", "anything"])
def test_a_grantee_under_a_power_of_attorney_is_a_person_never_an_agency(actors, kind):
    proxy = {"id_type": kind, "id": "000.00.16.H31", "name": "Văn phòng"}
    with pytest.raises(InvalidInput) as refused:
        _receive(actors["tiepnhan"], *AGENCY, proxy=proxy)
    assert set(refused.value.fields) == {"proxy_id"}


def test_an_agency_with_a_portal_account_goes_straight_to_reception(actors, drain, clock):
    code = _receive(actors["tiepnhan"], *AGENCY)
    assert _next_step(drain, clock, code) == "reception"


def test_an_agency_without_a_portal_account_is_offered_one(actors, drain, clock):
    code = _receive(actors["tiepnhan"], "agency_code", "000.00.99.H31", "Ban quản lý dự án")
    assert _next_step(drain, clock, code) == "create_portal_account"


def test_a_passport_holder_with_a_portal_account_goes_straight_to_reception(actors, drain, clock):
    code = _receive(actors["tiepnhan"], "passport", "c1234567", "PHẠM  MINH ĐỨC")
    assert _dossier(code).owner_id == "C1234567"
    assert _next_step(drain, clock, code) == "reception"


def test_a_passport_under_another_name_is_not_taken_for_that_account(actors, drain, clock):
    code = _receive(actors["tiepnhan"], "passport", "C1234567", "Phạm Minh Đăng")
    assert _next_step(drain, clock, code) == "create_portal_account"


def test_an_unknown_passport_is_offered_an_account(actors, drain, clock):
    code = _receive(actors["tiepnhan"], "passport", "B7654321", "John Smith")
    assert _next_step(drain, clock, code) == "create_portal_account"

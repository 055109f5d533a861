"""A reused or looked-up document must belong to the dossier's owner (or, under a power of
attorney, the grantor): one that names someone else is flagged with what differs and is
attached only with the officer's reason, which is audited."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from app.domain.document_owner import fingerprint
from app.models import AuditEvent, CitizenAccount, Dossier, DossierComponent
from app.services.core.errors import Conflict, InvalidInput
from app.services.documents import reuse
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from app.storage.db import db
from tests.services.helpers import receive

pytestmark = pytest.mark.simulators
CCCD = "KQ.G01.000023"
AN = "001090012345"
REASON = "Bản giấy đã đối chiếu: thẻ cấp lại, CSDL chưa cập nhật"


def only_wrong_card(national_url: str, **who) -> None:
    """The national DB answers a lookup for the owner with this record first (by default the
    ID card of another person)."""
    requests.post(
        f"{national_url}/_sim/records",
        json={
            "served_for": who.pop("served_for", AN),
            "owner_id": who.get("owner_id", "079095000123"),
            "type_code": CCCD,
            "name": "Thẻ căn cước công dân",
            "full_name": who.get("full_name", "Nguyễn Thị Hồng Nhung"),
            "fields": {"document_number": "079095000123", "birth_date": who.get("birth")},
        },
        timeout=5,
    ).raise_for_status()


def link_account(code: str, birth_date: str) -> None:
    with db.transaction() as session:
        account = CitizenAccount(
            portal_account_id=f"VN-{code}",
            identifier_type="cccd",
            identifier=AN,
            full_name="Nguyễn Văn An",
            birth_date=birth_date,
        )
        session.add(account)
        session.flush()
        session.scalar(select(Dossier).where(Dossier.code == code)).citizen_account_id = account.id


def events(kind: str) -> list[AuditEvent]:
    with db.transaction() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.kind == kind)))


def test_the_owners_own_card_is_not_flagged(actors):
    officer = actors["tiepnhan"]
    code = receive(officer)
    link_account(code, "1990-05-12")
    result = reuse.lookup(code, CCCD, officer)
    assert result.found.source == "national" and result.differences == {}
    attached = reuse.attach(code, "national", result.found.ref, CCCD, True, {}, officer)
    assert attached["owner_override"] is False


def test_a_card_of_another_person_is_flagged_with_each_difference(actors, national_url):
    officer = actors["tiepnhan"]
    code = receive(officer)
    link_account(code, "1990-05-12")
    only_wrong_card(national_url, birth="1995-07-21")
    result = reuse.lookup(code, CCCD, officer)
    assert result.found.owner_id == "079095000123"  # what the record says, not what was asked
    assert {k: (d["expected"], d["found"]) for k, d in result.differences.items()} == {
        "owner_id": (AN, "079095000123"),
        "full_name": ("Nguyễn Văn An", "Nguyễn Thị Hồng Nhung"),
        "birth_date": ("1990-05-12", "1995-07-21"),
    }


def test_a_different_birth_date_alone_is_flagged(actors, national_url):
    officer = actors["tiepnhan"]
    code = receive(officer)
    link_account(code, "1990-05-12")
    only_wrong_card(national_url, owner_id=AN, full_name="Nguyễn Văn An", birth="1990-02-03")
    assert set(reuse.lookup(code, CCCD, officer).differences) == {"birth_date"}


def test_a_name_differing_only_in_case_spaces_or_unicode_form_is_the_same(actors, national_url):
    officer = actors["tiepnhan"]
    code = receive(officer)
    decomposed = "NGUYE\u0302\u0303N  va\u0306n AN"  # NFD, upper case, two spaces
    only_wrong_card(national_url, owner_id=AN, full_name=decomposed)
    assert reuse.lookup(code, CCCD, officer).differences == {}
    only_wrong_card(national_url, owner_id=AN, full_name="Nguyễn Văn Ân")
    assert set(reuse.lookup(code, CCCD, officer).differences) == {"full_name"}


def test_attaching_another_persons_card_needs_a_bounded_reason(actors, national_url):
    officer = actors["tiepnhan"]
    code = receive(officer)
    only_wrong_card(national_url)
    result = reuse.lookup(code, CCCD, officer)
    ref, seen = result.found.ref, result.fingerprint
    for reason in ("", "   ", "ngắn", "x" * 501):
        with pytest.raises(InvalidInput) as exc:
            reuse.attach(code, "national", ref, CCCD, True, {}, officer, reason, seen)
        assert "override_reason" in exc.value.fields
    with db.transaction() as session:
        assert session.scalar(select(DossierComponent.id)) is None
    assert events("component_owner_override") == []


def test_an_override_for_other_differences_than_those_seen_is_refused(actors, national_url):
    officer = actors["tiepnhan"]
    code = receive(officer)
    only_wrong_card(national_url)
    ref = reuse.lookup(code, CCCD, officer).found.ref
    for forged in ("", "0" * 32, fingerprint(ref, {})):
        with pytest.raises(InvalidInput, match="xem lại"):
            reuse.attach(code, "national", ref, CCCD, True, {}, officer, REASON, forged)


def test_the_override_is_attached_and_audited_with_who_what_and_why(actors, national_url):
    officer = actors["tiepnhan"]
    code = receive(officer)
    only_wrong_card(national_url)
    result = reuse.lookup(code, CCCD, officer)
    attached = reuse.attach(
        code,
        "national",
        result.found.ref,
        CCCD,
        True,
        {},
        officer,
        f"  {REASON}  ",
        result.fingerprint,
    )
    assert attached["owner_override"] is True
    [event] = events("component_owner_override")
    assert (event.actor_id, event.actor_name) == (officer.id, officer.name)
    assert event.data["reason"] == REASON
    assert set(event.data["differences"]) == {"owner_id", "full_name"}
    assert event.data["ref"] == result.found.ref
    [listed] = reuse.components_of(code, officer)
    assert listed["mismatch"] == {}  # the paper/national list is apart from the owner check
    assert listed["owner_check"]["override"]["reason"] == REASON
    assert listed["owner_check"]["override"]["by_id"] == officer.id


def test_a_replayed_attach_is_refused(actors, national_url):
    officer = actors["tiepnhan"]
    code = receive(officer)
    found = reuse.lookup(code, CCCD, officer).found
    reuse.attach(code, "national", found.ref, CCCD, True, {}, officer)
    with pytest.raises(Conflict):
        reuse.attach(code, "national", found.ref, CCCD, True, {}, officer)
    with db.transaction() as session:
        assert len(session.scalars(select(DossierComponent)).all()) == 1


def test_a_document_not_offered_cannot_be_attached(actors):
    officer = actors["tiepnhan"]
    code = receive(officer)
    result = reuse.lookup(code, CCCD, officer)
    for source, ref in (("national", "NAT-00003"), ("own", "1"), ("portal", result.found.ref)):
        with pytest.raises(InvalidInput):
            reuse.check_offered(result, source, ref)
    reuse.check_offered(result, "national", result.found.ref)


def test_under_a_proxy_documents_must_be_the_grantors_not_the_proxys(actors, national_url):
    officer = actors["tiepnhan"]
    code = receive_dossier(
        ReceiveDossier(
            "2.000488",
            "cccd",
            AN,
            "Nguyễn Văn An",
            proxy={"id_type": "cccd", "id": "079095000123", "name": "Nguyễn Thị Hồng Nhung"},
        ),
        officer,
    )
    assert reuse.lookup(code, CCCD, officer).differences == {}  # the grantor's own card
    only_wrong_card(national_url)  # the proxy's card, answered for the grantor
    result = reuse.lookup(code, CCCD, officer)
    assert result.expected.role == "grantor" and result.expected.identifier == AN
    assert set(result.differences) == {"owner_id", "full_name"}
    assert result.proxy_document is True

"""Path C1 (a commune counter receives for the provincial agency, paper by BCCI both ways) and
the account check under a power of attorney."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Agency, AuditEvent, CitizenAccount, Dossier, HumanTask, PaperShipment
from app.services.core.errors import InvalidInput
from app.services.dossiers import dossier_queries, inbox, queries
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from app.storage.db import db
from tests.services.helpers import PORTAL_ACCOUNT, complete, deliver, open_task

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}


def agency_of(task: HumanTask) -> str:
    with db.transaction() as session:
        return session.get(Agency, task.agency_id).code


def shipments(code: str) -> list[tuple[str, str, str, str, bool]]:
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        codes = dict(session.execute(select(Agency.id, Agency.code)).all())
        return [
            (
                s.direction,
                s.tracking_code,
                codes[s.from_agency_id],
                codes[s.to_agency_id],
                s.received_at is not None,
            )
            for s in session.scalars(
                select(PaperShipment)
                .where(PaperShipment.dossier_id == dossier.id)
                .order_by(PaperShipment.id)
            )
        ]


COMMUNE, SO = "000.21.33.H31", "000.00.12.H31"


def test_a_commune_counter_receives_for_the_so_and_the_paper_travels_by_bcci(actors):
    commune = actors["xatanhung"]
    listed = {p["code"]: p["for"] for p in queries.procedures_for(commune)}
    assert listed["2.000488"] == "Sở Tư pháp tỉnh Hưng Yên"
    code = receive_dossier(
        ReceiveDossier("2.000488", "cccd", "001090012345", "Nguyễn Văn An"), commune
    )
    # the dossier belongs to the competent agency; the commune is where it was received
    assert code.startswith(SO + "-")
    deliver("portal.check_account", {"exists": True})
    reception = open_task(code, "reception")
    assert agency_of(reception) == COMMUNE
    # the Sở's counter does not get the commune's step
    assert code not in {t.dossier_code for t in inbox.inbox(actors["tiepnhan"]).pool}
    complete(code, "reception", commune, RECEPTION)

    # the commune hands the paper to BCCI; a malformed tracking code is refused
    assert agency_of(open_task(code, "hand_to_bcci")) == COMMUNE
    with pytest.raises(InvalidInput) as refused:
        complete(code, "hand_to_bcci", commune, {"tracking_code": "EB 12", "item_count": 2})
    assert "tracking_code" in refused.value.fields
    complete(code, "hand_to_bcci", commune, {"tracking_code": "eb123456789vn", "item_count": 2})
    assert shipments(code) == [("dossier", "EB123456789VN", COMMUNE, SO, False)]

    # the Sở's counter receives it; the code on the parcel must match
    arrival = open_task(code, "receive_from_bcci")
    assert agency_of(arrival) == SO
    with pytest.raises(InvalidInput) as mismatch:
        complete(
            code,
            "receive_from_bcci",
            actors["tiepnhan"],
            {"received_tracking_code": "EB000000000VN"},
        )
    assert "không khớp" in mismatch.value.message
    assert open_task(code, "receive_from_bcci") is not None  # nothing moved
    complete(
        code, "receive_from_bcci", actors["tiepnhan"], {"received_tracking_code": "EB123456789VN"}
    )
    assert shipments(code)[0][-1] is True

    # processed at the Sở
    assert agency_of(open_task(code, "appraisal")) == SO
    complete(
        code, "appraisal", actors["chuyenvien"], {"decision": "accept", "appraisal_note": "Đủ"}
    )
    complete(
        code,
        "approval",
        actors["lanhdao"],
        {"approval_decision": "approve", "result_name": "Phiếu lý lịch tư pháp số 1"},
    )
    deliver("warehouse.store_result", {"document_id": "DOC-1", "key": "k"})

    # the paper result goes back to the commune, which returns it
    assert agency_of(open_task(code, "hand_to_bcci")) == SO
    complete(
        code,
        "hand_to_bcci",
        actors["tiepnhan"],
        {"tracking_code": "EB987654321VN", "item_count": 1},
    )
    assert agency_of(open_task(code, "receive_from_bcci")) == COMMUNE
    complete(code, "receive_from_bcci", commune, {"received_tracking_code": "EB987654321VN"})
    assert agency_of(open_task(code, "return_result")) == COMMUNE
    complete(code, "return_result", commune, {"return_method": "post", "receiver_name": "An"})
    assert shipments(code) == [
        ("dossier", "EB123456789VN", COMMUNE, SO, True),
        ("result", "EB987654321VN", SO, COMMUNE, True),
    ]
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        assert dossier.status == 10 and dossier.receiving_agency.code == COMMUNE
    # both ends follow the dossier
    assert dossier_queries.dossier_detail(code, commune).dossier["receiving_agency_name"]
    assert [
        s["direction"] for s in dossier_queries.dossier_detail(code, actors["giamsat"]).shipments
    ] == [
        "dossier",
        "result",
    ]
    assert code in {d["code"] for d in dossier_queries.list_dossiers(commune)[0]}


def test_a_counter_of_another_province_or_a_procedure_not_received_anywhere_is_refused(actors):
    from app.services.core.errors import Forbidden

    with pytest.raises(Forbidden):
        receive_dossier(
            ReceiveDossier("2.001610", "cccd", "001090012345", "Nguyễn Văn An"),
            actors["xatanhung"],
        )


def test_under_a_power_of_attorney_the_grantors_account_is_checked_and_linked(actors):
    code = receive_dossier(
        ReceiveDossier(
            "2.000488",
            "cccd",
            "001090012345",
            "Nguyễn Văn An",
            proxy={"id_type": "cccd", "id": "033185004321", "name": "  Lê Thị   Mai "},
        ),
        actors["tiepnhan"],
    )
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        assert dossier.data["proxy"] == {
            "id_type": "cccd",
            "id": "033185004321",
            "name": "Lê Thị Mai",
        }
        check = session.scalar(
            select(AuditEvent).where(
                AuditEvent.dossier_id == dossier.id, AuditEvent.kind == "service_call_requested"
            )
        )
        assert check.data["operator"] == "portal.check_account"
    deliver("portal.check_account", {"exists": True})
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        citizen = session.get(CitizenAccount, dossier.citizen_account_id)
        # the account is the grantor's, not the grantee's who came to the counter
        assert citizen.identifier == "001090012345" == PORTAL_ACCOUNT["identifier"]
        assert dossier.portal_account_id == PORTAL_ACCOUNT["id"]


@pytest.mark.parametrize(
    ("proxy", "field"),
    [
        ({"id_type": "cccd", "id": "123", "name": "Lê Thị Mai"}, "proxy_id"),
        ({"id_type": "cccd", "id": "001090012345", "name": "Lê Thị Mai"}, "proxy_id"),
        ({"id_type": "cccd", "id": "033185004321", "name": " "}, "proxy_name"),
    ],
)
def test_a_bad_power_of_attorney_is_refused_and_nothing_is_received(actors, proxy, field):
    with pytest.raises(InvalidInput) as refused:
        receive_dossier(
            ReceiveDossier("2.000488", "cccd", "001090012345", "Nguyễn Văn An", proxy=proxy),
            actors["tiepnhan"],
        )
    assert field in refused.value.fields
    with db.transaction() as session:
        assert session.scalar(select(Dossier.id)) is None


def test_a_second_dossier_updates_the_local_account_from_the_portal(actors):
    first = receive_dossier(
        ReceiveDossier("2.000488", "cccd", "001090012345", "Nguyễn Văn An"), actors["tiepnhan"]
    )
    deliver("portal.check_account", {"exists": True})
    moved = {**PORTAL_ACCOUNT, "permanent_address": "Phường Phố Hiến, tỉnh Hưng Yên"}
    second = receive_dossier(
        ReceiveDossier("2.000488", "cccd", "001090012345", "Nguyễn Văn An"), actors["tiepnhan"]
    )
    deliver("portal.check_account", {"exists": True, "account": moved})
    with db.transaction() as session:
        ids = {
            session.scalar(select(Dossier.citizen_account_id).where(Dossier.code == c))
            for c in (first, second)
        }
        assert len(ids) == 1  # one local account, linked to both
        citizen = session.get(CitizenAccount, ids.pop())
        assert citizen.address == "Phường Phố Hiến, tỉnh Hưng Yên"
        kinds = [
            e.kind
            for e in session.scalars(
                select(AuditEvent)
                .where(AuditEvent.kind.like("citizen_account_%"))
                .order_by(AuditEvent.id)
            )
        ]
        assert kinds == ["citizen_account_created", "citizen_account_updated"]
    reception = open_task(second, "reception")
    assert reception.form["properties"]["applicant_address"]["default"] == citizen.address


def test_an_online_dossier_whose_fee_is_not_paid_in_time_stops_with_status_8(actors, clock):
    from app.services.citizens import actions
    from app.services.core.errors import Conflict
    from app.services.dossiers.timers import fire_due_timers

    clock.freeze()
    code = receive_dossier(
        ReceiveDossier(
            "2.000488",
            "cccd",
            "001090012345",
            "Nguyễn Văn An",
            channel="online",
            extra={"payment_wait": "PT1H"},
        ),
        actions.PORTAL,
    )
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    with db.transaction() as session:
        assert session.scalar(select(Dossier.status).where(Dossier.code == code)) == 6
    clock.advance(3599)
    assert fire_due_timers() == 0
    clock.advance(2)
    assert fire_due_timers() == 1
    with db.transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        assert dossier.status == 8 and dossier.finished_at is not None
    # a payment arriving after the stop is refused with a message
    with pytest.raises(Conflict, match="không chờ nộp phí"):
        actions.pay(code, 200_000, "PAY-LATE")

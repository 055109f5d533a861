"""`assignToPerformerOf`: a step comes back to the officer who did the step the model names
(the supplement round returns to the officer who asked), only while that officer is active
and holds the step's role in the step's agency; otherwise the step waits in the pool."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from werkzeug.security import generate_password_hash

from app.models import Procedure, User, UserRole
from app.services.core.actors import Actor
from app.services.dossiers import inbox as queries
from app.services.process_models.deploy import deploy, read_bundle
from app.storage.db import db
from config import ROOT
from tests.services.helpers import complete, deliver, notices_of, open_task, receive

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}
SUPPLEMENT = {
    "decision": "supplement",
    "appraisal_note": "Thiếu xác nhận cư trú",
    "supplement_request": "Nộp giấy xác nhận cư trú",
}


def colleague(of: str, role: str, username: str, full_name: str) -> Actor:
    """Another officer holding `role` in the agency where `of` holds it, so that the pool has
    a choice and only the model's property can pick the right one."""
    with db.transaction() as session:
        agency_id = session.scalar(
            select(UserRole.agency_id)
            .join(User, User.id == UserRole.user_id)
            .where(User.username == of, UserRole.role == role)
        )
        user = User(
            username=username,
            full_name=full_name,
            agency_id=agency_id,
            email=f"{username}@demo.gqtthc.local",
            password_hash=generate_password_hash("x"),
        )
        user.roles = [UserRole(role=role, agency_id=agency_id)]
        session.add(user)
        session.flush()
        return Actor.of(user)


def second_processing_officer() -> Actor:
    return colleague("chuyenvien", "processing", "chuyenvien2", "Phan Văn Đức")


def asked_for_supplement(actors: dict[str, Actor], officer: Actor) -> str:
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    complete(code, "appraisal", officer, SUPPLEMENT)
    return code


def test_the_supplement_round_returns_to_the_officer_who_asked(actors):
    asker = second_processing_officer()
    code = asked_for_supplement(actors, asker)
    complete(code, "receive_supplement", actors["tiepnhan"], {"supplement_received": True})
    appraisal = open_task(code, "appraisal")
    assert appraisal.assignee_id == asker.id and appraisal.claimed_at is not None
    assert code in {t.dossier_code for t in queries.inbox(asker).mine}
    assert code not in {t.dossier_code for t in queries.inbox(actors["chuyenvien"]).pool}
    assert f"Hồ sơ {code} quay lại với bạn: «Thẩm định hồ sơ»" in notices_of("chuyenvien2")
    assert not any(code in m for m in notices_of("chuyenvien"))


def test_the_first_appraisal_has_no_performer_yet_and_waits_in_the_pool(actors):
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    assert open_task(code, "appraisal").assignee_id is None


def test_a_refusal_the_leader_returns_goes_back_to_the_officer_who_proposed_it(actors):
    proposer = second_processing_officer()
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    complete(code, "appraisal", proposer, {"decision": "refuse", "appraisal_note": "Không đủ"})
    complete(
        code,
        "refusal_approval",
        actors["lanhdao"],
        {"refusal_decision": "return", "refusal_note": "Đủ điều kiện, thẩm định lại"},
    )
    assert open_task(code, "appraisal").assignee_id == proposer.id


def test_an_officer_who_left_the_role_or_was_deactivated_is_not_given_the_step(actors):
    for change in ("role_moved", "deactivated"):
        asker = actors["chuyenvien"]
        code = asked_for_supplement(actors, asker)
        with db.transaction() as session:
            if change == "role_moved":
                # the officer now holds the leader role of the same agency, not processing
                session.execute(
                    update(UserRole)
                    .where(UserRole.user_id == asker.id, UserRole.role == "processing")
                    .values(role="leader")
                )
            else:
                session.execute(update(User).where(User.id == asker.id).values(active=False))
        complete(code, "receive_supplement", actors["tiepnhan"], {"supplement_received": True})
        assert open_task(code, "appraisal").assignee_id is None, change
        assert not any(f"{code} quay lại" in m for m in notices_of("chuyenvien")), change
        with db.transaction() as session:
            session.execute(update(User).where(User.id == asker.id).values(active=True))
            session.execute(
                update(UserRole)
                .where(UserRole.user_id == asker.id, UserRole.role == "leader")
                .values(role="processing")
            )


def test_an_officer_holding_the_role_in_another_agency_is_not_given_the_step(actors):
    asker = actors["chuyenvien"]
    code = asked_for_supplement(actors, asker)
    other = actors["congan"].agency_id
    with db.transaction() as session:
        session.execute(
            update(UserRole)
            .where(UserRole.user_id == asker.id, UserRole.role == "processing")
            .values(agency_id=other)
        )
    complete(code, "receive_supplement", actors["tiepnhan"], {"supplement_received": True})
    assert open_task(code, "appraisal").assignee_id is None


def test_a_model_cannot_hand_a_step_to_an_officer_without_its_role(actors):
    """The analyst points the appraisal at the counter officer's reception step: the counter
    officer has no processing role, so the appraisal stays in the processing pool."""
    files = read_bundle(ROOT / "bpmn")
    files["counter_dossier.bpmn"] = files["counter_dossier.bpmn"].replace(
        'name="assignToPerformerOf" value="appraisal"',
        'name="assignToPerformerOf" value="reception"',
    )
    with db.transaction() as session:
        version = deploy(session, files, process_id="counter_dossier", name="x", deployed_by="test")
        session.execute(
            update(Procedure)
            .where(Procedure.code == "2.000488")
            .values(model_version_id=version.id)
        )
        # the counter officer holds no processing role anywhere
        session.execute(
            delete(UserRole).where(
                UserRole.user_id == actors["tiepnhan"].id, UserRole.role == "processing"
            )
        )
    code = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(code, "reception", actors["tiepnhan"], RECEPTION)
    appraisal = open_task(code, "appraisal")
    assert appraisal is not None and appraisal.assignee_id is None
    assert code in {t.dossier_code for t in queries.inbox(actors["chuyenvien"]).pool}

"""A province before the two-level reform, for the reorganisation tests: three communes (X1,
X2, X3) about to merge into one new commune (M) and a district (D, with its justice section
D.TP) about to be abolished into it; officers in each; dossiers in every state."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from app.domain.reorganisation import plan_from_json
from app.models import Agency, HumanTask, Procedure, User, UserRole
from app.services.citizens import actions
from app.services.core.actors import Actor
from app.services.dossiers import tasks
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from app.storage.db import db
from tests.services.helpers import complete, deliver, open_task

PROVINCE = "000.00.00.H31"
PASSWORD_HASH = generate_password_hash("demo1234")  # the demo officers' password
RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}
AGENCIES = [
    # code, name, parent, level, admin unit
    ("X1", "UBND xã Hồng Nam", PROVINCE, 3, "12337"),
    ("X2", "UBND xã Liên Phương", PROVINCE, 3, "12361"),
    ("X3", "UBND xã Quảng Châu", PROVINCE, 3, "12391"),
    ("D", "UBND huyện Tiên Lữ", PROVINCE, 2, ""),
    ("D.TP", "Phòng Tư pháp huyện Tiên Lữ", "D", 4, ""),
]
OFFICERS = [
    ("tn1", "Phạm Văn Một", "X1", ["reception"]),
    ("cv1", "Nguyễn Thị Hai", "X1", ["processing"]),
    ("ld1", "Trần Văn Ba", "X1", ["leader"]),
    ("tn2", "Lê Thị Bốn", "X2", ["reception"]),
    ("cv2", "Hoàng Văn Năm", "X2", ["processing"]),
    ("ld2", "Vũ Thị Sáu", "X2", ["leader"]),
    ("tn3", "Đỗ Văn Bảy", "X3", ["reception", "leader"]),
    ("cv3", "Mai Văn Tư", "X3", ["processing"]),
    ("dtn", "Bùi Thị Tám", "D", ["reception"]),
    ("dld", "Đặng Văn Chín", "D", ["leader"]),
    ("dcv", "Ngô Thị Mười", "D.TP", ["processing"]),
]


def plan_body(**changes) -> dict:
    body = {
        "name": "Sắp xếp xã Hồng Nam, Liên Phương, Quảng Châu và huyện Tiên Lữ",
        "cutover_at": "2025-07-01T00:00:00+07:00",
        "new_agencies": [
            {
                "code": "M",
                "name": "UBND xã Tiên Lữ",
                "parent": PROVINCE,
                "level": 3,
                "admin_unit_code": "12364",
            },
            {
                "code": "M.TP",
                "name": "Phòng Văn hoá - Xã hội xã Tiên Lữ",
                "parent": "M",
                "level": 4,
            },
        ],
        "agencies": [
            {"from": "X1", "to": "M"},
            {"from": "X2", "to": "M"},
            {"from": "X3", "to": "M"},
            {"from": "D", "to": "M", "departments": {"D.TP": "M.TP"}},
        ],
        "officers": [
            {"username": "tn1", "agency": "M", "roles": ["reception"]},
            {"username": "cv1", "agency": "M", "roles": ["processing"]},
            {"username": "ld1", "agency": "M", "roles": ["leader"]},
            {"username": "tn2", "agency": "M", "roles": ["reception"]},
            {"username": "dld", "agency": "M", "roles": ["leader"]},
        ],
        "procedures": [],
    }
    body.update(changes)
    return body


def plan(**changes):  # noqa: ANN201
    return plan_from_json(plan_body(**changes))


def build() -> None:
    with db.transaction() as session:
        ids = dict(session.execute(select(Agency.code, Agency.id)).all())
        for code, name, parent, level, unit in AGENCIES:
            agency = Agency(
                code=code,
                name=name,
                parent_id=ids[parent],
                level=level,
                admin_unit_code=unit or None,
            )
            session.add(agency)
            session.flush()
            ids[code] = agency.id
        for username, name, home, roles in OFFICERS:
            user = User(
                username=username,
                full_name=name,
                agency_id=ids[home],
                password_hash=PASSWORD_HASH,
            )
            user.roles = [UserRole(role=r, agency_id=ids[home]) for r in roles]
            session.add(user)
        procedure = session.scalar(select(Procedure).where(Procedure.code == "2.000488"))
        procedure.agency_id = ids["X1"]
        procedure.agencies = [session.get(Agency, ids[c]) for c in ("X1", "X2", "X3", "D")]


def officer(username: str) -> Actor:
    with db.transaction() as session:
        return Actor.of(session.scalar(select(User).where(User.username == username)))


def _receive(username: str, **extra) -> str:
    code = receive_dossier(
        ReceiveDossier("2.000488", "cccd", "001090012345", "Nguyễn Văn An", extra=extra),
        officer(username),
    )
    deliver("portal.check_account", {"exists": True})
    return code


@dataclass
class Dossiers:
    at_reception: str  # X1, waiting at the counter
    claimed_staying: str  # X1, appraisal claimed by cv1 (who moves to M), escalation timer set
    claimed_leaving: str  # X2, appraisal claimed by cv2 (who leaves)
    supplement: str  # X2, waiting for the citizen's supplement (clock paused)
    payment: str  # X1, online, accepted, waiting for the fee (payment timer)
    district: str  # D, waiting at the counter
    stranded: str  # D, appraisal at D.TP whose only officer has left: cannot move
    finished: str  # X3, already refused before the plan: not listed

    def all(self) -> list[str]:
        return list(vars(self).values())


def seed_dossiers() -> Dossiers:
    at_reception = _receive("tn1")
    claimed_staying = _receive("tn1", appraisal_escalation=5)
    complete(claimed_staying, "reception", officer("tn1"), RECEPTION)
    tasks.claim_task(open_task(claimed_staying, "appraisal").id, officer("cv1"))
    claimed_leaving = _receive("tn2")
    complete(claimed_leaving, "reception", officer("tn2"), RECEPTION)
    tasks.claim_task(open_task(claimed_leaving, "appraisal").id, officer("cv2"))
    supplement = _receive("tn2")
    complete(supplement, "reception", officer("tn2"), RECEPTION)
    complete(
        supplement,
        "appraisal",
        officer("cv2"),
        {"decision": "supplement", "appraisal_note": "Thiếu", "supplement_request": "Bản sao"},
    )
    with db.transaction() as session:
        # online, the applicant names the performing agency (002 §5.a Bước 1): the Sở's own
        main = session.scalar(
            select(Agency.code)
            .join(Procedure, Procedure.agency_id == Agency.id)
            .where(Procedure.code == "2.000488")
        )
    payment = receive_dossier(
        ReceiveDossier(
            "2.000488",
            "cccd",
            "001090012345",
            "Nguyễn Văn An",
            channel="online",
            extra={},
            agency_code=main,
        ),
        actions.PORTAL,
    )
    complete(payment, "reception", officer("tn1"), RECEPTION)
    district = _receive("dtn")
    stranded = _receive("dtn")
    complete(stranded, "reception", officer("dtn"), RECEPTION)
    finished = _receive("tn3")
    complete(finished, "reception", officer("tn3"), RECEPTION)
    complete(finished, "appraisal", officer("cv3"), {"decision": "refuse", "appraisal_note": "x"})
    complete(finished, "refusal_approval", officer("tn3"), {"refusal_decision": "approve"})
    handed = open_task(stranded, "appraisal").id
    handed = open_task(stranded, "appraisal").id
    with db.transaction() as session:
        ids = dict(session.execute(select(Agency.code, Agency.id)).all())
        # the appraisal was handed to the district's justice section, whose one officer then
        # left the service (account locked): nobody in the successor's section can take it
        session.execute(
            update(HumanTask).where(HumanTask.id == handed).values(agency_id=ids["D.TP"])
        )
        session.execute(update(User).where(User.username == "dcv").values(active=False))
    return Dossiers(
        at_reception,
        claimed_staying,
        claimed_leaving,
        supplement,
        payment,
        district,
        stranded,
        finished,
    )

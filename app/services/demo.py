"""Demo data for `make run` and the tests: agencies, officers for each role, one procedure."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.models import Agency, Procedure, Role, User, UserRole
from app.services.deploy import deploy, read_bundle
from app.storage.db import db

DEMO_PASSWORD = "demo1234"
PROVINCE = ("000.00.00.H31", "UBND tỉnh Hưng Yên")
DEPARTMENT = ("000.00.12.H31", "Sở Tư pháp tỉnh Hưng Yên")
OFFICERS = [
    ("tiepnhan", "Nguyễn Thị Hoa", [Role.RECEPTION]),
    ("chuyenvien", "Trần Văn Minh", [Role.PROCESSING]),
    ("lanhdao", "Lê Quang Huy", [Role.LEADER]),
    ("giamsat", "Phạm Thu Trang", [Role.SUPERVISOR]),
    ("phantich", "Đỗ Minh Khoa", [Role.ANALYST]),
    ("quantri", "Vũ Hải Nam", [Role.ADMIN, Role.SUPERVISOR]),
]
PROCEDURE = {
    "code": "2.001610",
    "name": "Cấp Phiếu lý lịch tư pháp số 1 (dữ liệu minh hoạ)",
    "level": 2,
    "duration_days": 10,
    "result_type_code": "KQ.G15.000007",
    "fee_code": "L044",
    "components": [
        {
            "type_code": "TK.LLTP.01",
            "name": "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
            "required": True,
        },
        {"type_code": "KQ.G01.000023", "name": "Thẻ căn cước công dân", "required": True},
    ],
    "step_durations": {
        "reception": 0.5,
        "appraisal": 5,
        "approval": 2,
        "return_result": 1,
        "receive_supplement": 2,
    },
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    full_name: str
    roles: str


def seed_demo(bpmn_dir: str, *, extra_officers: int = 0) -> list[DemoLogin]:
    """Create (or leave as they are) the demo agencies, officers and procedure."""
    with db.transaction() as session:
        province = _agency(session, *PROVINCE, parent=None)
        department = _agency(session, *DEPARTMENT, parent=province)
        logins = []
        officers = list(OFFICERS) + [
            (f"canbo{i}", f"Cán bộ {i}", [Role.RECEPTION, Role.PROCESSING, Role.LEADER])
            for i in range(1, extra_officers + 1)
        ]
        for username, name, roles in officers:
            if session.scalar(select(User).where(User.username == username)) is None:
                user = User(
                    username=username,
                    full_name=name,
                    agency_id=department.id,
                    email=f"{username}@demo.gqtthc.local",
                    password_hash=generate_password_hash(DEMO_PASSWORD),
                )
                user.roles = [UserRole(role=r, agency_id=department.id) for r in roles]
                session.add(user)
            logins.append(
                DemoLogin(username, DEMO_PASSWORD, name, ", ".join(str(r) for r in roles))
            )
        version = deploy(
            session,
            read_bundle(bpmn_dir),
            process_id="counter_dossier",
            name="Tiếp nhận và giải quyết hồ sơ trực tiếp",
            deployed_by="seed",
            comment="demo",
        )
        procedure = session.scalar(select(Procedure).where(Procedure.code == PROCEDURE["code"]))
        if procedure is None:
            procedure = Procedure(agency_id=department.id, **PROCEDURE)
            session.add(procedure)
        procedure.model_version_id = version.id
        return logins


def _agency(session, code: str, name: str, parent: Agency | None) -> Agency:  # noqa: ANN001
    agency = session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        agency = Agency(code=code, name=name, parent_id=parent.id if parent else None)
        session.add(agency)
        session.flush()
    return agency

"""Demo data for `make run` and the tests: agencies, officers for each role, one procedure."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.models import Agency, DocumentType, Fee, Procedure, Role, User, UserRole
from app.services.deploy import deploy, read_bundle
from app.storage.db import db

DEMO_PASSWORD = "demo1234"
PROVINCE = ("000.00.00.H31", "UBND tỉnh Hưng Yên")
DEPARTMENT = ("000.00.12.H31", "Sở Tư pháp tỉnh Hưng Yên")
# A department (phòng) inside the Sở: the DMN table choose_department sends 1.005092 there.
UNIT = ("000.01.12.H31", "Phòng Hành chính tư pháp")
# A commune that also receives, processes and returns 1.005092 (path C2).
COMMUNE = ("000.21.33.H31", "UBND xã Tân Hưng")
COMMUNE_OFFICERS = [
    ("xatanhung", "Hà Thị Mai", [Role.RECEPTION, Role.PROCESSING, Role.LEADER]),
]
# Another agency whose opinion a dossier may need (consultation in parallel).
POLICE = ("000.00.07.H31", "Công an tỉnh Hưng Yên")
POLICE_OFFICERS = [("congan", "Đinh Văn Quân", [Role.PROCESSING])]
UNIT_OFFICERS = [
    ("chuyenvienhc", "Ngô Thị Lan", [Role.PROCESSING]),
    ("truongphong", "Bùi Văn Tùng", [Role.LEADER]),
]
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


DOCUMENT_TYPES = [
    ("KQ.G15.000031", "Giấy khai sinh"),
    ("KQ.G15.000007", "Phiếu lý lịch tư pháp số 1"),
    ("KQ.G15.000008", "Phiếu lý lịch tư pháp số 2"),
    ("KQ.G13.000056", "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở"),
    ("KQ.G01.000023", "Thẻ căn cước công dân"),
    ("KQ.G04.000062", "Giấy phép lái xe"),
    ("KQ.G15.000034", "Trích lục khai tử"),
    ("TK.LLTP.01", "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"),
    ("TK.000001", "Đơn, tờ khai"),
]
# Amounts are illustrative: each province publishes its own fee schedule.
FEES = [
    ("P196", "Phí cấp bản sao, chứng thực bản sao", 10_000),
    ("P042", "Phí chứng nhận xuất xứ hàng hóa (C/O)", 100_000),
    ("L044", "Lệ phí đăng ký doanh nghiệp", 50_000),
]
COPY_PROCEDURE = {
    "code": "1.005092",
    "name": "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc",
    "level": 3,
    "sector": "Văn bằng, chứng chỉ",
    "duration_days": 2,
    "result_type_code": None,
    "fee_code": "P196",
    "fee_codes": ["P196"],
    "components": [
        {"type_code": "TK.000001", "name": "Đơn đề nghị cấp bản sao từ sổ gốc", "required": True},
        {"type_code": "KQ.G01.000023", "name": "Thẻ căn cước công dân", "required": True},
    ],
    "step_durations": {"reception": 0.25, "appraisal": 1, "approval": 0.5},
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
        unit = _agency(session, *UNIT, parent=department)
        unit.level = 4
        police = _agency(session, *POLICE, parent=province)
        police.level, police.admin_unit_code = 2, "33"
        commune = _agency(session, *COMMUNE, parent=province)
        commune.level, commune.admin_unit_code = 3, "11977"
        logins = []
        officers = [(u, n, r, department) for u, n, r in OFFICERS] + [
            (f"canbo{i}", f"Cán bộ {i}", [Role.RECEPTION, Role.PROCESSING, Role.LEADER], department)
            for i in range(1, extra_officers + 1)
        ]
        officers += [(u, n, r, unit) for u, n, r in UNIT_OFFICERS]
        officers += [(u, n, r, police) for u, n, r in POLICE_OFFICERS]
        officers += [(u, n, r, commune) for u, n, r in COMMUNE_OFFICERS]
        for username, name, roles, home in officers:
            if session.scalar(select(User).where(User.username == username)) is None:
                user = User(
                    username=username,
                    full_name=name,
                    agency_id=home.id,
                    email=f"{username}@demo.gqtthc.local",
                    password_hash=generate_password_hash(DEMO_PASSWORD),
                )
                user.roles = [UserRole(role=r, agency_id=home.id) for r in roles]
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
        province.level, province.admin_unit_code = 1, "33"
        department.level, department.admin_unit_code = 2, "33"
        for code, name in DOCUMENT_TYPES:
            if session.scalar(select(DocumentType).where(DocumentType.code == code)) is None:
                session.add(DocumentType(code=code, name=name))
        for code, name, amount in FEES:
            if session.scalar(select(Fee).where(Fee.code == code)) is None:
                session.add(Fee(code=code, name=name, amount=amount, note="Mức thu minh hoạ"))
        for spec in (PROCEDURE, COPY_PROCEDURE):
            procedure = session.scalar(select(Procedure).where(Procedure.code == spec["code"]))
            if procedure is None:
                procedure = Procedure(agency_id=department.id, **spec)
                procedure.fee_codes = procedure.fee_codes or [spec["fee_code"]]
                session.add(procedure)
            procedure.model_version_id = version.id
            if procedure.code == COPY_PROCEDURE["code"] and not procedure.agencies:
                procedure.agencies = [department, commune]
        return logins


def _agency(session, code: str, name: str, parent: Agency | None) -> Agency:  # noqa: ANN001
    agency = session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        agency = Agency(code=code, name=name, parent_id=parent.id if parent else None)
        session.add(agency)
        session.flush()
    return agency

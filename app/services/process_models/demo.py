"""Demo data for `make run` and the tests: agencies, officers for each role, five procedures."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.models import Agency, DocumentType, Fee, Procedure, Role, User, UserRole
from app.services.process_models.demo_results import RESULT_TEMPLATES
from app.services.process_models.deploy import deploy, read_bundle
from app.storage.db import db

DEMO_PASSWORD = "demo1234"  # nosec B105 # published demo password; seed-demo is off in production
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
# Agencies of other sectors, each with its own counter, processing officer and leader.
FINANCE = ("000.00.10.H31", "Sở Tài chính tỉnh Hưng Yên")
HEALTH = ("000.00.08.H31", "Sở Y tế tỉnh Hưng Yên")
CONSTRUCTION = ("000.00.11.H31", "Sở Xây dựng tỉnh Hưng Yên")
# The provincial public administration service centre: it also receives, processes and returns
# driving licence renewals on the shared system (path C2).
SERVICE_CENTRE = ("000.00.01.H31", "Trung tâm Phục vụ hành chính công tỉnh Hưng Yên")
SECTOR_OFFICERS = {
    FINANCE[0]: [
        ("tiepnhantc", "Hoàng Thị Thu", [Role.RECEPTION]),
        ("chuyenvientc", "Đặng Quốc Việt", [Role.PROCESSING]),
        ("lanhdaotc", "Trịnh Minh Châu", [Role.LEADER]),
    ],
    HEALTH[0]: [
        ("tiepnhanyt", "Lý Thị Hằng", [Role.RECEPTION]),
        ("chuyenvienyt", "Mai Đức Long", [Role.PROCESSING]),
        ("lanhdaoyt", "Tạ Thanh Bình", [Role.LEADER]),
    ],
    CONSTRUCTION[0]: [
        ("tiepnhanxd", "Phan Thị Yến", [Role.RECEPTION]),
        ("chuyenvienxd", "Vương Đình Khải", [Role.PROCESSING]),
        ("lanhdaoxd", "Cao Văn Sơn", [Role.LEADER]),
    ],
    SERVICE_CENTRE[0]: [
        ("hcc", "Kiều Thị Ngân", [Role.RECEPTION, Role.PROCESSING, Role.LEADER]),
    ],
}

# National codes and names follow the national procedure database; where this demo could not
# check a code or an amount against the published decisions it says "minh hoạ" (illustrative).
PROCEDURE = {
    "code": "2.000488",
    "name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú "
    "tại Việt Nam",
    "level": 2,
    "sector": "Lý lịch tư pháp",
    "duration_days": 10,
    "result_type_code": "KQ.G15.000007",
    "fee_code": "P025",
    "fee_codes": ["P025"],
    # received at any counter of the province; the paper goes to the Sở by BCCI (C1)
    "receive_anywhere": True,
    "components": [
        {
            "type_code": "TK.LLTP.01",
            "name": "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (mẫu 03/2013/TT-LLTP)",
            "required": True,
        },
        {"type_code": "KQ.G01.000023", "name": "Thẻ căn cước công dân", "required": True},
        {"type_code": "TK.UQ.01", "name": "Văn bản ủy quyền (khi nộp thay)", "required": False},
    ],
    "step_durations": {
        "reception": 0.5,
        "appraisal": 5,
        "approval": 2,
        "return_result": 1,
        "receive_supplement": 2,
    },
}
ENTERPRISE_PROCEDURE = {
    "code": "2.001610",
    "name": "Đăng ký thành lập doanh nghiệp tư nhân",
    "level": 2,
    "sector": "Thành lập và hoạt động của doanh nghiệp",
    "duration_days": 3,
    "duration_online_days": 3,
    "result_type_code": "KQ.G10.000001",
    # registered in the national business registration database (001 §II.1 Bước 5)
    "sector_database": "DKKD",
    "fee_code": "L044",
    "fee_codes": ["L044"],
    # businesses pay the fee when they submit online (002 §4.a Bước 1)
    "pay_at_submission": True,
    "components": [
        {
            "type_code": "TK.DN.01",
            "name": "Giấy đề nghị đăng ký doanh nghiệp tư nhân",
            "required": True,
        },
        {
            "type_code": "KQ.G01.000023",
            "name": "Thẻ căn cước công dân của chủ doanh nghiệp",
            "required": True,
        },
    ],
    "step_durations": {"reception": 0.25, "appraisal": 1.5, "approval": 0.5, "return_result": 1},
}
MEDICAL_PROCEDURE = {
    "code": "1.012250",
    "name": "Cấp mới giấy phép hành nghề khám bệnh, chữa bệnh đối với chức danh bác sỹ "
    "(mã minh hoạ)",
    "level": 2,
    "sector": "Khám bệnh, chữa bệnh",
    "duration_days": 30,
    "result_type_code": "KQ.G07.000010",
    "fee_code": "P071",
    "fee_codes": ["P071"],
    "components": [
        {"type_code": "TK.000001", "name": "Đơn đề nghị cấp giấy phép hành nghề", "required": True},
        {
            "type_code": "KQ.G07.000011",
            "name": "Văn bằng chuyên môn (bằng tốt nghiệp bác sỹ)",
            "required": True,
        },
        {
            "type_code": "KQ.G07.000012",
            "name": "Giấy xác nhận hoàn thành quá trình thực hành",
            "required": True,
        },
        {"type_code": "KQ.G07.000013", "name": "Giấy chứng nhận đủ sức khỏe", "required": True},
        {"type_code": "KQ.G01.000023", "name": "Thẻ căn cước công dân", "required": True},
    ],
    "step_durations": {"reception": 0.5, "appraisal": 15, "approval": 5, "return_result": 2},
}
LICENCE_PROCEDURE = {
    "code": "1.002809",
    "name": "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp (mã minh hoạ)",
    "level": 3,
    "sector": "Đường bộ",
    "duration_days": 5,
    "result_type_code": "KQ.G04.000062",
    "fee_code": "L033",
    "fee_codes": ["L033"],
    "components": [
        {"type_code": "TK.000001", "name": "Đơn đề nghị đổi giấy phép lái xe", "required": True},
        {"type_code": "KQ.G04.000062", "name": "Giấy phép lái xe sắp hết hạn", "required": True},
        {
            "type_code": "KQ.G07.000013",
            "name": "Giấy khám sức khỏe của người lái xe",
            "required": True,
        },
        {"type_code": "KQ.G01.000023", "name": "Thẻ căn cước công dân", "required": True},
    ],
    "step_durations": {"reception": 0.25, "appraisal": 2, "approval": 1, "return_result": 1},
}


DOCUMENT_TYPES = [
    ("KQ.G15.000031", "Giấy khai sinh"),
    ("KQ.G15.000007", "Phiếu lý lịch tư pháp số 1"),
    ("KQ.G15.000008", "Phiếu lý lịch tư pháp số 2"),
    ("KQ.G13.000056", "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở"),
    ("KQ.G01.000023", "Thẻ căn cước công dân"),
    ("KQ.G04.000062", "Giấy phép lái xe"),
    ("KQ.G15.000034", "Trích lục khai tử"),
    ("KQ.G16.000005", "Bản sao văn bằng, chứng chỉ từ sổ gốc (mã minh hoạ)"),
    ("TK.LLTP.01", "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"),
    ("TK.000001", "Đơn, tờ khai"),
    ("TK.UQ.01", "Văn bản ủy quyền"),
    ("TK.DN.01", "Giấy đề nghị đăng ký doanh nghiệp"),
    ("KQ.G10.000001", "Giấy chứng nhận đăng ký doanh nghiệp (mã minh hoạ)"),
    ("KQ.G07.000010", "Giấy phép hành nghề khám bệnh, chữa bệnh (mã minh hoạ)"),
    ("KQ.G07.000011", "Văn bằng chuyên môn y tế (mã minh hoạ)"),
    ("KQ.G07.000012", "Giấy xác nhận hoàn thành thực hành (mã minh hoạ)"),
    ("KQ.G07.000013", "Giấy chứng nhận đủ sức khỏe (mã minh hoạ)"),
]
# Amounts are illustrative: each province publishes its own fee schedule.
FEES = [
    ("P196", "Phí cấp bản sao, chứng thực bản sao", 10_000),
    ("P042", "Phí chứng nhận xuất xứ hàng hóa (C/O)", 100_000),
    ("L044", "Lệ phí đăng ký doanh nghiệp", 50_000),
    ("P025", "Phí cung cấp thông tin lý lịch tư pháp (mã minh hoạ)", 200_000),
    ("P071", "Phí thẩm định cấp giấy phép hành nghề (mã minh hoạ)", 360_000),
    ("L033", "Lệ phí cấp giấy phép lái xe (mã minh hoạ)", 135_000),
]
COPY_PROCEDURE = {
    "code": "1.005092",
    "name": "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc",
    "level": 3,
    "sector": "Văn bằng, chứng chỉ",
    "duration_days": 2,
    # the result type comes from the national catalogue (001 §IV.1), never a local "other"
    "result_type_code": "KQ.G16.000005",
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
        sectors = {}
        for code, name in (FINANCE, HEALTH, CONSTRUCTION, SERVICE_CENTRE):
            sectors[code] = _agency(session, code, name, parent=province)
            sectors[code].level, sectors[code].admin_unit_code = 2, "33"
        logins = []
        officers = [(u, n, r, department) for u, n, r in OFFICERS] + [
            (f"canbo{i}", f"Cán bộ {i}", [Role.RECEPTION, Role.PROCESSING, Role.LEADER], department)
            for i in range(1, extra_officers + 1)
        ]
        officers += [(u, n, r, unit) for u, n, r in UNIT_OFFICERS]
        officers += [(u, n, r, police) for u, n, r in POLICE_OFFICERS]
        officers += [(u, n, r, commune) for u, n, r in COMMUNE_OFFICERS]
        officers += [
            (u, n, r, sectors[code])
            for code, people in SECTOR_OFFICERS.items()
            for u, n, r in people
        ]
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
        for agency in (province, department, commune, police, *sectors.values()):
            # where each agency's fees are booked (003 §II.1.b); numbers are illustrative
            agency.treasury_account = agency.treasury_account or f"3511.0.{1055200 + agency.id}"
        for code, name in DOCUMENT_TYPES:
            if session.scalar(select(DocumentType).where(DocumentType.code == code)) is None:
                session.add(DocumentType(code=code, name=name))
        for code, name, amount in FEES:
            if session.scalar(select(Fee).where(Fee.code == code)) is None:
                session.add(Fee(code=code, name=name, amount=amount, note="Mức thu minh hoạ"))
        owners = {
            PROCEDURE["code"]: department,
            COPY_PROCEDURE["code"]: department,
            ENTERPRISE_PROCEDURE["code"]: sectors[FINANCE[0]],
            MEDICAL_PROCEDURE["code"]: sectors[HEALTH[0]],
            LICENCE_PROCEDURE["code"]: sectors[CONSTRUCTION[0]],
        }
        # path C2: other offices receive, process and return these on the shared system
        executing = {
            COPY_PROCEDURE["code"]: [department, commune],
            LICENCE_PROCEDURE["code"]: [sectors[CONSTRUCTION[0]], sectors[SERVICE_CENTRE[0]]],
        }
        for spec in (
            PROCEDURE,
            COPY_PROCEDURE,
            ENTERPRISE_PROCEDURE,
            MEDICAL_PROCEDURE,
            LICENCE_PROCEDURE,
        ):
            procedure = session.scalar(select(Procedure).where(Procedure.code == spec["code"]))
            if procedure is None:
                procedure = Procedure(agency_id=owners[spec["code"]].id, **spec)
                procedure.fee_codes = procedure.fee_codes or [spec["fee_code"]]
                session.add(procedure)
            procedure.model_version_id = version.id
            if procedure.result_template is None:
                procedure.result_template = RESULT_TEMPLATES.get(spec["code"])
            if spec["code"] in executing and not procedure.agencies:
                procedure.agencies = executing[spec["code"]]
        return logins


def _agency(session, code: str, name: str, parent: Agency | None) -> Agency:  # noqa: ANN001
    agency = session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        agency = Agency(code=code, name=name, parent_id=parent.id if parent else None)
        session.add(agency)
        session.flush()
    return agency

"""The national catalogue the portal simulator serves (CSDL quốc gia về TTHC, 003 §III.2.b
Bước 1–3, 001 §II.2.b Bước 1–2, 001 §IV.1): procedures with their components, fees, deadlines,
result type codes and executing levels; the online services; the agencies of the province after
the July 2025 mergers (a commune merged into UBND xã Tân Hưng among them); the result and
document type codes. Codes the demo could not check against the published decisions say
"minh hoạ" (illustrative), as in the demo's own data."""

from __future__ import annotations

from typing import Any

PROVINCE_LEVEL, COMMUNE_LEVEL = "Cấp tỉnh", "Cấp xã"
PORTAL = "https://dichvucong.gov.vn/p/home/dvc-chi-tiet-thu-tuc-hanh-chinh.html?ma_thu_tuc="

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
    ("TK.HT.01", "Tờ khai đăng ký khai sinh (mã minh hoạ)"),
    ("KQ.G10.000001", "Giấy chứng nhận đăng ký doanh nghiệp (mã minh hoạ)"),
    ("KQ.G07.000010", "Giấy phép hành nghề khám bệnh, chữa bệnh (mã minh hoạ)"),
    ("KQ.G07.000011", "Văn bằng chuyên môn y tế (mã minh hoạ)"),
    ("KQ.G07.000012", "Giấy xác nhận hoàn thành thực hành (mã minh hoạ)"),
    ("KQ.G07.000013", "Giấy chứng nhận đủ sức khỏe (mã minh hoạ)"),
]

AGENCIES = [
    ("000.00.00.H31", "UBND tỉnh Hưng Yên", 1, "", "33"),
    ("000.00.12.H31", "Sở Tư pháp tỉnh Hưng Yên", 2, "000.00.00.H31", "33"),
    ("000.00.07.H31", "Công an tỉnh Hưng Yên", 2, "000.00.00.H31", "33"),
    ("000.00.10.H31", "Sở Tài chính tỉnh Hưng Yên", 2, "000.00.00.H31", "33"),
    ("000.00.08.H31", "Sở Y tế tỉnh Hưng Yên", 2, "000.00.00.H31", "33"),
    ("000.00.11.H31", "Sở Xây dựng tỉnh Hưng Yên", 2, "000.00.00.H31", "33"),
    ("000.00.01.H31", "Trung tâm Phục vụ hành chính công tỉnh Hưng Yên", 2, "000.00.00.H31", "33"),
    ("000.21.33.H31", "UBND xã Tân Hưng", 3, "000.00.00.H31", "11977"),
]
# A commune merged on 1 July 2025 (Resolution 1666/NQ-UBTVQH15 re-shaped Hưng Yên's communes):
# the portal keeps its code, marked merged, so that older records still resolve.
MERGED_AGENCY = {
    "code": "000.22.33.H31",
    "name": "UBND xã Tân Châu (trước sáp nhập, mã minh hoạ)",
    "level": 3,
    "parent_code": "000.00.00.H31",
    "admin_unit_code": "",
    "status": "merged",
    "successor_code": "000.21.33.H31",
}


def _fee(code: str, name: str, amount: int) -> dict[str, Any]:
    return {"code": code, "name": name, "amount": amount}


def _part(type_code: str, name: str, required: bool = True) -> dict[str, Any]:
    return {"type_code": type_code, "name": name, "required": required}


CCCD = _part("KQ.G01.000023", "Thẻ căn cước công dân")
PROCEDURES: list[dict[str, Any]] = [
    {
        "code": "2.000488",
        "name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú "
        "tại Việt Nam",
        "level": 2,
        "sector": "Lý lịch tư pháp",
        "agency_code": "000.00.12.H31",
        "executing_levels": [PROVINCE_LEVEL],
        "duration_days": 10,
        "duration_unit": "working_days",
        "duration_online_days": None,
        "result_type_code": "KQ.G15.000007",
        "fees": [_fee("P025", "Phí cung cấp thông tin lý lịch tư pháp (mã minh hoạ)", 200_000)],
        "components": [
            _part("TK.LLTP.01", "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (mẫu 03/2013/TT-LLTP)"),
            CCCD,
            _part("TK.UQ.01", "Văn bản ủy quyền (khi nộp thay)", False),
        ],
    },
    {
        "code": "1.005092",
        "name": "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc",
        "level": 3,
        "sector": "Văn bằng, chứng chỉ",
        "agency_code": "000.00.12.H31",
        "executing_levels": [PROVINCE_LEVEL, COMMUNE_LEVEL],
        "duration_days": 2,
        "duration_unit": "working_days",
        "duration_online_days": None,
        "result_type_code": "KQ.G16.000005",
        "fees": [_fee("P196", "Phí cấp bản sao, chứng thực bản sao", 10_000)],
        "components": [_part("TK.000001", "Đơn đề nghị cấp bản sao từ sổ gốc"), CCCD],
    },
    {
        "code": "2.001610",
        "name": "Đăng ký thành lập doanh nghiệp tư nhân",
        "level": 2,
        "sector": "Thành lập và hoạt động của doanh nghiệp",
        "agency_code": "000.00.10.H31",
        "executing_levels": [PROVINCE_LEVEL],
        "duration_days": 3,
        "duration_unit": "working_days",
        "duration_online_days": 3,
        "result_type_code": "KQ.G10.000001",
        "fees": [_fee("L044", "Lệ phí đăng ký doanh nghiệp", 50_000)],
        "components": [
            _part("TK.DN.01", "Giấy đề nghị đăng ký doanh nghiệp tư nhân"),
            _part("KQ.G01.000023", "Thẻ căn cước công dân của chủ doanh nghiệp"),
        ],
    },
    {
        "code": "1.012250",
        "name": "Cấp mới giấy phép hành nghề khám bệnh, chữa bệnh đối với chức danh bác sỹ "
        "(mã minh hoạ)",
        "level": 2,
        "sector": "Khám bệnh, chữa bệnh",
        "agency_code": "000.00.08.H31",
        "executing_levels": [PROVINCE_LEVEL],
        "duration_days": 30,
        "duration_unit": "working_days",
        "duration_online_days": None,
        "result_type_code": "KQ.G07.000010",
        "fees": [_fee("P071", "Phí thẩm định cấp giấy phép hành nghề (mã minh hoạ)", 360_000)],
        "components": [
            _part("TK.000001", "Đơn đề nghị cấp giấy phép hành nghề"),
            _part("KQ.G07.000011", "Văn bằng chuyên môn (bằng tốt nghiệp bác sỹ)"),
            _part("KQ.G07.000012", "Giấy xác nhận hoàn thành quá trình thực hành"),
            _part("KQ.G07.000013", "Giấy chứng nhận đủ sức khỏe"),
            CCCD,
        ],
    },
    {
        "code": "1.002809",
        "name": "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp (mã minh hoạ)",
        "level": 3,
        "sector": "Đường bộ",
        "agency_code": "000.00.11.H31",
        "executing_levels": [PROVINCE_LEVEL],
        "duration_days": 5,
        "duration_unit": "working_days",
        "duration_online_days": None,
        "result_type_code": "KQ.G04.000062",
        "fees": [_fee("L033", "Lệ phí cấp giấy phép lái xe (mã minh hoạ)", 135_000)],
        "components": [
            _part("TK.000001", "Đơn đề nghị đổi giấy phép lái xe"),
            _part("KQ.G04.000062", "Giấy phép lái xe sắp hết hạn"),
            _part("KQ.G07.000013", "Giấy khám sức khỏe của người lái xe"),
            CCCD,
        ],
    },
    {
        "code": "1.001193",
        "name": "Đăng ký khai sinh",
        "level": 3,
        "sector": "Hộ tịch",
        "agency_code": "000.21.33.H31",
        "executing_levels": [COMMUNE_LEVEL],
        "duration_days": 1,
        "duration_unit": "working_days",
        "duration_online_days": None,
        "result_type_code": "KQ.G15.000031",
        "fees": [],
        "components": [
            _part("TK.HT.01", "Tờ khai đăng ký khai sinh"),
            _part("TK.000001", "Giấy chứng sinh"),
            CCCD,
        ],
    },
]


def online_services() -> list[dict[str, Any]]:
    """One online service (dịch vụ công trực tuyến) per procedure and agency applying it."""
    full = {"2.001610", "1.001193", "1.005092"}
    return [
        {
            "procedure_code": p["code"],
            "agency_code": p["agency_code"],
            "name": p["name"],
            "level": "toàn trình" if p["code"] in full else "một phần",
            "url": PORTAL + p["code"],
        }
        for p in PROCEDURES
    ]


def catalogue() -> dict[str, list[dict[str, Any]]]:
    """The whole catalogue, each list a fresh copy the simulator may change."""
    return {
        "procedures": [
            {
                **p,
                "fees": [dict(f) for f in p["fees"]],
                "components": [dict(c) for c in p["components"]],
            }
            for p in PROCEDURES
        ],
        "online_services": online_services(),
        "agencies": [
            {
                "code": code,
                "name": name,
                "level": level,
                "parent_code": parent,
                "admin_unit_code": unit,
                "status": "active",
                "successor_code": None,
            }
            for code, name, level, parent, unit in AGENCIES
        ]
        + [dict(MERGED_AGENCY)],
        "document_types": [{"code": c, "name": n} for c, n in DOCUMENT_TYPES],
    }

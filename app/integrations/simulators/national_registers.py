"""The national registers behind the national databases simulator: the population database
(CSDL quốc gia về dân cư) answering a person by CCCD, CMND or passport number, the enterprise
registry (CSDL quốc gia về đăng ký doanh nghiệp) and the tax database answering a business by
its code (MSDN = MST), as 001 §II.2.b Bước 4 has the form filled from them.

Like the real services they refuse a malformed identifier (400) and answer 404 for one they do
not hold. Besides the shared fault knobs, `POST /_sim/registers/down` {"sources": [...]} makes
named registers answer 503 until reset: one database down while the others answer.
"""

from __future__ import annotations

import copy
import re
import threading
from typing import Any

from flask import Flask, jsonify, request

PERSON_ID = re.compile(r"^(\d{12}|\d{9}|[A-Z]\d{7,8})$")
BUSINESS_CODE = re.compile(r"^\d{10}(-\d{3})?$")
REGISTERS = ("population", "enterprise", "tax")

DEMO_PEOPLE: list[dict[str, Any]] = [
    {
        "identifier": "001090012345",
        "old_id_number": "012345678",
        "passport_number": "",
        "tax_code": "8012345670",
        "social_insurance_number": "0190012345",
        "full_name": "Nguyễn Văn An",
        "birth_date": "1990-05-12",
        "gender": "Nam",
        "birth_place": "Bệnh viện Phụ sản Hà Nội, Hà Nội",
        "home_town": "Xã Phù Đổng, Hà Nội",
        "permanent_address": "Số 12 Hàng Bài, Phường Hoàn Kiếm, Hà Nội",
        "current_address": "Số 12 Hàng Bài, Phường Hoàn Kiếm, Hà Nội",
        "nationality": "Việt Nam",
        "ethnicity": "Kinh",
        "religion": "Không",
        "father_identifier": "001060004567",
        "mother_identifier": "001165007891",
        "marital_status": "Đã kết hôn",
    },
    {
        "identifier": "033185004321",
        "old_id_number": "145678901",
        "passport_number": "",
        "tax_code": "8033185432",
        "social_insurance_number": "3385004321",
        "full_name": "Lê Thị Mai",
        "birth_date": "1985-11-02",
        "gender": "Nữ",
        "birth_place": "Trạm y tế xã Phụng Công, tỉnh Hưng Yên",
        "home_town": "Phường Phố Hiến, tỉnh Hưng Yên",
        "permanent_address": "Phường Phố Hiến, tỉnh Hưng Yên",
        "current_address": "Số 8 Điện Biên, Phường Phố Hiến, tỉnh Hưng Yên",
        "nationality": "Việt Nam",
        "ethnicity": "Kinh",
        "religion": "Phật giáo",
        "father_identifier": "033155001234",
        "mother_identifier": "033160005678",
        "marital_status": "Đã kết hôn",
    },
    {
        "identifier": "079095000123",
        "old_id_number": "",
        "passport_number": "",
        "tax_code": "",
        "social_insurance_number": "7995000123",
        "full_name": "Nguyễn Thị Hồng Nhung",
        "birth_date": "1995-07-21",
        "gender": "Nữ",
        "birth_place": "Phường Bến Nghé, Thành phố Hồ Chí Minh",
        "home_town": "Xã Tân Phú, tỉnh Đồng Nai",
        "permanent_address": "Phường Sài Gòn, Thành phố Hồ Chí Minh",
        "current_address": "Phường Sài Gòn, Thành phố Hồ Chí Minh",
        "nationality": "Việt Nam",
        "ethnicity": "Kinh",
        "religion": "Công giáo",
        "father_identifier": "",
        "mother_identifier": "",
        "marital_status": "Chưa kết hôn",
    },
    {  # a passport holder, answered by the passport number (001 §II.2.b: CCCD/HOCHIEU)
        "identifier": "031079001122",
        "passport_number": "C1234567",
        "full_name": "Phạm Minh Đức",
        "birth_date": "1979-01-20",
        "gender": "Nam",
        "birth_place": "Hải Phòng",
        "home_town": "Hải Phòng",
        "permanent_address": "Phường Hồng Bàng, Thành phố Hải Phòng",
        "current_address": "Phường Hồng Bàng, Thành phố Hải Phòng",
        "nationality": "Việt Nam",
        "ethnicity": "Kinh",
        "religion": "Không",
        "marital_status": "Đã kết hôn",
    },
]
DEMO_ENTERPRISES: list[dict[str, Any]] = [
    {
        "code": "0101243150",
        "name": "Công ty Cổ phần Minh Phát",
        "english_name": "Minh Phat Joint Stock Company",
        "head_office": "Số 25 Láng Hạ, Phường Giảng Võ, Hà Nội",
        "registered_on": "2002-06-18",
        "legal_representative": "Nguyễn Văn An",
        "status": "Đang hoạt động",
    }
]
DEMO_TAXPAYERS: list[dict[str, Any]] = [
    {
        "tax_code": "0101243150",
        "name": "Công ty Cổ phần Minh Phát",
        "tax_office": "Thuế Thành phố Hà Nội",
        "status": "Đang hoạt động (đã được cấp GCN ĐKT)",
    }
]


class Registers:
    def __init__(self, seed: bool) -> None:
        self.lock = threading.Lock()
        self.seed = seed
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.people = copy.deepcopy(DEMO_PEOPLE) if self.seed else []
            self.enterprises = copy.deepcopy(DEMO_ENTERPRISES) if self.seed else []
            self.taxpayers = copy.deepcopy(DEMO_TAXPAYERS) if self.seed else []
            self.down: set[str] = set()
            self.asked: list[dict[str, str]] = []

    def answer(self, register: str, key: str, rows: list[dict[str, Any]], fields: tuple[str, ...]):  # noqa: ANN201
        """One register's answer for `key` (already checked), noting the question."""
        with self.lock:
            self.asked.append({"register": register, "key": key})
            if register in self.down:
                return jsonify(error=f"{register} register unavailable"), 503
            found = next((r for r in rows if any(r.get(f) == key for f in fields)), None)
            found = dict(found) if found else None
        if found is None:
            return jsonify(error="not found"), 404
        return jsonify(record=found), 200


def install_registers(app: Flask, registers: Registers) -> None:
    """Add the registers' `/api/*` routes and their `/_sim/*` knobs to the simulator."""

    @app.get("/api/population/people/<identifier>")
    def person(identifier: str):  # noqa: ANN202
        if not PERSON_ID.match(identifier):
            return jsonify(error="identifier must be a CCCD, a CMND or a passport number"), 400
        keys = ("identifier", "old_id_number", "passport_number")
        return registers.answer("population", identifier, registers.people, keys)

    @app.get("/api/enterprises/<code>")
    def enterprise(code: str):  # noqa: ANN202
        if not BUSINESS_CODE.match(code):
            return jsonify(error="the enterprise code has 10 digits (or 10-3 for a branch)"), 400
        return registers.answer("enterprise", code, registers.enterprises, ("code",))

    @app.get("/api/tax/taxpayers/<code>")
    def taxpayer(code: str):  # noqa: ANN202
        if not BUSINESS_CODE.match(code):
            return jsonify(error="the tax code has 10 digits (or 10-3 for a branch)"), 400
        return registers.answer("tax", code, registers.taxpayers, ("tax_code",))

    @app.post("/_sim/registers/down")
    def registers_down():  # noqa: ANN202
        sources = (request.get_json(silent=True) or {}).get("sources") or []
        unknown = [s for s in sources if s not in REGISTERS]
        if unknown or not isinstance(sources, list):
            return jsonify(error=f"unknown registers: {unknown}"), 400
        with registers.lock:
            registers.down = set(sources)
        return jsonify(ok=True)

    @app.get("/_sim/registers/asked")
    def registers_asked():  # noqa: ANN202
        with registers.lock:
            return jsonify(list(registers.asked))

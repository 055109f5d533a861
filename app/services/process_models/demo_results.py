"""The demo procedures' result templates (001 §II.2.b Bước 5): what each result says and the
fields the processing officer fills in. Every required field has a default (the dossier's
facts or the usual outcome), so that a dossier proposed without the officer touching the
result still has an exact draft for the leader to read; the officer corrects what differs.
Titles and labels are data an administrator types (shown as written in every language)."""

from __future__ import annotations

from typing import Any


def _field(
    name: str, label: str, kind: str = "text", required: bool = True, default: str = ""
) -> dict[str, Any]:
    return {"name": name, "label": label, "type": kind, "required": required, "default": default}


RESULT_TEMPLATES: dict[str, dict[str, Any]] = {
    # Law on Judicial Records 2009, art. 42: what Phiếu lý lịch tư pháp số 1 states
    "2.000488": {
        "title": "Phiếu lý lịch tư pháp số 1",
        "fields": [
            _field("ho_ten", "Họ và tên", default="{owner_name}"),
            _field("so_dinh_danh", "Số định danh cá nhân", default="{owner_id}"),
            _field("noi_cu_tru", "Nơi cư trú", required=False),
            _field("an_tich", "Tình trạng án tích", "long_text", default="Không có án tích"),
            _field(
                "cam_dam_nhiem",
                "Cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã",
                "long_text",
                default="Không bị cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, "
                "hợp tác xã",
            ),
        ],
        "body": "Căn cứ Luật Lý lịch tư pháp ngày 17 tháng 6 năm 2009;\n"
        "Xét yêu cầu cấp Phiếu lý lịch tư pháp, hồ sơ {dossier_code},\n"
        "CHỨNG NHẬN:\n"
        "Họ và tên: {ho_ten}\n"
        "Số định danh cá nhân: {so_dinh_danh}\n"
        "Nơi cư trú: {noi_cu_tru}\n"
        "Tình trạng án tích: {an_tich}\n"
        "Thông tin về việc cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác "
        "xã: {cam_dam_nhiem}",
        "signer_title": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
        "place": "Hưng Yên",
    },
    "2.001610": {
        "title": "Giấy chứng nhận đăng ký doanh nghiệp tư nhân",
        "fields": [
            _field("ten_doanh_nghiep", "Tên doanh nghiệp", default="{owner_name}"),
            _field("ma_so_doanh_nghiep", "Mã số doanh nghiệp", default="{owner_id}"),
            _field("tru_so", "Địa chỉ trụ sở chính", required=False),
            _field("chu_doanh_nghiep", "Chủ doanh nghiệp", required=False),
            _field("von_dau_tu", "Vốn đầu tư (đồng)", "number", required=False),
            _field("ngay_dang_ky", "Đăng ký lần đầu ngày", "date", required=False),
        ],
        "body": "Căn cứ Luật Doanh nghiệp ngày 17 tháng 6 năm 2020;\n"
        "Phòng Đăng ký kinh doanh chứng nhận:\n"
        "1. Tên doanh nghiệp: {ten_doanh_nghiep}\n"
        "2. Mã số doanh nghiệp: {ma_so_doanh_nghiep}\n"
        "3. Địa chỉ trụ sở chính: {tru_so}\n"
        "4. Chủ doanh nghiệp: {chu_doanh_nghiep}\n"
        "5. Vốn đầu tư: {von_dau_tu} đồng\n"
        "Đăng ký lần đầu ngày: {ngay_dang_ky}",
        "signer_title": "TRƯỞNG PHÒNG",
        "place": "Hưng Yên",
    },
    "1.012250": {
        "title": "Giấy phép hành nghề khám bệnh, chữa bệnh",
        "fields": [
            _field("ho_ten", "Họ và tên", default="{owner_name}"),
            _field("so_dinh_danh", "Số định danh cá nhân", default="{owner_id}"),
            _field("chuc_danh", "Chức danh chuyên môn", default="Bác sỹ"),
            _field(
                "pham_vi",
                "Phạm vi hành nghề",
                "long_text",
                default="Khám bệnh, chữa bệnh đa khoa",
            ),
        ],
        "body": "Căn cứ Luật Khám bệnh, chữa bệnh ngày 09 tháng 01 năm 2023;\n"
        "Xét hồ sơ đề nghị cấp giấy phép hành nghề {dossier_code},\n"
        "Cấp giấy phép hành nghề khám bệnh, chữa bệnh cho:\n"
        "Ông/Bà: {ho_ten} — số định danh cá nhân: {so_dinh_danh}\n"
        "Chức danh chuyên môn: {chuc_danh}\n"
        "Phạm vi hành nghề: {pham_vi}",
        "signer_title": "GIÁM ĐỐC",
        "place": "Hưng Yên",
    },
    "1.002809": {
        "title": "Quyết định đổi giấy phép lái xe",
        "fields": [
            _field("ho_ten", "Họ và tên", default="{owner_name}"),
            _field("so_dinh_danh", "Số định danh cá nhân", default="{owner_id}"),
            _field("hang", "Hạng giấy phép lái xe", default="B"),
            _field("gia_tri_den", "Có giá trị đến ngày", "date", required=False),
        ],
        "body": "Căn cứ Luật Trật tự, an toàn giao thông đường bộ ngày 27 tháng 6 năm 2024;\n"
        "Xét hồ sơ đề nghị đổi giấy phép lái xe {dossier_code},\n"
        "QUYẾT ĐỊNH:\n"
        "Điều 1. Đổi giấy phép lái xe hạng {hang} cho Ông/Bà {ho_ten}, số định danh cá nhân "
        "{so_dinh_danh}; giấy phép có giá trị đến ngày {gia_tri_den}.\n"
        "Điều 2. Quyết định có hiệu lực kể từ ngày ký.",
        "signer_title": "GIÁM ĐỐC",
        "place": "Hưng Yên",
    },
    "1.005092": {
        "title": "Bản sao văn bằng, chứng chỉ từ sổ gốc",
        "fields": [
            _field("ho_ten", "Người được cấp văn bằng", default="{owner_name}"),
            _field("ten_van_bang", "Tên văn bằng, chứng chỉ", required=False),
            _field("so_hieu", "Số hiệu văn bằng", required=False),
            _field("so_vao_so", "Số vào sổ gốc", required=False),
        ],
        "body": "Căn cứ Nghị định số 23/2015/NĐ-CP ngày 16 tháng 02 năm 2015;\n"
        "Cấp bản sao từ sổ gốc, hồ sơ {dossier_code}:\n"
        "Văn bằng, chứng chỉ: {ten_van_bang}\n"
        "Người được cấp: {ho_ten}\n"
        "Số hiệu: {so_hieu} — số vào sổ gốc: {so_vao_so}",
        "signer_title": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
        "place": "Hưng Yên",
    },
}

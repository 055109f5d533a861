"""The texts the analyst's editor writes from its JavaScript, in the reader's language.

The page renders them once (`#editor-texts`, a JSON object keyed by a stable name) and the
editor reads them by key; placeholders stay in gettext's `%(name)s` form and the editor fills
them in. bpmn-js's own interface is English and is turned into Vietnamese by the editor itself
(static/src/modeler/translate-vi.js), only on a Vietnamese page.
"""

from __future__ import annotations

from typing import Any

from flask_babel import pgettext

from app.i18n import _
from app.web.i18n import role_label, tr

# key → Vietnamese source text (English in the catalog); marked with `_` when read below.
_STATUS = {
    "unsaved": lambda: _("Có thay đổi chưa lưu"),
    "problems": lambda: _("%(n)s lỗi"),
    "valid": lambda: _("Mô hình hợp lệ"),
    "saved": lambda: _("Đã lưu bản nháp số %(n)s"),
    "saved_with_problems": lambda: _("Đã lưu bản nháp số %(n)s (còn %(problems)s lỗi)"),
    "tests_failed": lambda: _("%(failed)s/%(total)s kiểm thử không đạt"),
    "tests_passed": lambda: _("%(n)s kiểm thử đạt"),
    "deployed": lambda: _("Đã triển khai phiên bản %(n)s"),
    "open_failed": lambda: _("Không mở được mô hình: %(error)s"),
    "check_failed": lambda: _("Không kiểm tra được"),
    "line": lambda: _("dòng %(n)s"),
    "test_passed": lambda: _("ĐẠT"),
    "test_failed": lambda: _("LỖI"),
    "preview_error": lambda: _("Lỗi"),
    "prompt_form": lambda: _("Tên tệp biểu mẫu (không dấu, ví dụ: tham_dinh_lai)"),
    "prompt_dmn": lambda: _("Mã bảng quyết định (không dấu, ví dụ: chon_phong)"),
    "dmn_name": lambda: _("Bảng quyết định"),
    "dmn_input": lambda: _("Kênh nộp"),
    "dmn_output": lambda: _("Phòng xử lý"),
    "consequences": lambda: _("%(n)s lỗi kéo theo"),
}

# the confirmation before a deploy
_DEPLOY = {
    "deploy_base": lambda: _("So với phiên bản đã triển khai #%(n)s"),
    "deploy_first": lambda: _(
        "Chưa có phiên bản nào được triển khai: đây sẽ là phiên bản đầu tiên"
    ),
    "deploy_same": lambda: _(
        "Giống hệt phiên bản #%(n)s đã triển khai: sẽ không tạo phiên bản mới"
    ),
    "no_changes": lambda: _("Không có khác biệt về các bước."),
    "added": lambda: _("Thêm"),
    "removed": lambda: _("Xoá"),
    "changed": lambda: _("Sửa"),
    "tests_none": lambda: _("Gói chưa có kiểm thử mô hình"),
    "deploy_blocked_problems": lambda: _("Còn %(n)s lỗi: sửa trước khi triển khai"),
    "deploy_blocked_tests": lambda: _(
        "Kiểm thử không đạt: sửa mô hình hoặc kiểm thử; chỉ quản trị viên được triển khai kèm lý do"
    ),
    "override_needed": lambda: _("Nhập lý do để triển khai dù kiểm thử không đạt"),
}

_PANEL = {
    "lane_role": lambda: _("Vai trò xử lý"),
    "lane_without_role": lambda: _("Làn chưa gắn vai trò nào trong danh mục"),
    # the one form of a step ("Biểu mẫu" alone is also the tab that lists the forms)
    "form": lambda: pgettext("a step's form", "Biểu mẫu"),
    "form_help": lambda: _("Sửa nội dung biểu mẫu ở thẻ “Biểu mẫu”"),
    "operator": lambda: _("Dịch vụ gọi"),
    "result_variable": lambda: _("Lưu kết quả vào biến"),
    "bad_variable": lambda: _("Tên biến không hợp lệ"),
    "parameter_required": lambda: _("Bắt buộc: biểu thức lấy giá trị tham số"),
    "script": lambda: _("Mã Python (chạy trong hộp cát)"),
    "condition": lambda: _("Điều kiện (biểu thức Python)"),
    "condition_help": lambda: _("Để trống nếu là nhánh mặc định"),
    "code_valid": lambda: _("Hợp lệ"),
    "deadline": lambda: _("Thời hạn bước (ngày làm việc)"),
    "deadline_help": lambda: _("Theo lịch làm việc; để trống: theo cấu hình thủ tục"),
    "bad_deadline": lambda: _("Nhập số ngày làm việc lớn hơn 0 (ví dụ 0.5, 2, 5)"),
    "visible_to": lambda: _("Ai được xem dữ liệu bước"),
    "visible_to_help": lambda: _("Mã vai trò, cách nhau dấu phẩy; để trống: mọi cán bộ"),
    "not_a_role": lambda: _("Không phải mã vai trò"),
    "status": lambda: _("Trạng thái hồ sơ khi qua bước này"),
    "choose_role": lambda: _("— chọn vai trò —"),
    "none_chosen": lambda: _("— chưa chọn —"),
    "choose_operator": lambda: _("— chọn dịch vụ —"),
    "unchanged": lambda: _("— không đổi —"),
    "decision": lambda: pgettext("a step's decision table", "Bảng quyết định (DMN)"),
    "decision_help": lambda: _("Kết quả của bảng được ghi vào dữ liệu hồ sơ"),
    "group_role": lambda: _("Vai trò"),
    "group_form": lambda: _("Biểu mẫu và thời hạn"),
    "group_service": lambda: _("Gọi dịch vụ"),
    "group_rule": lambda: _("Quy tắc nghiệp vụ"),
    "group_script": lambda: _("Mã lệnh"),
    "group_condition": lambda: _("Điều kiện rẽ nhánh"),
    "group_status": lambda: _("Trạng thái hồ sơ (đồng bộ Cổng DVCQG)"),
}


def editor_texts() -> dict[str, str]:
    """Every text the editor's JavaScript shows, by key, in the reader's language."""
    return {key: text() for key, text in {**_STATUS, **_PANEL, **_DEPLOY}.items()}


def shown_catalog(catalog: dict[str, Any]) -> dict[str, Any]:
    """The panel's catalog with what the reader sees in the reader's language: a role keeps
    its Vietnamese `label` (it is written into the model as the lane's name) and gains
    `shown`; a status's label is translated."""
    return {
        **catalog,
        "roles": [{**r, "shown": role_label(r["code"])} for r in catalog["roles"]],
        "statuses": [{**s, "label": tr(s["label"])} for s in catalog["statuses"]],
    }

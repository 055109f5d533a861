"""How each audit event reads on the dossier page (nhật ký xử lý), in Vietnamese."""

from __future__ import annotations

from typing import Any

from app.domain.roles import ROLE_LABELS_VI

OPERATORS_VI = {
    "portal.check_account": "kiểm tra tài khoản trên Cổng DVCQG",
    "portal.create_account": "tạo tài khoản trên Cổng DVCQG",
    "portal.publish_result": "đưa kết quả vào Kho DL của công dân trên Cổng DVCQG",
    "portal.sync_progress": "đồng bộ tiến độ lên Cổng DVCQG",
    "portal.sync_status": "đồng bộ trạng thái lên Cổng DVCQG",
    "warehouse.store_result": "lưu kết quả vào Kho DL",
    "warehouse.list_documents": "tra cứu giấy tờ trong Kho DL",
}


def describe(event: dict[str, Any]) -> str:
    d = event["data"]
    op = OPERATORS_VI.get(d.get("operator", ""), d.get("operator", ""))
    texts = {
        "dossier_received": f"Tiếp nhận hồ sơ, thủ tục {d.get('procedure', '')}",
        "status_changed": f"Trạng thái: {d.get('label', '')}",
        "task_created": f"Chuyển bước «{d.get('title', '')}» cho "
        f"{ROLE_LABELS_VI.get(d.get('role') or '', d.get('role') or '')}",
        "task_claimed": f"Nhận xử lý «{d.get('title', '')}»",
        "task_unclaimed": f"Trả lại «{d.get('title', '')}»",
        "task_completed": f"Hoàn thành «{d.get('title', '')}»",
        "task_cancelled": "Huỷ bước đang chờ",
        "service_call_requested": f"Gửi yêu cầu: {op}",
        "service_call_completed": f"Có kết quả: {op}",
        "incident_raised": f"Sự cố khi {op}: {d.get('error', '')}",
        "service_call_failed": f"Lỗi khi {op}, theo đường xử lý lỗi: {d.get('error', '')}",
        "incident_retried": f"Thử lại: {op}",
        "timer_fired": "Đến hạn (hẹn giờ)",
        "late_result_discarded": f"Bỏ kết quả đến muộn: {op}",
        "process_completed": "Kết thúc quy trình",
        "apology_recorded": f"Xin lỗi và hẹn lại: {d.get('reason', '')}",
        "clock_paused": "Tạm dừng tính thời hạn (chờ bổ sung)",
        "clock_resumed": f"Tiếp tục tính thời hạn (đã chờ {d.get('waited_hours', 0)} giờ làm việc)",
        "task_due_soon": f"«{d.get('title', '')}» sắp đến hạn",
        "task_overdue": f"«{d.get('title', '')}» quá hạn",
        "task_reassigned": f"Giao lại «{d.get('title', '')}» cho {d.get('assignee_name', '')}",
        "task_nudged": f"Nhắc xử lý «{d.get('title', '')}»",
        "escalated": "Đôn đốc theo quy trình",
        "dossier_withdrawn": f"Công dân rút hồ sơ: {d.get('reason', '')}",
        "supplement_received_online": f"Công dân bổ sung trên Cổng DVCQG: {d.get('note', '')}",
        "document_scanned": "Quét, số hoá một thành phần",
        "document_stored": f"Lưu giấy tờ điện tử {d.get('key', '')}",
        "document_certified": f"Sao y điện tử {d.get('key', '')}",
        "fee_paid": f"Công dân nộp phí trên Cổng DVCQG: {d.get('amount', 0):,} đ".replace(",", "."),
        "component_reused": f"Dùng lại giấy tờ {d.get('type_code', '')} ({d.get('source', '')})",
        "result_issued": f"Ban hành kết quả điện tử {d.get('key', '')}",
        "citizen_account_created": "Tạo tài khoản công dân trong hệ thống từ Cổng DVCQG và liên kết"
        f" ({d.get('portal_account_id', '')})",
        "citizen_account_updated": "Cập nhật tài khoản công dân từ Cổng DVCQG ("
        + ", ".join(d.get("fields") or [])
        + ") và liên kết",
        "citizen_account_unchanged": "Liên kết tài khoản công dân "
        f"({d.get('portal_account_id', '')})",
        "paper_sent": f"Gửi hồ sơ giấy qua BCCI, vận đơn {d.get('tracking_code', '')}"
        f" đến {d.get('to', '')}",
        "paper_received": f"Đã nhận hồ sơ giấy, vận đơn {d.get('tracking_code', '')}",
        "citizen_notified": f"Báo công dân ({', '.join(d.get('channels') or [])}): "
        f"{d.get('subject', '')}",
        "dossier_transferred": f"Chuyển hồ sơ từ {d.get('source', '')} đến {d.get('target', '')}"
        f": {d.get('reason', '')} (thời hạn giữ nguyên)",
        "dossier_reorganised": f"Chuyển hồ sơ do sắp xếp đơn vị hành chính ({d.get('plan', '')})"
        f": từ {d.get('source', '')} đến {d.get('target', '')} (thời hạn giữ nguyên)",
    }
    return texts.get(event["kind"], event["kind"])

"""How each audit event reads on the dossier page (nhật ký xử lý), in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.domain.document_metadata import LABELS as METADATA_LABELS
from app.domain.document_owner import LABELS as OWNER_LABELS
from app.domain.messages import N_
from app.domain.sector_databases import SECTOR_DATABASES
from app.i18n import _
from app.web.formatting import number
from app.web.i18n import role_label, tr

OPERATORS_VI = {
    "portal.check_account": N_("kiểm tra tài khoản trên Cổng DVCQG"),
    "portal.create_account": N_("tạo tài khoản trên Cổng DVCQG"),
    "portal.publish_result": N_("đưa kết quả vào Kho DL của công dân trên Cổng DVCQG"),
    "portal.sync_progress": N_("đồng bộ tiến độ lên Cổng DVCQG"),
    "portal.sync_status": N_("đồng bộ trạng thái lên Cổng DVCQG"),
    "warehouse.store_result": N_("lưu kết quả vào Kho DL"),
    "warehouse.list_documents": N_("tra cứu giấy tờ trong Kho DL"),
    "documents.fetch_reused": N_("lấy tệp giấy tờ dùng lại từ nguồn"),
    "sector.register_result": N_("ghi kết quả vào CSDL chuyên ngành"),
}


def sector_name(code: str) -> str:
    """A sector database's short name (ĐKKD) for its code."""
    known = SECTOR_DATABASES.get(code)
    return tr(known.short_name) if known else code


def _operator(d: dict[str, Any]) -> str:
    name = d.get("operator", "")
    return tr(OPERATORS_VI[name]) if name in OPERATORS_VI else name


def _role(d: dict[str, Any]) -> str:
    return role_label(d.get("role"))


def _national_changes(d: dict[str, Any]) -> str:
    """Fields filled from a national database and changed by hand (001 §II.2.b Bước 4)."""
    return _(
        "Sửa thông tin lấy từ CSDL quốc gia: %(changes)s",
        changes="; ".join(
            _(
                "%(code)s «%(old)s» → «%(new)s» (lý do: %(reason)s)",
                code=c.get("code", ""),
                old=c.get("old", ""),
                new=c.get("new", ""),
                reason=c.get("reason", ""),
            )
            for c in d.get("changes") or []
        ),
    )


def _texts() -> dict[str, Callable[[dict[str, Any]], str]]:
    """Each event kind → how it reads, from the event's data."""
    return {
        "dossier_received": lambda d: _(
            "Tiếp nhận hồ sơ, thủ tục %(procedure)s", procedure=d.get("procedure", "")
        ),
        "status_changed": lambda d: _("Trạng thái: %(label)s", label=tr(d.get("label", ""))),
        "task_created": lambda d: _(
            "Chuyển bước «%(title)s» cho %(role)s", title=tr(d.get("title")), role=_role(d)
        ),
        "task_claimed": lambda d: _("Nhận xử lý «%(title)s»", title=tr(d.get("title"))),
        "task_unclaimed": lambda d: _("Trả lại «%(title)s»", title=tr(d.get("title"))),
        "task_completed": lambda d: _("Hoàn thành «%(title)s»", title=tr(d.get("title"))),
        "national_data_changed": _national_changes,
        "task_cancelled": lambda d: _("Huỷ bước đang chờ"),
        "service_call_requested": lambda d: _("Gửi yêu cầu: %(op)s", op=_operator(d)),
        "service_call_completed": lambda d: _("Có kết quả: %(op)s", op=_operator(d)),
        "incident_raised": lambda d: _(
            "Sự cố khi %(op)s: %(error)s", op=_operator(d), error=d.get("error", "")
        ),
        "service_call_failed": lambda d: _(
            "Lỗi khi %(op)s, theo đường xử lý lỗi: %(error)s",
            op=_operator(d),
            error=d.get("error", ""),
        ),
        "incident_retried": lambda d: _("Thử lại: %(op)s", op=_operator(d)),
        "timer_fired": lambda d: _("Đến hạn (hẹn giờ)"),
        "late_result_discarded": lambda d: _("Bỏ kết quả đến muộn: %(op)s", op=_operator(d)),
        "process_completed": lambda d: _("Kết thúc quy trình"),
        "apology_recorded": lambda d: _(
            "Xin lỗi và hẹn lại: %(reason)s", reason=d.get("reason", "")
        ),
        "clock_paused": lambda d: _("Tạm dừng tính thời hạn (chờ bổ sung)"),
        "clock_resumed": lambda d: _(
            "Tiếp tục tính thời hạn (đã chờ %(hours)s giờ làm việc)",
            hours=d.get("waited_hours", 0),
        ),
        "task_due_soon": lambda d: _("«%(title)s» sắp đến hạn", title=tr(d.get("title"))),
        "task_overdue": lambda d: _("«%(title)s» quá hạn", title=tr(d.get("title"))),
        "task_reassigned": lambda d: _(
            "Giao lại «%(title)s» cho %(name)s",
            title=tr(d.get("title")),
            name=d.get("assignee_name", ""),
        ),
        "task_nudged": lambda d: _("Nhắc xử lý «%(title)s»", title=tr(d.get("title"))),
        "escalated": lambda d: _("Đôn đốc theo quy trình"),
        "dossier_withdrawn": lambda d: _(
            "Công dân rút hồ sơ: %(reason)s", reason=d.get("reason", "")
        ),
        "supplement_received_online": lambda d: _(
            "Công dân bổ sung trên Cổng DVCQG: %(note)s", note=d.get("note", "")
        ),
        "document_scanned": lambda d: _("Quét, số hoá một thành phần"),
        "document_stored": lambda d: _("Lưu giấy tờ điện tử %(key)s", key=d.get("key", "")),
        "document_certified": lambda d: _("Sao y điện tử %(key)s", key=d.get("key", "")),
        "document_reused": lambda d: _("Lưu giấy tờ dùng lại %(key)s", key=d.get("key", "")),
        "document_push_held": lambda d: _(
            "Chưa đẩy giấy tờ vào Kho DL: thiếu %(fields)s",
            fields=", ".join(tr(METADATA_LABELS.get(k, k)) for k in d.get("missing") or []),
        ),
        "fee_paid": lambda d: _(
            "Công dân nộp phí trên Cổng DVCQG: %(amount)s đ", amount=number(d.get("amount") or 0)
        ),
        "fees_recorded": lambda d: _(
            "Ghi nhận phí, lệ phí: %(fees)s",
            fees=", ".join(
                f"{f.get('code')} {_fee_state(f.get('state'))}"
                + (f" ({f['receipt_no']})" if f.get("receipt_no") else "")
                for f in d.get("fees") or []
            ),
        ),
        "component_reused": lambda d: _(
            "Dùng lại giấy tờ %(type)s (%(source)s)",
            type=d.get("type_code", ""),
            source=d.get("source", ""),
        ),
        "component_fetched": lambda d: _(
            "Lấy tệp giấy tờ dùng lại từ nguồn (%(source)s %(ref)s), lưu %(key)s",
            source=d.get("source", ""),
            ref=d.get("ref", ""),
            key=d.get("storage_key", ""),
        ),
        "component_fetch_retried": lambda d: _(
            "Yêu cầu lấy lại tệp giấy tờ dùng lại (%(source)s)", source=d.get("source", "")
        ),
        "component_owner_override": lambda d: _(
            "Đính kèm giấy tờ %(type)s không khớp chủ hồ sơ (%(fields)s); lý do: %(reason)s",
            type=d.get("type_code", ""),
            fields=", ".join(tr(OWNER_LABELS.get(k, k)) for k in d.get("differences") or {}),
            reason=d.get("reason", ""),
        ),
        "result_issued": lambda d: _("Ban hành kết quả điện tử %(key)s", key=d.get("key", "")),
        "sector_registered": lambda d: _(
            "Đã ghi kết quả vào CSDL chuyên ngành %(db)s, số bản ghi %(record)s",
            db=sector_name(d.get("database", "")),
            record=d.get("record_id", ""),
        ),
        "citizen_account_created": lambda d: _(
            "Tạo tài khoản công dân trong hệ thống từ Cổng DVCQG và liên kết (%(account)s)",
            account=d.get("portal_account_id", ""),
        ),
        "citizen_account_updated": lambda d: _(
            "Cập nhật tài khoản công dân từ Cổng DVCQG (%(fields)s) và liên kết",
            fields=", ".join(d.get("fields") or []),
        ),
        "citizen_account_unchanged": lambda d: _(
            "Liên kết tài khoản công dân (%(account)s)", account=d.get("portal_account_id", "")
        ),
        "paper_sent": lambda d: _(
            "Gửi hồ sơ giấy qua BCCI, vận đơn %(tracking)s đến %(to)s",
            tracking=d.get("tracking_code", ""),
            to=d.get("to", ""),
        ),
        "paper_received": lambda d: _(
            "Đã nhận hồ sơ giấy, vận đơn %(tracking)s", tracking=d.get("tracking_code", "")
        ),
        "citizen_notified": lambda d: _(
            "Báo công dân (%(channels)s): %(subject)s",
            channels=", ".join(d.get("channels") or []),
            subject=d.get("subject", ""),
        ),
        "dossier_transferred": lambda d: _(
            "Chuyển hồ sơ từ %(source)s đến %(target)s: %(reason)s (thời hạn giữ nguyên)",
            source=d.get("source", ""),
            target=d.get("target", ""),
            reason=d.get("reason", ""),
        ),
        "dossier_reorganised": lambda d: _(
            "Chuyển hồ sơ do sắp xếp đơn vị hành chính (%(plan)s): từ %(source)s đến "
            "%(target)s (thời hạn giữ nguyên)",
            plan=d.get("plan", ""),
            source=d.get("source", ""),
            target=d.get("target", ""),
        ),
    }


def _fee_state(state: object) -> str:
    """A fee's state in words (letter 4725 §II.1.b)."""
    words = {
        "due": _("chưa thu"),
        "online": _("nộp trực tuyến"),
        "paid": _("đã nộp"),
        "exempt": _("miễn"),
    }
    return words.get(str(state), str(state))


def describe(event: dict[str, Any]) -> str:
    """One line of the processing history, in the reader's language."""
    text = _texts().get(event["kind"])
    return text(event["data"]) if text else event["kind"]

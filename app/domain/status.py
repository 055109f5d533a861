"""Dossier status codes (TrangThaiHoSo) shared with the national portal, and the sync record."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum
from typing import Any
from zoneinfo import ZoneInfo

from app.domain.messages import N_
from app.i18n import _l

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class DossierStatus(IntEnum):
    REGISTERED = 1
    RECEIVED = 2
    NOT_RECEIVED = 3
    PROCESSING = 4
    SUPPLEMENT_REQUESTED = 5
    PAYMENT_REQUESTED = 6
    WITHDRAWN = 7
    STOPPED = 8
    PROCESSED = 9
    RETURNED = 10

    @property
    def label_vi(self) -> str:
        return LABELS_VI[self]

    @property
    def is_final(self) -> bool:
        return self in FINAL


LABELS_VI = {
    DossierStatus.REGISTERED: N_("Mới đăng ký"),
    DossierStatus.RECEIVED: N_("Được tiếp nhận"),
    DossierStatus.NOT_RECEIVED: N_("Không được tiếp nhận"),
    DossierStatus.PROCESSING: N_("Đang xử lý"),
    DossierStatus.SUPPLEMENT_REQUESTED: N_("Yêu cầu bổ sung giấy tờ"),
    DossierStatus.PAYMENT_REQUESTED: N_("Yêu cầu thực hiện nghĩa vụ tài chính"),
    DossierStatus.WITHDRAWN: N_("Công dân yêu cầu rút hồ sơ"),
    DossierStatus.STOPPED: N_("Dừng xử lý"),
    DossierStatus.PROCESSED: N_("Đã xử lý xong"),
    DossierStatus.RETURNED: N_("Đã trả kết quả"),
}

FINAL = frozenset(
    {
        DossierStatus.NOT_RECEIVED,
        DossierStatus.WITHDRAWN,
        DossierStatus.STOPPED,
        DossierStatus.RETURNED,
    }
)


def parse_status(value: Any) -> DossierStatus:
    """A model's `dossierStatus` property as a status; ValueError when it is not 1..10."""
    try:
        return DossierStatus(int(value))
    except (TypeError, ValueError) as exc:
        raise ValueError(_l("mã trạng thái không hợp lệ: %(value)r", value=value)) from exc


def portal_time(moment: datetime | None) -> str | None:
    """Dates travel to the portal as yyyyMMddHHmmss in Vietnam time."""
    return moment.astimezone(VN_TZ).strftime("%Y%m%d%H%M%S") if moment else None

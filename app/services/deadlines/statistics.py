"""Period statistics of the official report kind (báo cáo tình hình giải quyết hồ sơ).

For a period [start, end) in Vietnam dates, per procedure: received (new in the period and
carried over from before; of the new, online and in person), resolved in the period with a
result (early, on time, late), ended in the period without a result (refused, refusal after a
supplement deadline passed, withdrawn, stopped: statuses 3, 7, 8), still in progress at the end
(on time, overdue), and the on-time rate of the dossiers resolved with a result.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import astuple, dataclass, fields
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from app.domain.status import VN_TZ, DossierStatus
from app.i18n import _l
from app.models import Dossier, Procedure
from app.services.core.actors import Actor
from app.services.core.errors import InvalidInput
from app.services.deadlines.supervision import scope
from app.storage.db import db

# A dossier "resolved" (đã giải quyết) has a result; one that ended in any other final status
# (không được tiếp nhận / từ chối, rút, dừng xử lý) is counted apart, never as early or on time.
RESULT_STATUSES = (DossierStatus.PROCESSED, DossierStatus.RETURNED)


@dataclass(frozen=True)
class Row:
    procedure_code: str
    procedure_name: str
    carried_over: int
    received: int
    online: int
    in_person: int
    finished_early: int
    finished_on_time: int
    finished_late: int
    finished_without_result: int
    pending_on_time: int
    pending_overdue: int

    @property
    def finished(self) -> int:
        """Dossiers resolved with a result in the period (early, on time or late)."""
        return self.finished_early + self.finished_on_time + self.finished_late

    @property
    def ended(self) -> int:
        """Dossiers that ended in the period, with a result or without one."""
        return self.finished + self.finished_without_result

    @property
    def on_time_rate(self) -> float | None:
        """The share finished early or on time, None when none finished."""
        return (
            (self.finished_early + self.finished_on_time) / self.finished if self.finished else None
        )


HEADERS_VI = [
    "Mã thủ tục",
    "Tên thủ tục",
    "Kỳ trước chuyển sang",
    "Tiếp nhận mới",
    "Trực tuyến",
    "Trực tiếp",
    "Xong trước hạn",
    "Xong đúng hạn",
    "Xong trễ hạn",
    "Từ chối / không giải quyết",
    "Đang xử lý trong hạn",
    "Đang xử lý quá hạn",
    "Tỉ lệ đúng hạn (%)",
]


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    if end <= start:
        raise InvalidInput(_l("Ngày kết thúc phải sau ngày bắt đầu"))
    if (end - start).days > 3660:
        raise InvalidInput(_l("Kỳ báo cáo tối đa 10 năm"))
    return (datetime.combine(start, time.min, VN_TZ), datetime.combine(end, time.min, VN_TZ))


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The report period [start, end) in Vietnam dates as moments; refused when empty or long."""
    return _bounds(start, end)


def report(actor: Actor, start: date, end: date) -> tuple[list[Row], Row]:
    """Rows per procedure and the total row for the dossiers of the supervised agencies."""
    lo, hi = _bounds(start, end)
    d = Dossier

    def count(*conditions) -> object:  # noqa: ANN002
        return func.sum(case((and_(*conditions), 1), else_=0))

    ended_in = and_(d.finished_at >= lo, d.finished_at < hi)
    finished_in = and_(ended_in, d.status.in_(RESULT_STATUSES))
    open_at_end = and_(d.received_at < hi, or_(d.finished_at.is_(None), d.finished_at >= hi))
    new = and_(d.received_at >= lo, d.received_at < hi)
    with db.transaction() as session:
        agencies = scope(session, actor)
        rows = session.execute(
            select(
                Procedure.code,
                Procedure.name,
                count(d.received_at < lo, or_(d.finished_at.is_(None), d.finished_at >= lo)),
                count(new),
                count(new, d.channel == "online"),
                count(new, d.channel != "online"),
                count(finished_in, d.outcome == "early"),
                count(finished_in, d.outcome == "on_time"),
                count(finished_in, d.outcome == "late"),
                count(ended_in, d.status.not_in(RESULT_STATUSES)),
                count(open_at_end, or_(d.due_at.is_(None), d.due_at >= hi)),
                count(open_at_end, d.due_at < hi),
            )
            .join(Procedure, Procedure.id == d.procedure_id)
            .where(
                d.agency_id.in_(agencies),
                d.received_at < hi,
                or_(d.finished_at.is_(None), d.finished_at >= lo),
            )
            .group_by(Procedure.code, Procedure.name)
            .order_by(Procedure.code)
        ).all()
    result = [Row(code, name, *(int(v or 0) for v in values)) for code, name, *values in rows]
    total = Row(
        "", "Tổng cộng", *(sum(getattr(r, f.name) for r in result) for f in fields(Row)[2:])
    )
    return result, total


def _table(rows: list[Row], total: Row) -> list[list[object]]:
    def line(r: Row) -> list[object]:
        rate = r.on_time_rate
        return [*astuple(r), round(rate * 100, 1) if rate is not None else ""]

    return [HEADERS_VI, *(line(r) for r in rows), line(total)]


def to_csv(rows: list[Row], total: Row) -> bytes:
    """Export the statistics table as CSV."""
    return csv_bytes(_table(rows, total))


def csv_bytes(lines: list[list[object]]) -> bytes:
    """A report's lines as CSV in UTF-8 with a BOM (so that Excel reads the Vietnamese)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(lines)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def fill_sheet(sheet: Any, heading: str, lines: list[list[object]], widths: dict[str, int]) -> None:
    """Write a report's table into a worksheet: its heading above, the column names and the
    total line (the first and last lines) in bold, and the given column widths."""
    from openpyxl.styles import Font

    sheet.append([heading])
    sheet["A1"].font = Font(bold=True, size=13)
    for line in lines:
        sheet.append(line)
    for cell in (*sheet[2], *sheet[sheet.max_row]):
        cell.font = Font(bold=True)
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width


def to_xlsx(
    rows: list[Row],
    total: Row,
    start: date,
    end: date,
    more: Callable[[Any], None] | None = None,
) -> bytes:
    """Export the statistics table as an Excel workbook (`more` adds further sheets)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Thống kê"
    heading = f"Tình hình giải quyết hồ sơ từ {start:%d/%m/%Y} đến trước {end:%d/%m/%Y}"
    fill_sheet(sheet, heading, _table(rows, total), {"B": 48})
    if more is not None:
        more(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

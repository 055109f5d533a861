"""The body of each slip, 01 to 06, and of the e-result, below the national header."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from app.documents.slip_data import OUTCOMES, SlipData
from app.documents.slip_parts import esc, moment, owner_lines, qr, short, signatures
from app.domain.status import VN_TZ


def _receipt(data: SlipData, s: dict[str, ParagraphStyle]) -> list:
    intro = Table(
        [
            [
                [
                    Paragraph(f"{esc(data.agency_name)} tiếp nhận hồ sơ của:", s["body"]),
                    *owner_lines(data, s),
                ],
                qr(data.dossier_code),
            ]
        ],
        colWidths=[140 * mm, 32 * mm],
    )
    intro.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    head = ParagraphStyle("head", s["small_center"], fontName="Serif-Bold")
    rows: list[list] = [
        [
            Paragraph(label, head)
            for label in ("STT", "Tên giấy tờ", "Bản chính", "Bản sao chứng thực", "Bản photo")
        ]
    ]
    for n, line in enumerate(data.components, 1):
        rows.append(
            [
                str(n),
                Paragraph(esc(line.name), s["small"]),
                str(line.originals),
                str(line.certified),
                str(line.photocopies),
            ]
        )
    if len(rows) == 1:
        rows.append(["", Paragraph("(chưa có thành phần nào được số hoá)", s["small"]), "", "", ""])
    table = Table(rows, colWidths=[12 * mm, 88 * mm, 22 * mm, 28 * mm, 22 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Serif", 10),
                ("FONT", (0, 0), (-1, 0), "Serif-Bold", 10),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("ALIGN", (2, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return [
        intro,
        Paragraph("1. Thành phần hồ sơ nộp gồm:", s["body"]),
        table,
        Spacer(1, 3 * mm),
        Paragraph("2. Số lượng hồ sơ: 01 bộ.", s["body"]),
        Paragraph(
            f"3. Thời gian giải quyết hồ sơ theo quy định là: {esc(data.duration_text)}.", s["body"]
        ),
        Paragraph(f"4. Thời gian nhận hồ sơ: {moment(data.received_at)}.", s["body"]),
        Paragraph(f"5. Thời gian trả kết quả giải quyết hồ sơ: {moment(data.due_at)}.", s["body"]),
        Paragraph(_result_place(data), s["body"]),
        *_fees(data, s),
        *signatures(
            s, ("NGƯỜI NỘP HỒ SƠ", data.owner_name), ("NGƯỜI TIẾP NHẬN", data.officer_name)
        ),
    ]


def _result_place(data: SlipData) -> str:
    """Item 6 of slip 01: where the result is collected, or that only the e-result is returned
    (001 §II.2.c Bước 4: the procedure provides it so, or the citizen asked for it)."""
    if data.e_only:
        return (
            "6. Đăng ký nhận kết quả: chỉ nhận kết quả điện tử (bản điện tử có chữ ký số gửi "
            "vào Kho dữ liệu của cá nhân, tổ chức trên Cổng Dịch vụ công quốc gia), "
            "không nhận bản giấy."
        )
    return f"6. Đăng ký nhận kết quả tại: {esc(data.result_place)}."


FEE_STATES = {
    "due": "Chưa thu",
    "online": "Nộp trực tuyến trên Cổng DVCQG",
    "paid": "Đã nộp",
    "exempt": "Miễn",
}


def _money(amount: int) -> str:
    return f"{amount:,} đ".replace(",", ".")


def _fees(data: SlipData, s: dict[str, ParagraphStyle]) -> list:
    """Item 7 of slip 01: each fee of the dossier (letter 4725 §II.1.b)."""
    if not data.fees:
        return [Paragraph("7. Phí, lệ phí: không thu.", s["body"])]
    head = ParagraphStyle("fee_head", s["small_center"], fontName="Serif-Bold")
    rows: list[list] = [
        [Paragraph(t, head) for t in ("Mã phí", "Tên phí, lệ phí", "Số tiền", "Tình trạng")]
    ]
    for fee in data.fees:
        state = FEE_STATES.get(fee.state, fee.state)
        if fee.state == "paid" and fee.receipt_no:
            state += f", biên lai số {fee.receipt_no}"
        if fee.state == "exempt" and fee.exemption_reason:
            state += f": {fee.exemption_reason}"
        rows.append(
            [
                fee.code,
                Paragraph(esc(fee.name), s["small"]),
                _money(fee.amount),
                Paragraph(esc(state), s["small"]),
            ]
        )
    table = Table(rows, colWidths=[18 * mm, 72 * mm, 28 * mm, 54 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Serif", 10),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("ALIGN", (2, 1), (2, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return [Paragraph("7. Phí, lệ phí:", s["body"]), table, Spacer(1, 2 * mm)]


def _supplement(data: SlipData, s: dict[str, ParagraphStyle]) -> list:
    return [
        Paragraph(
            f"Ngày {data.received_at.astimezone(VN_TZ):%d/%m/%Y}, {esc(data.agency_name)} "
            "tiếp nhận hồ sơ của:",
            s["body"],
        ),
        *owner_lines(data, s),
        Paragraph("Sau khi xem xét, hồ sơ cần bổ sung, hoàn thiện các nội dung sau:", s["body"]),
        Paragraph(esc(data.items).replace("\n", "<br/>"), s["body"]),
        Paragraph(f"Lý do: {esc(data.reason) or '—'}", s["body"]),
        Paragraph(
            "Trong quá trình bổ sung, hoàn thiện hồ sơ nếu có vướng mắc, Ông/Bà liên hệ "
            f"{esc(data.agency_name)} để được hướng dẫn. Thời hạn giải quyết tạm dừng trong thời "
            "gian chờ bổ sung.",
            s["body"],
        ),
        *signatures(
            s, ("NGƯỜI NỘP HỒ SƠ", data.owner_name), ("NGƯỜI HƯỚNG DẪN", data.officer_name)
        ),
    ]


def _refusal(data: SlipData, s: dict[str, ParagraphStyle]) -> list:
    return [
        Paragraph(
            f"{esc(data.agency_name)} tiếp nhận hồ sơ ngày "
            f"{data.received_at.astimezone(VN_TZ):%d/%m/%Y} của:",
            s["body"],
        ),
        *owner_lines(data, s),
        Paragraph(
            f"Qua xem xét, {esc(data.agency_name)} thông báo không tiếp nhận, giải quyết hồ sơ "
            "này với lý do cụ thể như sau:",
            s["body"],
        ),
        Paragraph(esc(data.reason).replace("\n", "<br/>"), s["body"]),
        Paragraph("Xin thông báo để Ông/Bà được biết và thực hiện.", s["body"]),
        *signatures(s, ("", ""), (data.signer_title or "NGƯỜI KÝ", data.officer_name)),
    ]


def _apology(data: SlipData, s: dict[str, ParagraphStyle]) -> list:
    return [
        Paragraph(f"Kính gửi: Ông/Bà <b>{esc(data.owner_name)}</b>", s["body"]),
        Paragraph(
            f"Ngày {data.received_at.astimezone(VN_TZ):%d/%m/%Y}, {esc(data.agency_name)} tiếp "
            f"nhận giải quyết hồ sơ mã số <b>{esc(data.dossier_code)}</b> về "
            f"{esc(data.procedure_name)}. Thời hạn trả kết quả ghi trên Giấy tiếp nhận hồ sơ và "
            f"hẹn trả kết quả là {moment(data.due_at)}.",
            s["body"],
        ),
        Paragraph(
            f"Tuy nhiên, đến nay {esc(data.agency_name)} chưa trả kết quả giải quyết hồ sơ cho "
            f"Ông/Bà đúng thời hạn quy định. Lý do: {esc(data.reason)}",
            s["body"],
        ),
        Paragraph(
            f"Sự chậm trễ này đã gây phiền hà, tốn kém cho Ông/Bà. {esc(data.agency_name)} xin "
            "lỗi Ông/Bà và hẹn trả kết quả giải quyết hồ sơ vào: "
            f"<b>{moment(data.new_due_at)}</b>.",
            s["body"],
        ),
        Paragraph("Xin trân trọng cảm ơn sự hợp tác của Ông/Bà.", s["body"]),
        *signatures(s, ("", ""), (data.signer_title or "THỦ TRƯỞNG CƠ QUAN", data.officer_name)),
    ]


def _stop(data: SlipData, s: dict[str, ParagraphStyle]) -> list:
    return [
        Paragraph(f"Kính gửi: Ông/Bà <b>{esc(data.owner_name)}</b>", s["body"]),
        *owner_lines(data, s),
        Paragraph(
            f"{esc(data.agency_name)} thông báo dừng giải quyết hồ sơ nêu trên. "
            f"Lý do: {esc(data.reason)}",
            s["body"],
        ),
        Paragraph("Xin thông báo để Ông/Bà được biết.", s["body"]),
        *signatures(s, ("", ""), (data.signer_title or "THỦ TRƯỞNG CƠ QUAN", data.officer_name)),
    ]


def _control(data: SlipData, s: dict[str, ParagraphStyle]) -> list:
    small = s["small"]
    rows: list[list] = [
        [
            Paragraph("<b>Bước / cơ quan</b>", small),
            Paragraph("<b>Thời gian giao, nhận hồ sơ</b>", small),
            Paragraph("<b>Người giao / người nhận</b>", small),
            Paragraph("<b>Kết quả giải quyết</b>", small),
            Paragraph("<b>Ghi chú</b>", small),
        ]
    ]
    for row in data.control_rows:
        rows.append(
            [
                Paragraph(f"{esc(row.step)}<br/>{esc(row.agency)}", small),
                Paragraph(
                    f"Nhận: {short(row.handed_at)}<br/>Hạn: {short(row.due_at)}"
                    f"<br/>Xong: {short(row.completed_at)}",
                    small,
                ),
                Paragraph(f"Giao: {esc(row.giver)}<br/>Nhận: {esc(row.receiver)}", small),
                Paragraph(OUTCOMES.get(row.outcome, row.outcome or ""), small),
                Paragraph(esc(row.note), small),
            ]
        )
    table = Table(rows, colWidths=[42 * mm, 40 * mm, 42 * mm, 22 * mm, 28 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return [
        *owner_lines(data, s),
        Paragraph(
            f"Ngày nhận hồ sơ: {moment(data.received_at)}; hẹn trả: {moment(data.due_at)}.",
            s["body"],
        ),
        Spacer(1, 2 * mm),
        table,
    ]


def result_body(data: SlipData, s: dict[str, ParagraphStyle]) -> list:
    return [
        Paragraph(
            f"Cấp cho Ông/Bà: <b>{esc(data.owner_name)}</b> — số định danh: {esc(data.owner_id)}",
            s["body"],
        ),
        Paragraph(
            f"Kết quả giải quyết thủ tục hành chính: {esc(data.procedure_name)} "
            f"({esc(data.procedure_code)}), hồ sơ mã số <b>{esc(data.dossier_code)}</b>, "
            f"tiếp nhận {moment(data.received_at)}.",
            s["body"],
        ),
        Paragraph(esc(data.reason) or "Hồ sơ đủ điều kiện, được chấp thuận.", s["body"]),
        Paragraph(
            "Văn bản điện tử có chữ ký số của người có thẩm quyền và của cơ quan; "
            "có giá trị sử dụng như văn bản giấy.",
            s["small"],
        ),
        *signatures(s, ("", ""), (data.signer_title or "NGƯỜI KÝ", data.officer_name)),
    ]


BODIES = {
    "01": _receipt,
    "02": _supplement,
    "03": _refusal,
    "04": _apology,
    "05": _stop,
    "06": _control,
}

"""The pieces every slip is built from: fonts (Liberation Serif, Vietnamese), paragraph
styles, the national header, signature blocks, the owner's lines, the QR code, and how
values and times are written on paper (Vietnam time, dd/mm/yyyy)."""

from __future__ import annotations

import html
from datetime import datetime
from functools import lru_cache

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from app.documents.slip_data import TITLES, SlipData
from app.domain.status import VN_TZ

FONT_DIR = "/usr/share/fonts/truetype/liberation2"


@lru_cache(maxsize=1)
def register_fonts() -> None:
    """Register Liberation Serif (regular, bold, italic) with reportlab, once."""
    for name, file in (
        ("Serif", "LiberationSerif-Regular.ttf"),
        ("Serif-Bold", "LiberationSerif-Bold.ttf"),
        ("Serif-Italic", "LiberationSerif-Italic.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, f"{FONT_DIR}/{file}"))
    pdfmetrics.registerFontFamily(
        "Serif", normal="Serif", bold="Serif-Bold", italic="Serif-Italic", boldItalic="Serif-Bold"
    )


def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles slips use, by name."""
    base = ParagraphStyle("base", fontName="Serif", fontSize=12, leading=16)
    return {
        "body": ParagraphStyle("body", base, alignment=TA_JUSTIFY, spaceAfter=4),
        "center": ParagraphStyle("center", base, alignment=TA_CENTER),
        "bold_center": ParagraphStyle("bc", base, fontName="Serif-Bold", alignment=TA_CENTER),
        "title": ParagraphStyle(
            "title", base, fontName="Serif-Bold", fontSize=14, leading=18, alignment=TA_CENTER
        ),
        "small": ParagraphStyle("small", base, fontSize=10, leading=13),
        "small_center": ParagraphStyle("sc", base, fontSize=10, leading=13, alignment=TA_CENTER),
        "italic_center": ParagraphStyle("ic", base, fontName="Serif-Italic", alignment=TA_CENTER),
    }


def esc(value: str | None) -> str:
    """A plain value as text in reportlab's Paragraph markup (&, < and > escaped)."""
    return html.escape(value or "", quote=False)


def moment(value: datetime | None) -> str:
    """A time as written on a slip: "09 giờ 30 phút, ngày 24/11/2026" (Vietnam time)."""
    if value is None:
        return "—"
    local = value.astimezone(VN_TZ)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def short(value: datetime | None) -> str:
    """A time in a table cell: "09:30 24/11/2026" (Vietnam time), "—" when none."""
    return f"{value.astimezone(VN_TZ):%H:%M %d/%m/%Y}" if value else "—"


def header(data: SlipData, s: dict[str, ParagraphStyle], number: str, title: str) -> list:
    """The national header: agency and form number left, motto and date right, the title."""
    local = data.issued_at.astimezone(VN_TZ)
    left = [
        Paragraph(esc(data.parent_agency_name.upper()), s["small_center"]),
        Paragraph(f"<b>{esc(data.agency_name.upper())}</b>", s["small_center"]),
        Paragraph("———————", s["small_center"]),
        Paragraph(f"Mẫu số {number}" if number in TITLES else "", s["small_center"]),
    ]
    right = [
        Paragraph("<b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b>", s["small_center"]),
        Paragraph("<b>Độc lập - Tự do - Hạnh phúc</b>", s["small_center"]),
        Paragraph("———————", s["small_center"]),
        Paragraph(f"<i>ngày {local:%d} tháng {local:%m} năm {local:%Y}</i>", s["small_center"]),
    ]
    table = Table([[left, right]], colWidths=[75 * mm, 100 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [table, Spacer(1, 8 * mm), Paragraph(esc(title), s["title"]), Spacer(1, 2 * mm)]


def qr(code: str) -> Drawing:
    """The dossier code as a QR code, 28 mm square."""
    widget = QrCodeWidget(code)
    x1, y1, x2, y2 = widget.getBounds()
    size = 28 * mm
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    return drawing


def signatures(s: dict[str, ParagraphStyle], left: tuple[str, str], right: tuple[str, str]):
    """Two signature blocks side by side, each (title, name)."""

    def cell(title: str, name: str) -> list:
        return [
            Paragraph(f"<b>{esc(title)}</b>", s["center"]),
            Paragraph("<i>(Ký và ghi rõ họ tên)</i>", s["small_center"]),
            Spacer(1, 18 * mm),
            Paragraph(f"<b>{esc(name)}</b>", s["center"]),
        ]

    table = Table([[cell(*left), cell(*right)]], colWidths=[85 * mm, 85 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [Spacer(1, 8 * mm), table]


def owner_lines(data: SlipData, s: dict[str, ParagraphStyle]) -> list:
    """The dossier code, the owner, how to reach them, and what they asked for."""
    return [
        Paragraph(f"Mã hồ sơ: <b>{esc(data.dossier_code)}</b>", s["body"]),
        Paragraph(
            f"Ông/Bà: <b>{esc(data.owner_name)}</b> — số định danh: {esc(data.owner_id)}", s["body"]
        ),
        Paragraph(
            f"Số điện thoại: {esc(data.phone) or '—'}; thư điện tử: {esc(data.email) or '—'}",
            s["body"],
        ),
        Paragraph(
            f"Nội dung yêu cầu giải quyết: {esc(data.procedure_name)} ({esc(data.procedure_code)})",
            s["body"],
        ),
    ]

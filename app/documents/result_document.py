"""The result document (văn bản kết quả) drawn from a filled result template as PDF: the
national header (agency left; motto, place and date right), the number, the title, the body
with the officer's values, the signer's title. 001 §II.2.b Bước 5; 004 §2.

Every value is plain text: escaped before reportlab reads its paragraph markup, so a value
such as `<b>` or `<script>` is printed as typed, never interpreted.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.documents.slip_parts import esc, register_fonts, styles
from app.documents.slips import _RENDERING
from app.domain.status import VN_TZ


@dataclass(frozen=True)
class ResultPage:
    """What the result document says, all plain values."""

    parent_agency_name: str
    agency_name: str
    number: str
    place: str
    dated: datetime
    title: str
    body: str  # the template's body with the values filled in
    signer_title: str
    dossier_code: str


def render(page: ResultPage) -> bytes:
    """The result as a one-or-more-page A4 PDF, not signed."""
    register_fonts()
    s = styles()
    local = page.dated.astimezone(VN_TZ)
    place = f"{esc(page.place)}, " if page.place else ""
    left = [
        Paragraph(esc(page.parent_agency_name.upper()), s["small_center"]),
        Paragraph(f"<b>{esc(page.agency_name.upper())}</b>", s["small_center"]),
        Paragraph("———————", s["small_center"]),
        Paragraph(f"Số: {esc(page.number)}", s["small_center"]),
    ]
    right = [
        Paragraph("<b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b>", s["small_center"]),
        Paragraph("<b>Độc lập - Tự do - Hạnh phúc</b>", s["small_center"]),
        Paragraph("———————", s["small_center"]),
        Paragraph(
            f"<i>{place}ngày {local:%d} tháng {local:%m} năm {local:%Y}</i>", s["small_center"]
        ),
    ]
    top = Table([[left, right]], colWidths=[75 * mm, 100 * mm])
    top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story: list = [top, Spacer(1, 8 * mm), Paragraph(esc(page.title.upper()), s["title"])]
    story.append(Spacer(1, 4 * mm))
    for block in page.body.split("\n"):
        story.append(Paragraph(esc(block) or "&nbsp;", s["body"]))
    story += [
        Spacer(1, 6 * mm),
        Paragraph(
            "Văn bản điện tử có chữ ký số của người có thẩm quyền và của cơ quan; "
            f"có giá trị sử dụng như văn bản giấy. Hồ sơ: {esc(page.dossier_code)}.",
            s["small"],
        ),
        _signer(page.signer_title, s),
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{page.title} — {page.dossier_code}",
        author=page.agency_name,
        lang="vi",
    )
    with _RENDERING:  # reportlab's shared TrueType faces are not safe across threads
        doc.build(story)
    return buffer.getvalue()


def _signer(title: str, s: dict) -> Table:
    cell = [
        Paragraph(f"<b>{esc(title.upper())}</b>".replace("\n", "<br/>"), s["center"]),
        Paragraph("<i>(Chữ ký số)</i>", s["small_center"]),
    ]
    table = Table([["", cell]], colWidths=[85 * mm, 85 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table

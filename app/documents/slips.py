"""The slips of Circular 03/2025/TT-VPCP, Appendix I, as PDF (Liberation Serif, Vietnamese).

01 receipt and appointment (with the dossier code as QR), 02 request to supplement,
03 refusal, 04 apology and new appointment, 05 notice of stopping, 06 process control slip;
and the procedure's e-result. Each renders from a `SlipData` of plain values
(`app.documents.slip_data`); `app.services.documents.slips` gathers them. The pieces are in
`slip_parts`, the body of each slip in `slip_bodies`.
"""

from __future__ import annotations

import io
import threading

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate

from app.documents.slip_bodies import BODIES, result_body
from app.documents.slip_data import TITLES, SlipData
from app.documents.slip_parts import header, register_fonts, styles
from app.i18n import _l


def render_result(title: str, data: SlipData) -> bytes:
    """The e-result of a procedure (issued, then signed by the leader and the agency)."""
    register_fonts()
    return _build(title.upper(), "KQ", data, result_body(data, styles()))


def render(number: str, data: SlipData) -> bytes:
    """The slip as a PDF (A4)."""
    if number not in BODIES:
        raise ValueError(_l("Không có mẫu phiếu số %(number)s", number=number))
    return _build(TITLES[number], number, data, None)


# One PDF built at a time per process: reportlab subsets the embedded fonts through font
# objects shared by every document, and two threads subsetting at once corrupt each other.
_RENDERING = threading.Lock()


def _build(title: str, number: str, data: SlipData, body: list | None) -> bytes:
    register_fonts()
    sheet = styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{title} — {data.dossier_code}",
        author=data.agency_name,
        lang="vi",
    )
    top = header(data, sheet, number, title)
    with _RENDERING:  # reportlab's shared TrueType faces are not safe across threads
        doc.build(top + (body if body is not None else BODIES[number](data, sheet)))
    return buffer.getvalue()

"""Every slip renders in Vietnamese from plain data; its text reads back with pypdf."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from app.documents.slip_data import TITLES, ComponentLine, ControlRow, SlipData
from app.documents.slips import render

NOW = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)
DATA = SlipData(
    agency_name="UBND phường Ba Đình",
    parent_agency_name="UBND thành phố Hà Nội",
    dossier_code="000.00.12.H31-261124-0001",
    procedure_code="2.000488",
    procedure_name="Cấp Phiếu lý lịch tư pháp",
    owner_name="NGUYỄN VĂN ĐỨC",
    owner_id="001090012345",
    phone="0912345678",
    email="",
    received_at=NOW,
    due_at=NOW + timedelta(days=10),
    officer_name="Trần Thị Hương",
    issued_at=NOW,
    duration_text="10 ngày làm việc",
    result_place="Bộ phận một cửa",
    components=[ComponentLine("Tờ khai", 1, 0, 0)],
    reason="Hồ sơ giả mạo giấy tờ",
    items="Bản sao giấy khai sinh",
    new_due_at=NOW + timedelta(days=12),
    control_rows=[
        ControlRow(
            "Tiếp nhận hồ sơ",
            "UBND phường Ba Đình",
            NOW,
            "NGUYỄN VĂN ĐỨC",
            "Trần Thị Hương",
            NOW + timedelta(hours=4),
            NOW + timedelta(hours=1),
            "early",
        ),
        ControlRow(
            "Thẩm định hồ sơ",
            "UBND phường Ba Đình",
            NOW,
            "Trần Thị Hương",
            "Lê Văn Thẩm",
            NOW + timedelta(days=5),
            NOW + timedelta(days=6),
            "late",
        ),
    ],
)


@pytest.mark.parametrize("number", sorted(TITLES))
def test_each_slip_renders_with_the_dossiers_data(number):
    pdf = render(number, DATA)
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert TITLES[number] in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "NGUYỄN VĂN ĐỨC" in text and "UBND PHƯỜNG BA ĐÌNH" in text
    assert reader.metadata.title.endswith(DATA.dossier_code)
    expected = {
        "01": ["000.00.12.H31-261124-0001", "09 giờ 30 phút, ngày 24/11/2026", "Tờ khai 1 0 0"],
        "02": ["Bản sao giấy khai sinh"],
        "03": ["Hồ sơ giả mạo giấy tờ"],
        "04": ["ngày 04/12/2026", "ngày 06/12/2026", "xin lỗi"],
        "05": ["dừng giải quyết", "Hồ sơ giả mạo giấy tờ"],
        "06": ["Trước hạn", "Quá hạn", "Lê Văn Thẩm"],
    }[number]
    for fragment in expected:
        assert fragment in text


def test_an_unknown_slip_is_refused():
    with pytest.raises(ValueError, match="Không có mẫu"):
        render("07", DATA)


def test_the_pdfs_are_drawn_with_reportlabs_c_helpers():
    """A result is drawn at every appraisal and approval: with reportlab's pure-Python
    fallbacks (number formatting, string widths, stream encoding) instead of its C helpers
    (rl_accel, `reportlab[accel]`) a page costs about a quarter more CPU. The output is the
    same either way."""
    from reportlab.lib import rl_accel

    assert "fp_str" in rl_accel._c_funcs and "instanceStringWidthTTF" in rl_accel._c_funcs

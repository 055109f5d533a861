"""OCR with Tesseract's Vietnamese data on scans generated here."""

from __future__ import annotations

import pytest

from app.documents.ocr import ocr_pdf, suggest_fields, tesseract_available
from tests.documents.scans import CCCD_LINES, numbered_pdf, page_image, pdf_of, rotated


@pytest.fixture(autouse=True, scope="module")
def _vietnamese_language_pack() -> None:
    """OCR is part of the product: a machine without the Vietnamese data fails these tests
    (a skip would let a suite pass that never read a page)."""
    if not tesseract_available("vie"):
        pytest.fail(
            "Tesseract with its Vietnamese data is missing: install the packages "
            "tesseract-ocr and tesseract-ocr-vie (`make deps` does it)",
            pytrace=False,
        )


def test_a_vietnamese_scan_gives_back_the_cccd_number_and_the_name(tmp_path):
    path = tmp_path / "cccd.pdf"
    path.write_bytes(pdf_of([page_image(CCCD_LINES)]))
    pages = list(ocr_pdf(path, "vie"))
    assert [p.source for p in pages] == ["rendered"]
    fields = suggest_fields(pages[0].text, "KQ.G01.000023")
    assert fields["owner_id"] == "079095000123"
    assert fields["owner_id_type"] == "cccd"
    assert fields["owner_name"] == "NGUYỄN THỊ HỒNG NHUNG"
    assert fields["field_issued_on"] == "2021-03-15"
    assert fields["field_document_number"] == "079095000123"
    assert fields["field_issuer"].startswith("Cục Cảnh sát")


def test_a_page_scanned_sideways_is_read_upright(tmp_path):
    path = tmp_path / "xoay.pdf"
    path.write_bytes(rotated(pdf_of([page_image(CCCD_LINES).rotate(90, expand=True)]), 90))
    text = next(ocr_pdf(path, "vie")).text
    assert "079095000123" in text


def test_without_poppler_the_scanned_image_is_read_in_process(tmp_path):
    from app.documents.ocr import _ocr_in_process

    path = tmp_path / "xoay.pdf"
    path.write_bytes(rotated(pdf_of([page_image(CCCD_LINES).rotate(90, expand=True)]), 90))
    [page] = list(_ocr_in_process(path, "vie", 1, None))
    assert page.source == "image" and "079095000123" in page.text


def test_a_text_layer_is_used_as_it_is(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "digital.pdf"
    sheet = canvas.Canvas(str(path))
    sheet.drawString(100, 700, "Born-digital document number 001090012345")
    sheet.save()
    [page] = list(ocr_pdf(path, "vie"))
    assert page.source == "text_layer" and "001090012345" in page.text


def test_pages_read_in_parallel_come_back_in_page_order_with_the_same_text(tmp_path):
    path = tmp_path / "nhieu-trang.pdf"
    path.write_bytes(numbered_pdf(6))
    alone = list(ocr_pdf(path, "vie", workers=1))
    together = list(ocr_pdf(path, "vie", workers=3))
    assert [p.page for p in together] == [1, 2, 3, 4, 5, 6]
    assert together == alone
    assert [f"Trang {n}" in p.text for n, p in enumerate(together, 1)] == [True] * 6


@pytest.fixture
def slow_tesseract(monkeypatch):
    """Tesseract replaced by a slow stand-in that counts how many run at once."""
    import threading
    import time

    from app.documents import ocr

    state = {"running": 0, "most": 0, "calls": 0}
    lock = threading.Lock()

    def fake(png: bytes, lang: str) -> str:
        with lock:
            state["running"] += 1
            state["calls"] += 1
            state["most"] = max(state["most"], state["running"])
        time.sleep(0.3)
        with lock:
            state["running"] -= 1
        return "read"

    monkeypatch.setattr(ocr, "_tesseract", fake)
    return state


def test_pages_are_read_workers_at_a_time_and_never_more(tmp_path, slow_tesseract):
    path = tmp_path / "tam-trang.pdf"
    path.write_bytes(numbered_pdf(8))
    pages = list(ocr_pdf(path, "vie", workers=2))
    assert len(pages) == 8 and slow_tesseract["calls"] == 8
    assert slow_tesseract["most"] == 2


def test_a_reader_that_stops_early_leaves_no_page_being_read(tmp_path, slow_tesseract):
    path = tmp_path / "tam-trang.pdf"
    path.write_bytes(numbered_pdf(8))
    reading = ocr_pdf(path, "vie", workers=2)
    assert next(reading).page == 1
    reading.close()
    # the page read next was queued when page 1 came back; nothing further was started
    assert slow_tesseract["calls"] <= 3 and slow_tesseract["running"] == 0


def test_max_pages_bounds_the_parallel_read_too(tmp_path, slow_tesseract):
    path = tmp_path / "tam-trang.pdf"
    path.write_bytes(numbered_pdf(8))
    assert [p.page for p in ocr_pdf(path, "vie", max_pages=3, workers=4)] == [1, 2, 3]
    assert slow_tesseract["calls"] == 3


def test_fields_are_suggested_only_when_found():
    text = "Giấy khai sinh\nSố: 123/2020\nngày 5 tháng 6 năm 2020\nUBND phường Hoàn Kiếm\n"
    fields = suggest_fields(text, "KQ.G15.000031")
    assert fields == {
        "field_document_number": "123/2020",
        "field_issued_on": "2020-06-05",
        "field_issuer": "UBND phường Hoàn Kiếm",
    }
    # a 12-digit number with no valid province code is not taken as a CCCD
    assert "owner_id" not in suggest_fields("Mã: 999123456789", None)

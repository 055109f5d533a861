"""Intake of scans: real PDFs and images made here, checked the way the counter needs."""

from __future__ import annotations

import io
import os

import pytest
from pypdf import PdfReader

from app.documents.intake import ScanRejected, Upload, sniff, take_scans
from app.storage.files import FileStore
from tests.documents.scans import (
    CCCD_LINES,
    encrypted,
    image_bytes,
    numbered_pdf,
    page_image,
    pdf_of,
    rotated,
)

LIMIT = 2 * 1024 * 1024


@pytest.fixture
def store(tmp_path) -> FileStore:
    return FileStore(tmp_path / "files")


def take(store: FileStore, files: dict[str, bytes], pages: int, order: str = ""):
    uploads = [Upload(name, io.BytesIO(content)) for name, content in files.items()]
    return take_scans(uploads, pages, store, page_order=order, max_bytes=LIMIT)


def page_texts(store: FileStore, sha: str) -> list[str]:
    return [p.extract_text() for p in PdfReader(store.path(sha)).pages]


def test_a_good_pdf_is_kept_as_is_with_its_sha256_and_read_only(store):
    content = numbered_pdf(3)
    intake = take(store, {"scan.pdf": content}, 3)
    assert intake.pages == 3
    assert [o.kind for o in intake.originals] == ["pdf"]
    # a single PDF in order is not rewritten: the original is the file in force
    assert intake.sha256 == intake.originals[0].sha256
    assert store.path(intake.sha256).read_bytes() == content
    assert store.verify(intake.sha256)
    assert oct(store.path(intake.sha256).stat().st_mode & 0o777) == "0o444"


def test_images_become_pdf_pages_and_files_are_merged_in_the_order_chosen(store):
    first = image_bytes(page_image(["Trang một"], (800, 400)), "JPEG")
    second = image_bytes(page_image(["Trang hai"], (800, 400)), "PNG")
    intake = take(store, {"a.jpg": first, "b.png": second, "c.pdf": numbered_pdf(1)}, 3)
    assert intake.pages == 3
    assert [o.kind for o in intake.originals] == ["jpeg", "png", "pdf"]
    assert len(PdfReader(store.path(intake.sha256)).pages) == 3
    # the originals are kept unchanged next to the assembled file
    for original, content in zip(intake.originals, (first, second), strict=False):
        assert store.path(original.sha256).read_bytes() == content


def test_pages_can_be_reordered_and_every_page_must_appear_once(store):
    content = pdf_of([page_image([f"Trang {n}"], (600, 300)) for n in (1, 2, 3)])
    intake = take(store, {"scan.pdf": content}, 3, order="3,1-2")
    source = PdfReader(io.BytesIO(content)).pages
    result = PdfReader(store.path(intake.sha256)).pages
    sizes = [len(p.images[0].data) for p in source]
    assert [len(p.images[0].data) for p in result] == [sizes[2], sizes[0], sizes[1]]
    with pytest.raises(ScanRejected, match="thiếu trang") as missing:
        take(store, {"scan.pdf": content}, 3, order="3,1")
    assert missing.value.field == "page_order"
    with pytest.raises(ScanRejected, match="lặp"):
        take(store, {"scan.pdf": content}, 3, order="1,1,2,3")
    with pytest.raises(ScanRejected, match="Trang 4 không có"):
        take(store, {"scan.pdf": content}, 3, order="4,1,2")


def test_a_rotated_scan_is_taken_and_its_rotation_recorded(store):
    sideways = pdf_of([page_image(CCCD_LINES).rotate(90, expand=True)])
    intake = take(store, {"xoay.pdf": rotated(sideways, 90)}, 1)
    assert intake.rotations == [90]


def test_page_count_must_match_the_declared_paper_pages(store):
    with pytest.raises(
        ScanRejected, match=r"Số trang quét được \(3\) khác số trang giấy khai báo \(4\)"
    ) as exc:
        take(store, {"scan.pdf": numbered_pdf(3)}, 4)
    assert exc.value.field == "declared_pages"


def test_an_encrypted_pdf_is_refused(store):
    with pytest.raises(ScanRejected, match="mã hoá"):
        take(store, {"khoa.pdf": encrypted(numbered_pdf(1))}, 1)


def test_a_corrupt_pdf_is_refused(store):
    corrupt = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\n" + os.urandom(2000)
    with pytest.raises(ScanRejected, match="hỏng"):
        take(store, {"hong.pdf": corrupt}, 1)
    truncated = numbered_pdf(2)[:300]
    with pytest.raises(ScanRejected, match="hỏng|không có trang"):
        take(store, {"cut.pdf": truncated}, 2)


def test_the_type_is_sniffed_not_taken_from_the_name(store):
    with pytest.raises(ScanRejected, match="không phải PDF hoặc ảnh"):
        take(store, {"giả.pdf": b"Hello, this is plain text pretending to be a PDF"}, 1)
    # a real PNG named .pdf is taken as an image
    png = image_bytes(page_image(["Ảnh"], (400, 200)))
    intake = take(store, {"anh.pdf": png}, 1)
    assert intake.originals[0].kind == "png"
    assert sniff(b"%PDF-1.4") == "pdf" and sniff(b"GIF89a") is None


def test_an_oversized_file_is_refused_and_nothing_is_kept(store):
    big = numbered_pdf(1) + b"%" + b"0" * (LIMIT + 10)
    with pytest.raises(ScanRejected, match="vượt quá giới hạn"):
        take(store, {"lon.pdf": big}, 1)
    kept = [p for p in store.root.rglob("*") if p.is_file()]
    assert kept == []


def test_a_broken_image_and_empty_input_are_refused(store):
    with pytest.raises(ScanRejected, match="Ảnh"):
        take(store, {"x.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 50}, 1)
    with pytest.raises(ScanRejected, match="Chưa chọn"):
        take_scans([], 1, store, max_bytes=LIMIT)
    with pytest.raises(ScanRejected, match="rỗng"):
        take(store, {"empty.pdf": b""}, 1)

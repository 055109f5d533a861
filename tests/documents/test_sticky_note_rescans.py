"""Sticky-note rescans (001 §II.2.c): a page scanned again because a sticky note covered part of
it is kept beside the pages; the "number of images = number of paper pages" rule counts the
rest. Declaring every image a rescan, or an image twice, or one that does not exist is refused."""

from __future__ import annotations

import io
import time

import pytest

from app.documents.intake import ScanRejected, Upload, take_scans
from app.domain.documents import parse_page_order
from app.storage.files import FileStore
from tests.documents.scans import numbered_pdf

LIMIT = 20 * 1024 * 1024


@pytest.fixture
def store(tmp_path) -> FileStore:
    return FileStore(tmp_path / "files")


def take(store: FileStore, images: int, pages: int | None, rescans: str, order: str = ""):
    upload = Upload("scan.pdf", io.BytesIO(numbered_pdf(images)))
    return take_scans([upload], pages, store, page_order=order, rescans=rescans, max_bytes=LIMIT)


def test_001_II_2_c_a_rescanned_page_is_kept_and_not_counted_as_a_page(store):
    intake = take(store, 3, 2, "3")
    assert (intake.pages, intake.rescans) == (3, [3])


def test_without_the_declaration_the_extra_image_is_still_refused(store):
    with pytest.raises(ScanRejected) as refused:
        take(store, 3, 2, "")
    assert refused.value.field == "declared_pages"


def test_a_rescan_lands_where_the_page_order_puts_it(store):
    intake = take(store, 3, 2, "1", order="2,1,3")
    assert intake.rescans == [2]


@pytest.mark.parametrize("spec", ["1,2,3", "1-3", "3-1"])
def test_declaring_every_image_a_rescan_is_refused(store, spec):
    with pytest.raises(ScanRejected) as refused:
        take(store, 3, 1, spec)
    assert refused.value.field == "rescans" and "ít nhất một trang" in refused.value.message


@pytest.mark.parametrize(
    "spec",
    ["0", "4", "2,2", "2-3,3", "a", "-1", "1;2", "1-999999999", "١", "2" * 400],
)
def test_a_wrong_rescan_declaration_is_refused_on_its_field(store, spec):
    with pytest.raises(ScanRejected) as refused:
        take(store, 3, 2, spec)
    assert refused.value.field == "rescans"


def test_rescans_that_leave_a_different_page_count_are_refused_with_the_arithmetic(store):
    with pytest.raises(ScanRejected) as refused:
        take(store, 4, 2, "4")
    assert refused.value.field == "declared_pages"
    assert "4" in refused.value.message and "3" in refused.value.message


def test_a_file_already_electronic_declares_no_rescans(store):
    with pytest.raises(ScanRejected) as refused:
        take(store, 2, None, "2")
    assert refused.value.field == "rescans"


def test_a_huge_page_range_is_refused_at_once_not_expanded():
    started = time.perf_counter()
    for spec in ("1-999999999", "1-3," * 50_000 + "1"):
        with pytest.raises(ValueError):
            parse_page_order(spec, 3)
    assert time.perf_counter() - started < 1

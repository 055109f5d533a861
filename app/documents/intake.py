"""Intake of scans (001 §II.2.c): PDFs or images, checked, converted and assembled into one PDF.

Every uploaded original is kept as it came (immutable, by SHA-256) before anything else; the
type is sniffed from the bytes, never taken from the name; encrypted, unreadable, oversized
and wrong-type files are refused with a message; the assembled PDF must have exactly the
number of pages the officer declared ("number of images = number of input pages, in order").
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import BinaryIO

from PIL import Image, ImageSequence
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError, PyPdfError

from app.domain.documents import parse_page_order, parse_rescans
from app.i18n import _l
from app.storage.files import FileStore, Stored, TooLarge

DEFAULT_DPI = 200


class ScanRejected(ValueError):
    """A file or a page declaration that cannot be taken; `message` is for the officer."""

    def __init__(self, message: str, field: str = "files") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Upload:
    filename: str
    stream: BinaryIO


@dataclass(frozen=True)
class Original:
    filename: str
    kind: str  # pdf | jpeg | png | tiff
    sha256: str
    size: int
    pages: int


@dataclass
class Intake:
    sha256: str
    size: int
    pages: int
    originals: list[Original]
    rotations: list[int] = field(default_factory=list)  # /Rotate of each page, in order
    signed: bool = False  # the assembled file is an untouched original with signatures
    # images declared as sticky-note rescans: 1-based positions in the assembled file
    rescans: list[int] = field(default_factory=list)


_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
)


def sniff(head: bytes) -> str | None:
    """The file type from its first bytes (a PDF may have up to 1 KB of junk before %PDF-)."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return "pdf" if b"%PDF-" in head[:1024] else None


def sniff_stored(store: FileStore, sha256: str) -> str | None:
    """The type of a stored file, from its first kilobyte."""
    with store.open(sha256) as source:
        return sniff(source.read(1024))


def lazy_reader(handle: BinaryIO) -> PdfReader:
    """A reader that reads from the open file as it needs (pypdf given a *path* reads the whole
    file into memory first)."""
    return PdfReader(handle, strict=False)


@contextmanager
def open_pdf(path: os.PathLike[str] | str, name: str) -> Iterator[PdfReader]:
    """A reader over the file, read lazily from disk; ScanRejected when it cannot be used."""
    with open(path, "rb") as handle:
        yield _checked(handle, name)


def _checked(handle: BinaryIO, name: str) -> PdfReader:
    try:
        reader = lazy_reader(handle)
        if reader.is_encrypted:
            raise ScanRejected(
                _l("Tệp “%(name)s” được mã hoá hoặc đặt mật khẩu: không tiếp nhận", name=name)
            )
        count = len(reader.pages)
        if count == 0:
            raise ScanRejected(_l("Tệp “%(name)s” không có trang nào", name=name))
        for page in reader.pages:
            _ = page.mediabox  # each page object must resolve
    except ScanRejected:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ScanRejected(
            _l("Tệp “%(name)s” hỏng hoặc không phải PDF hợp lệ (%(exc)s)", name=name, exc=exc)
        ) from exc
    return reader


def has_signatures(reader: PdfReader) -> bool:
    try:
        fields = reader.get_fields() or {}
    except (PdfReadError, PyPdfError):
        return False
    return any(f.get("/FT") == "/Sig" and f.get("/V") is not None for f in fields.values())


def _image_to_pdf(store: FileStore, original: Stored, name: str) -> tuple[str, int]:
    """Each frame of the image as one PDF page (RGB, the scan's own dpi or 200 dpi)."""
    try:
        with Image.open(original.path) as image:
            dpi = image.info.get("dpi", (DEFAULT_DPI, DEFAULT_DPI))[0] or DEFAULT_DPI
            frames = [frame.convert("RGB") for frame in ImageSequence.Iterator(image)]
    except (OSError, Image.DecompressionBombError, ValueError) as exc:
        raise ScanRejected(
            _l("Ảnh “%(name)s” hỏng hoặc không đọc được (%(exc)s)", name=name, exc=exc)
        ) from exc
    fd, tmp = tempfile.mkstemp(suffix=".pdf")
    os.close(fd)
    try:
        frames[0].save(tmp, "PDF", resolution=float(dpi), save_all=True, append_images=frames[1:])
        stored = store.put_file(tmp)
    finally:
        os.unlink(tmp)
    return stored.sha256, len(frames)


def take_scans(
    uploads: Sequence[Upload],
    declared_pages: int | None,
    store: FileStore,
    *,
    page_order: str = "",
    rescans: str = "",
    max_bytes: int,
    max_pages: int = 500,
) -> Intake:
    """Keep the originals, check them, and assemble one PDF with the pages in `page_order`.
    `declared_pages` is the paper's page count the scan must match (None for a file that is
    already electronic, e.g. a citizen's upload on the portal)."""
    if not uploads:
        raise ScanRejected(_l("Chưa chọn tệp quét nào"))
    if declared_pages is not None and not 1 <= declared_pages <= max_pages:
        raise ScanRejected(
            _l("Số trang khai báo phải từ 1 đến %(max_pages)s", max_pages=max_pages),
            "declared_pages",
        )
    originals: list[Original] = []
    parts: list[tuple[str, int]] = []  # (sha256 of a PDF, pages)
    for upload in uploads:
        name = os.path.basename(upload.filename or "tệp")
        try:
            stored = store.put_stream(upload.stream, max_bytes)
        except TooLarge as exc:
            raise ScanRejected(_l("Tệp “%(name)s”: %(exc)s", name=name, exc=exc)) from exc
        if stored.size == 0:
            raise ScanRejected(_l("Tệp “%(name)s” rỗng", name=name))
        kind = sniff_stored(store, stored.sha256)
        if kind is None:
            raise ScanRejected(
                _l(
                    "Tệp “%(name)s” không phải PDF hoặc ảnh quét (JPEG, PNG, TIFF): không "
                    "tiếp nhận",
                    name=name,
                )
            )
        if kind == "pdf":
            with open_pdf(stored.path, name) as reader:
                pages = len(reader.pages)
            parts.append((stored.sha256, pages))
        else:
            pdf_sha, pages = _image_to_pdf(store, stored, name)
            parts.append((pdf_sha, pages))
        originals.append(Original(name, kind, stored.sha256, stored.size, pages))
    total = sum(pages for _, pages in parts)
    if total > max_pages:
        raise ScanRejected(
            _l("Tệp có %(total)s trang, quá %(max_pages)s trang", total=total, max_pages=max_pages)
        )
    extra = _rescans(rescans, total, declared_pages)
    if declared_pages is not None and total - len(extra) != declared_pages:
        raise ScanRejected(
            _l(
                "Số trang quét được (%(total)s) khác số trang giấy khai báo "
                "(%(declared_pages)s): mỗi trang giấy phải có đúng một trang ảnh, theo "
                "thứ tự",
                total=total - len(extra),
                declared_pages=declared_pages,
            )
            if not extra
            else _l(
                "Số ảnh quét (%(total)s) trừ %(rescans)s ảnh quét lại là %(rest)s, khác số "
                "trang giấy khai báo (%(declared_pages)s)",
                total=total,
                rescans=len(extra),
                rest=total - len(extra),
                declared_pages=declared_pages,
            ),
            "declared_pages",
        )
    try:
        order = parse_page_order(page_order, total)
    except ValueError as exc:
        raise ScanRejected(str(exc), "page_order") from exc
    # where each rescan lands once the pages are put in order
    positions = sorted(order.index(image) + 1 for image in extra)
    if len(parts) == 1 and order == list(range(total)):
        sha, _ = parts[0]
        with open_pdf(store.path(sha), originals[0].filename) as reader:
            return Intake(
                sha,
                store.path(sha).stat().st_size,
                total,
                originals,
                [page.rotation % 360 for page in reader.pages],
                signed=originals[0].kind == "pdf" and has_signatures(reader),
                rescans=positions,
            )
    intake = _assemble(store, parts, order, originals)
    intake.rescans = positions
    return intake


def _rescans(spec: str, total: int, declared_pages: int | None) -> list[int]:
    """The images (0-based, upload order) declared as rescans of a page with a sticky note
    (001 §II.2.c): kept beside the pages, not counted as pages; only for paper that was
    counted, and never every image."""
    if not (spec or "").strip():
        return []
    if declared_pages is None:
        raise ScanRejected(_l("Ảnh quét lại chỉ khai báo khi số hoá giấy tờ giấy"), "rescans")
    try:
        return parse_rescans(spec, total)
    except ValueError as exc:
        raise ScanRejected(str(exc), "rescans") from exc


def _assemble(
    store: FileStore, parts: list[tuple[str, int]], order: list[int], originals: list[Original]
) -> Intake:
    with ExitStack() as stack:
        readers = [
            lazy_reader(stack.enter_context(open(store.path(sha), "rb"))) for sha, _ in parts
        ]
        flat = [(reader, index) for reader in readers for index in range(len(reader.pages))]
        writer = PdfWriter()
        for position in order:
            reader, index = flat[position]
            writer.add_page(reader.pages[index])
        rotations = [flat[p][0].pages[flat[p][1]].rotation % 360 for p in order]
        fd, tmp = tempfile.mkstemp(suffix=".pdf")
        try:
            with os.fdopen(fd, "wb") as out:
                writer.write(out)
            stored = store.put_file(tmp)
        finally:
            os.unlink(tmp)
    return Intake(stored.sha256, stored.size, len(order), originals, rotations)

"""Text from scans with Tesseract (Vietnamese data), and fields suggested from that text.

A page's text layer is used when it has one (pdftotext); otherwise poppler renders the page
upright (its /Rotate applied) at 200 dpi and Tesseract reads it
(`tesseract stdin stdout -l vie`). Without poppler, pypdf gives the page's scanned image.
Pages are read in parallel, one at a time per core (OCR_PROCESSES), and come back in order.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from app import settings
from app.domain.identifiers import CCCD_PROVINCES
from app.i18n import _l

TIMEOUT = 120
DPI = 200


class OcrUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class PageText:
    page: int  # 1-based
    source: str  # text_layer | image | rendered
    text: str


def tesseract_available(lang: str = "vie") -> bool:
    exe = shutil.which("tesseract")
    if exe is None:
        return False
    listed = subprocess.run(  # nosec B603 # fixed argument list, no shell
        [exe, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
    )
    return lang in listed.stdout.split()


def ocr_image(image: Image.Image, lang: str = "vie") -> str:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return _tesseract(buffer.getvalue(), lang)


def _tesseract(png: bytes, lang: str) -> str:
    exe = shutil.which("tesseract")
    if exe is None:
        raise OcrUnavailable(_l("Chưa cài Tesseract (gói tesseract-ocr, tesseract-ocr-vie)"))
    # No shell; the image goes in on stdin and `lang` is the operator's OCR_LANG setting.
    # One thread per Tesseract: the pages run in parallel, and OpenMP threads on top of that
    # only fight over the same cores.
    done = subprocess.run(  # nosec B603 # fixed argument list, no shell
        [exe, "stdin", "stdout", "-l", lang, "--psm", "3"],
        input=png,
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    if done.returncode != 0:
        raise OcrUnavailable(done.stderr.decode("utf-8", "replace").strip()[:500])
    return done.stdout.decode("utf-8", "replace")


def _poppler(*args: str) -> bytes | None:
    """Run a poppler tool (pdftotext, pdftoppm); None when it is missing or fails."""
    exe = shutil.which(args[0])
    if exe is None:
        return None
    # No shell; the callers pass a poppler tool's name, fixed options and the stored file's path.
    done = subprocess.run(  # nosec B603 # fixed argument list, no shell
        [exe, *args[1:]], capture_output=True, timeout=TIMEOUT, check=False
    )
    return done.stdout if done.returncode == 0 else None


def ocr_pdf(
    path: Path, lang: str = "vie", max_pages: int | None = None, workers: int | None = None
) -> Iterator[PageText]:
    """Text of each page, in order. Poppler renders a page (with its /Rotate) and Tesseract
    reads it, both as child processes, `workers` pages at a time (default: OCR_PROCESSES, or
    one per core); this process holds at most that many pages' results, so memory stays flat
    however long the scan is."""
    with open(path, "rb") as handle:
        count = len(PdfReader(handle, strict=False).pages)
    if shutil.which("pdftoppm") is None:
        yield from _ocr_in_process(path, lang, count, max_pages)
        return
    numbers = iter(range(1, (count if max_pages is None else min(count, max_pages)) + 1))
    workers = max(1, workers or settings.current.OCR_PROCESSES or len(os.sched_getaffinity(0)))
    pool = ThreadPoolExecutor(workers, thread_name_prefix="ocr")
    try:
        pending: deque[Future[PageText]] = deque(
            pool.submit(_read_page, path, n, lang) for n in islice(numbers, workers)
        )
        while pending:
            page = pending.popleft().result()
            for n in islice(numbers, 1):
                pending.append(pool.submit(_read_page, path, n, lang))
            yield page
    finally:
        # a reader that stops early (or an error) leaves no page queued behind it
        pool.shutdown(wait=True, cancel_futures=True)


def _read_page(path: Path, number: int, lang: str) -> PageText:
    """One page: its text layer when it has one, else rendered and read by Tesseract."""
    pages = ("-f", str(number), "-l", str(number))
    layer = (_poppler("pdftotext", *pages, "-enc", "UTF-8", str(path), "-") or b"").strip()
    if len(layer) >= 20:
        return PageText(number, "text_layer", layer.decode("utf-8", "replace"))
    png = _poppler("pdftoppm", *pages, "-r", str(DPI), "-gray", "-png", str(path))
    return PageText(number, "rendered", _tesseract(png, lang) if png else "")


def _ocr_in_process(path: Path, lang: str, count: int, max_pages: int | None) -> Iterator[PageText]:
    """Without poppler: the page's text layer or its largest image, through pypdf."""
    with open(path, "rb") as handle:
        yield from _pages_in_process(PdfReader(handle, strict=False), lang, count, max_pages)


def _pages_in_process(reader: PdfReader, lang: str, count: int, max_pages: int | None):
    for index in range(count if max_pages is None else min(count, max_pages)):
        page = reader.pages[index]
        layer = (page.extract_text() or "").strip()
        if len(layer) >= 20:
            yield PageText(index + 1, "text_layer", layer)
            continue
        images = [i.image for i in page.images if i.image is not None]
        if not images:
            yield PageText(index + 1, "image", "")
            continue
        image = max(images, key=lambda i: i.width * i.height)
        rotation = page.rotation % 360
        upright = image.rotate(-rotation, expand=True) if rotation else image
        yield PageText(index + 1, "image", ocr_image(upright, lang))


# --- fields suggested from the text (the officer confirms or corrects them) -----------------

_ID12 = re.compile(r"(?<!\d)(\d{12})(?!\d)")
_ID9 = re.compile(r"(?<!\d)(\d{9})(?!\d)")
_NAME = re.compile(
    r"(?:Họ\s*(?:,|và)?\s*(?:chữ\s*đệm\s*và\s*)?tên|Full\s*name)[^:\n]*[:：]\s*(.+)", re.I
)
_NUMBER = re.compile(r"(?:^|\n)\s*(?:Số|No\.?)\s*(?:/\s*No\.?)?\s*[:：]\s*([\w./-]+)", re.I)
_DATE_DMY = re.compile(r"(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})")
_DATE_WORDS = re.compile(r"ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})", re.I)
_ISSUED = re.compile(r"(?:Ngày\s*cấp|Date\s*of\s*issue)[^:\n]*[:：]\s*([^\n]+)", re.I)
_ISSUER = re.compile(r"(?:Nơi\s*cấp|Cơ\s*quan\s*cấp|Issued\s*by)[^:\n]*[:：]\s*([^\n]+)", re.I)
_ISSUER_LINE = re.compile(r"^\s*((?:UBND|ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN|BỘ|SỞ|CỤC)\b[^\n]*)", re.M)


def _iso(day: str, month: str, year: str) -> str | None:
    from datetime import date

    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _first_date(text: str) -> str | None:
    for pattern in (_DATE_DMY, _DATE_WORDS):
        match = pattern.search(text)
        if match and (value := _iso(*match.groups())):
            return value
    return None


def suggest_fields(text: str, type_code: str | None = None) -> dict[str, str]:
    """Owner identifier and name, document number, issue date and issuer, where found."""
    found: dict[str, str] = {}
    for match in _ID12.finditer(text):
        if match.group(1)[:3] in CCCD_PROVINCES:
            found["owner_id_type"], found["owner_id"] = "cccd", match.group(1)
            break
    else:
        if match := _ID9.search(text):
            found["owner_id_type"], found["owner_id"] = "cmnd", match.group(1)
    if match := _NAME.search(text):
        name = re.sub(r"[^\wÀ-ỹ\s]", " ", match.group(1), flags=re.UNICODE)
        name = " ".join(w for w in name.split() if not w.isdigit())
        if len(name) >= 2:
            found["owner_name"] = name.upper()
    if match := _NUMBER.search(text):
        found["field_document_number"] = match.group(1).strip(".")
    if type_code == "KQ.G01.000023" and found.get("owner_id"):
        found["field_document_number"] = found["owner_id"]
    issued = _ISSUED.search(text)
    if value := _first_date(issued.group(1) if issued else text):
        found["field_issued_on"] = value
    if match := _ISSUER.search(text) or _ISSUER_LINE.search(text):
        found["field_issuer"] = " ".join(match.group(1).split())
    return found

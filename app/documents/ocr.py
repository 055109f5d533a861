"""Text from scans with Tesseract (Vietnamese data), and fields suggested from that text.

Pages are handled one at a time: a text layer is used when the page has one, otherwise its
scanned image (turned upright by the page's /Rotate), otherwise the page is rendered with
pdftoppm. Tesseract runs as a process (`tesseract stdin stdout -l vie`).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from app.domain.identifiers import CCCD_PROVINCES

TIMEOUT = 120
READER_SPAN = 10


class OcrUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class PageText:
    page: int  # 1-based
    source: str  # text_layer | image | rendered
    text: str


def tesseract_available(lang: str = "vie") -> bool:
    if shutil.which("tesseract") is None:
        return False
    listed = subprocess.run(
        ["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30, check=False
    )
    return lang in listed.stdout.split()


def ocr_image(image: Image.Image, lang: str = "vie") -> str:
    if shutil.which("tesseract") is None:
        raise OcrUnavailable("Chưa cài Tesseract (gói tesseract-ocr, tesseract-ocr-vie)")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    done = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", lang, "--psm", "3"],
        input=buffer.getvalue(),
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise OcrUnavailable(done.stderr.decode("utf-8", "replace").strip()[:500])
    return done.stdout.decode("utf-8", "replace")


def _render(path: Path, number: int, dpi: int = 200) -> Image.Image | None:
    if shutil.which("pdftoppm") is None:
        return None
    done = subprocess.run(
        ["pdftoppm", "-f", str(number), "-l", str(number), "-r", str(dpi), "-png", str(path)],
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )
    return Image.open(io.BytesIO(done.stdout)) if done.returncode == 0 and done.stdout else None


def _page_image(page, path: Path, number: int) -> tuple[str, Image.Image | None]:  # noqa: ANN001
    images = list(page.images)
    if images:
        largest = max(images, key=lambda i: (i.image.width * i.image.height) if i.image else 0)
        if largest.image is not None:
            rotation = page.rotation % 360
            image = largest.image
            return "image", image.rotate(-rotation, expand=True) if rotation else image
    return "rendered", _render(path, number)


def ocr_pdf(path: Path, lang: str = "vie", max_pages: int | None = None) -> Iterator[PageText]:
    """Text of each page, in order, one page in memory at a time."""
    count = len(PdfReader(path, strict=False).pages)
    reader = None
    for index in range(count if max_pages is None else min(count, max_pages)):
        if index % READER_SPAN == 0:
            # pypdf caches every object it has resolved; a fresh reader every few pages keeps
            # memory flat however long the scan is.
            reader = PdfReader(path, strict=False)
        page = reader.pages[index]
        layer = (page.extract_text() or "").strip()
        if len(layer) >= 20:
            yield PageText(index + 1, "text_layer", layer)
            continue
        source, image = _page_image(page, path, index + 1)
        yield PageText(index + 1, source, ocr_image(image, lang) if image is not None else "")


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

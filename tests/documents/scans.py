"""Real scan files made in the tests: Vietnamese text rendered to images and PDFs."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
CCCD_LINES = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "CĂN CƯỚC CÔNG DÂN",
    "Số: 079095000123",
    "Họ và tên: NGUYỄN THỊ HỒNG NHUNG",
    "Ngày cấp: 15/03/2021",
    "Nơi cấp: Cục Cảnh sát quản lý hành chính về trật tự xã hội",
]


def page_image(lines: list[str], size: tuple[int, int] = (1654, 1100)) -> Image.Image:
    """A white page (200 dpi A4 width) with each line in black, 40 px Liberation Serif."""
    font = ImageFont.truetype(FONT, 40)
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((80, 80 + i * 90), line, fill="black", font=font)
    return image


def image_bytes(image: Image.Image, kind: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind, dpi=(200, 200))
    return buffer.getvalue()


def pdf_of(images: list[Image.Image]) -> bytes:
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=200.0, save_all=True, append_images=images[1:])
    return buffer.getvalue()


def numbered_pdf(pages: int, lines: list[str] | None = None) -> bytes:
    """`pages` small pages, page n saying "Trang n" (cheap to make and to OCR)."""
    images = [
        page_image([*(lines or []), f"Trang {n}"], size=(800, 400)) for n in range(1, pages + 1)
    ]
    return pdf_of(images)


def rotated(pdf: bytes, degrees: int) -> bytes:
    """The same pages with /Rotate set (as a scanner does for a page fed sideways)."""
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
        writer.pages[-1].rotate(degrees)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def encrypted(pdf: bytes) -> bytes:
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt("mat-khau")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()

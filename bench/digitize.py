"""Digitizing throughput and memory: validation + OCR + signing of generated scans.

    .venv/bin/python bench/digitize.py [--pages 20] [--memory 20,100,200] [--ocr-limit N]
                                       [--text-pages N]

Runs a `--pages` scan (A4 at 200 dpi, one JPEG image per page, six lines of Vietnamese text
each; with `--text-pages N` the first N pages are born-digital text, with a text layer)
through `take_scans` (sniff, parse, page count), `ocr.ocr_pdf` and the officer's PAdES
signature. Pages per second divide by the pages Tesseract actually read, counted by wrapping
the one function that runs it: a page whose text layer was used, or that `--ocr-limit` left
out, is not in the rate (all counts are printed). Two rates: OCR alone (OCR'd pages / OCR
time) and end to end (OCR'd pages / validation + OCR + signing time). Then, for each size in
`--memory`, the peak resident memory of a fresh process running the same pipeline, to show it
does not grow with the number of pages. Each measurement runs in its own process.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

LINES = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "GIẤY KHAI SINH",
    "Số: {n}/2026",
    "Họ và tên: NGUYỄN VĂN AN",
    "Ngày cấp: 15/03/2021",
    "Nơi cấp: UBND phường Ba Đình",
]


FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"


def text_page(n: int) -> io.BytesIO:
    """One born-digital A4 page: the same lines as a scan, as text (so it has a text layer)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("BenchSerif", FONT))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setFont("BenchSerif", 14)
    for i, line in enumerate(LINES):
        page.drawString(50, A4[1] - 60 - i * 30, line.format(n=n))
    page.save()
    buffer.seek(0)
    return buffer


def make_scan(path: Path, pages: int, text_pages: int = 0) -> None:
    """A `pages`-page scan written page by page (never the whole document in memory); the
    first `text_pages` pages are born-digital text instead of images."""
    from PIL import Image, ImageDraw, ImageFont
    from pypdf import PdfReader, PdfWriter

    font = ImageFont.truetype(FONT, 40)
    writer = PdfWriter()
    for n in range(1, pages + 1):
        if n <= text_pages:
            writer.add_page(PdfReader(text_page(n)).pages[0])
            continue
        image = Image.new("RGB", (1654, 2339), "white")
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(LINES):
            draw.text((120, 150 + i * 90), line.format(n=n), fill="black", font=font)
        buffer = io.BytesIO()
        image.save(buffer, "PDF", resolution=200.0, quality=80)
        writer.add_page(PdfReader(buffer).pages[0])
    with open(path, "wb") as out:
        writer.write(out)


def pipeline(scan: str, pages: int, ocr_limit: int | None) -> dict:
    """In a child process: intake, OCR of every page, signature; times and peak memory."""
    from app.documents import ocr, signing
    from app.documents.intake import Upload, take_scans
    from app.documents.pki import DemoPKI
    from app.storage.files import FileStore

    work = Path(tempfile.mkdtemp(prefix="bench-digitize-"))
    store = FileStore(work / "files")
    officer = DemoPKI(work / "pki").identity("officer", "bench", "Cán bộ đo", "UBND")
    tesseract_runs = count_calls(ocr, "_tesseract")
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with open(scan, "rb") as source:
        intake = take_scans([Upload("scan.pdf", source)], pages, store, max_bytes=2**34)
    validated = time.perf_counter()
    read, sources = 0, Counter()
    for page in ocr.ocr_pdf(store.path(intake.sha256), "vie", ocr_limit):
        read += 1 if "NGUYỄN" in page.text else 0
        sources[page.source] += 1
    recognised = time.perf_counter()
    signed = signing.sign_to_file(store.path(intake.sha256), officer, field_name="SoHoa")
    done = time.perf_counter()
    os.unlink(signed)
    return {
        "pages": intake.pages,
        "ocr_pages": tesseract_runs[0],
        "text_layer_pages": sources["text_layer"],
        "not_read_pages": intake.pages - sum(sources.values()),
        "names_read": read,
        "validate_s": validated - started,
        "ocr_s": recognised - validated,
        "sign_s": done - recognised,
        "total_s": done - started,
        "baseline_kb": baseline,
        "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def count_calls(module: object, name: str) -> list[int]:
    """Wrap `module.name` so each call is counted; the returned list holds the count."""
    calls = [0]
    original = getattr(module, name)

    def counted(*args: object, **kwargs: object) -> object:
        calls[0] += 1
        return original(*args, **kwargs)

    setattr(module, name, counted)
    return calls


def run_child(scan: Path, pages: int, ocr_limit: int | None) -> dict:
    out = subprocess.run(  # nosec B603 # this Python on this file, fixed argument list
        [sys.executable, __file__, "--child", str(scan), str(pages), str(ocr_limit or 0)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--memory", default="20,100,200")
    parser.add_argument("--ocr-limit", type=int, default=0, help="OCR at most N pages (0: all)")
    parser.add_argument("--text-pages", type=int, default=0, help="first N pages as text")
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        scan, pages, limit = args.child
        print(json.dumps(pipeline(scan, int(pages), int(limit) or None)))
        return
    work = Path(tempfile.mkdtemp(prefix="bench-scans-"))
    sizes = sorted({args.pages, *(int(s) for s in args.memory.split(",") if s)})
    scans = {}
    for size in sizes:
        scans[size] = work / f"scan-{size}.pdf"
        make_scan(scans[size], size, args.text_pages)
    result = run_child(scans[args.pages], args.pages, args.ocr_limit or None)
    ocr_pages = result["ocr_pages"]
    print(f"{result['pages']}-page scan, A4 200 dpi:")
    print(
        f"  pages OCR'd by Tesseract {ocr_pages}, text layer used {result['text_layer_pages']}, "
        f"not read (--ocr-limit) {result['not_read_pages']}; name read on {result['names_read']}"
    )
    print(
        f"  validation {result['validate_s']:.2f} s, OCR {result['ocr_s']:.2f} s, "
        f"signing {result['sign_s']:.2f} s"
    )
    if ocr_pages:
        print(
            f"  throughput, dividing by the {ocr_pages} pages OCR'd: "
            f"{ocr_pages / result['ocr_s']:.2f} pages/s OCR alone, "
            f"{ocr_pages / result['total_s']:.2f} pages/s end to end"
        )
    else:
        print("  throughput: no page was OCR'd, no rate")
    print("peak resident memory of the pipeline process (validation + OCR + signing):")
    for size in sizes:
        row = run_child(scans[size], size, args.ocr_limit or None)
        size_mb = scans[size].stat().st_size / 1e6
        print(
            f"  {size:4d} pages ({size_mb:6.1f} MB): peak {row['peak_kb'] / 1024:6.1f} MB "
            f"(after imports {row['baseline_kb'] / 1024:6.1f} MB), {row['total_s']:.1f} s"
        )


if __name__ == "__main__":
    main()

"""Serving a document's file from a simulator (Kho DL, the national databases) as the real
source does: a PDF with its SHA-256 in a header, only to a caller asking for the document's
owner; and the ways a real source misbehaves, for tests (`POST /_sim/file-faults`)."""

from __future__ import annotations

import hashlib
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from flask import Flask, Response, jsonify, redirect, request

from app.integrations.reused_files import HASH_HEADER

# What /_sim/file-faults can make the next file calls do.
MODES = ("down", "corrupt", "oversize", "html", "redirect", "trickle", "other_owner")


@dataclass
class FileFaults:
    mode: str = ""
    times: int = 0  # how many calls the mode applies to (0: every call until reset)
    size: int = 0  # bytes sent by "oversize"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def set(self, body: dict[str, Any]) -> None:
        with self.lock:
            self.mode = str(body.get("mode") or "")
            self.times = int(body.get("times", 0))
            self.size = int(body.get("size", 0))

    def take(self, modes: tuple[str, ...]) -> str:
        """The fault this call suffers ("" for none), counted down when it is one of `modes`."""
        with self.lock:
            if self.mode not in modes:
                return ""
            mode = self.mode
            if self.times:
                self.times -= 1
                if not self.times:
                    self.mode = ""
            return mode


def install_file_faults(app: Flask, faults: FileFaults) -> None:
    """Add `POST /_sim/file-faults` {"mode", "times", "size"} ({} clears it)."""

    @app.post("/_sim/file-faults")
    def _file_faults():  # noqa: ANN202
        body = request.get_json(force=True) or {}
        if body.get("mode") and body["mode"] not in MODES:
            return jsonify(error=f"mode must be one of {', '.join(MODES)}"), 400
        faults.set(body)
        return jsonify(ok=True)


def owner_refusal(owner_id: str) -> tuple[Response, int] | None:
    """The refusal a source answers when the caller does not ask for the document's owner."""
    asked = request.args.get("owner_id")
    if not asked:
        return jsonify(error="owner_id is required"), 400
    if asked != owner_id:
        return jsonify(error="the document belongs to another owner"), 403
    return None


def described(document: dict[str, Any], faults: FileFaults) -> dict[str, Any]:
    """A document's metadata as served (naming someone else under the "other_owner" fault)."""
    if faults.take(("other_owner",)):
        return {**document, "owner_id": "001099999999"}
    return document


def file_response(content: bytes, faults: FileFaults) -> Response:
    """The file with its SHA-256 header, or what the fault in force sends instead."""
    sha = hashlib.sha256(content).hexdigest()
    mode = faults.take(("down", "corrupt", "oversize", "html", "redirect", "trickle"))
    if mode == "down":
        return Response(b'{"error": "file service unavailable"}', 503, mimetype="application/json")
    if mode == "redirect":
        return redirect("http://198.51.100.7/elsewhere.pdf", 302)
    if mode == "html":
        return Response(b"<html><body>login</body></html>", mimetype="text/html")
    if mode == "corrupt":  # damaged on the way: the header still names the true file
        content = content[:-8] + b"damaged!"
    if mode in ("oversize", "trickle"):
        generator = _padded(content, faults.size) if mode == "oversize" else _trickled(content)
        response = Response(generator, mimetype="application/pdf")
    else:
        response = Response(content, mimetype="application/pdf")
    response.headers[HASH_HEADER] = sha
    return response


def _padded(content: bytes, size: int) -> Iterator[bytes]:
    """The file followed by zeros up to `size` bytes, without a Content-Length."""
    yield content
    left = max(0, size - len(content))
    while left > 0:
        chunk = min(left, 64 * 1024)
        yield b"\0" * chunk
        left -= chunk


def _trickled(content: bytes) -> Iterator[bytes]:
    """The file a few bytes at a time, each within any read timeout, the whole beyond it."""
    for start in range(0, len(content), 64):
        time.sleep(0.2)
        yield content[start : start + 64]


def card_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF showing a document's title and data (standard fonts: no accents)."""
    from reportlab.lib.pagesizes import A5, landscape
    from reportlab.pdfgen import canvas

    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=landscape(A5), invariant=1)
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawString(40, 360, _plain(title))
    pdf.setFont("Helvetica", 12)
    for i, line in enumerate(lines):
        pdf.drawString(40, 320 - 22 * i, _plain(line))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _plain(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))

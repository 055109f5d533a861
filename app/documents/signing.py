"""PAdES signatures with pyHanko: officer and agency signatures, the certified e-copy (sao y),
and a plain verdict on every signature of a file.

The certified copy follows Decree 30/2020 art. 25 (Appendix I): the agency's signature at the
top right of page 1, no image, visible text "SAO Y", the copying agency and the signing time,
in a Times New Roman-metric font (Liberation Serif, full Vietnamese coverage) at 10 pt.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from app import settings
from app.documents import pades_signer
from app.documents.pki import Identity
from app.domain.messages import N_
from app.domain.status import VN_TZ

SERIF = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
STAMP_WIDTH, STAMP_HEIGHT, MARGIN = 190, 52, 18
_MAX_FIELDS = 10_000  # form fields read when naming a new one (a looping or hostile form)
# pyHanko reports expected failures (a tampered file, an unknown CA) through its loggers too;
# the verdict carries them, so they are not logged again as errors.
for _name in ("pyhanko.sign.validation", "pyhanko_certvalidator", "fontTools.subset"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)


@lru_cache(maxsize=1)
def stamp_font() -> str:
    """Liberation Serif rescaled to 1000 units per em: pyHanko writes glyph widths in font
    units, which PDF reads as thousandths of an em, so a 2048-unit font is spaced out.
    Kept under PKI_DIR (the owner's own folder), not a fixed name in the shared /tmp where
    another local user could plant the font that every signature stamp is drawn with."""
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    target = Path(settings.current.PKI_DIR) / "fonts" / "LiberationSerif-1000.ttf"
    if not target.exists():
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        font = TTFont(SERIF)
        if font["head"].unitsPerEm != 1000:
            scale_upem(font, 1000)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".ttf")
        os.close(fd)
        font.save(tmp)
        os.replace(tmp, target)
    return str(target)


def _sign_into(
    writer: IncrementalPdfFileWriter,
    output: BinaryIO,
    meta: signers.PdfSignatureMetadata,
    identity: Identity,
    **options,  # noqa: ANN003 - PdfSigner's appearance options
) -> None:
    def run() -> None:
        loaded = pades_signer.loaded(identity)
        signers.PdfSigner(meta, signer=loaded.signer, **options).sign_pdf(
            writer, output=output, bytes_reserved=loaded.reserved
        )

    if not _loop_running():
        run()
        return
    # pyHanko signs through asyncio.run, which a thread running an event loop cannot call (a
    # worker run inside a test that drives a browser): sign in a thread of its own then
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(run).result()


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _unique_field(reader: PdfFileReader, wanted: str) -> str:
    """`wanted`, or `wanted` numbered from 2 when the file has a form field of that name."""
    existing = _field_names(reader)
    name, n = wanted, 1
    while name in existing:
        n += 1
        name = f"{wanted}{n}"
    return name


def _field_names(reader: PdfFileReader) -> set[str]:
    """The fully qualified names of the file's form fields, read with the reader the signature
    is written with: the file is parsed once, and the field values (a signature's container,
    kilobytes of hex) are never read."""
    form = _dictionary(reader.root.get("/AcroForm"))
    names: set[str] = set()
    seen: set = set()
    pending = [("", node) for node in _array(form.get("/Fields"))]
    while pending and len(seen) < _MAX_FIELDS:
        prefix, node = pending.pop()
        field = _dictionary(node)
        key = node.reference if isinstance(node, generic.IndirectObject) else id(field)
        if key in seen or not field:
            continue
        seen.add(key)
        title = field.get("/T")
        title = title.get_object() if title is not None else None
        name = prefix
        if isinstance(title, generic.TextStringObject | generic.ByteStringObject):
            name = f"{prefix}.{title}" if prefix else str(title)
            names.add(name)
        pending.extend((name, kid) for kid in _array(field.get("/Kids")))
    return names


def _array(value) -> list:  # noqa: ANN001 - a PDF object, a reference or None
    value = value.get_object() if value is not None else None
    return list(value) if isinstance(value, generic.ArrayObject) else []


def _dictionary(value) -> dict:  # noqa: ANN001 - a PDF object, a reference or None
    value = value.get_object() if value is not None else None
    return value if isinstance(value, generic.DictionaryObject) else {}


@dataclass(frozen=True)
class Signature:
    """An invisible signature to add: who signs, in which field, why and where."""

    identity: Identity
    field_name: str = "Signature"
    reason: str = ""
    location: str = ""


def sign(
    source: Path,
    output: BinaryIO,
    identity: Identity,
    *,
    field_name: str = "Signature",
    reason: str = "",
    location: str = "",
) -> None:
    """Add an invisible PAdES signature as an incremental update (earlier ones stay valid)."""
    sign_in_turn(source, output, [Signature(identity, field_name, reason, location)])


def sign_in_turn(source: Path, output: BinaryIO, signatures: list[Signature]) -> None:
    """`sign` with each of `signatures` in turn, each an incremental update over the file the
    one before made (a leader's signature, then the agency's seal): the files in between stay
    in memory, neither written to disk nor read back from it."""
    if not signatures:
        raise ValueError("nothing to sign with")
    with open(source, "rb") as handle:
        current: BinaryIO = handle
        for n, signature in enumerate(signatures):
            target = output if n == len(signatures) - 1 else io.BytesIO()
            writer = IncrementalPdfFileWriter(current, strict=False)
            meta = signers.PdfSignatureMetadata(
                field_name=_unique_field(writer.prev, signature.field_name),
                reason=signature.reason or None,
                location=signature.location or None,
                subfilter=fields.SigSeedSubFilter.PADES,
            )
            _sign_into(writer, target, meta, signature.identity)
            current = target


def sao_y_text(agency_name: str, when: datetime) -> str:
    return f"SAO Y\n{agency_name}\nThời gian ký: {when.astimezone(VN_TZ):%d/%m/%Y %H:%M:%S}"


def certify_copy(
    source: Path, output: BinaryIO, identity: Identity, agency_name: str, when: datetime
) -> None:
    """The certified e-copy: the agency's visible, image-free signature top right of page 1."""
    stamp(
        source,
        output,
        identity,
        text=sao_y_text(agency_name, when),
        reason="Sao y bản chính điện tử",
        location=agency_name,
        field_name="SaoY",
    )


def authentication_text(agency_name: str, when: datetime) -> str:
    """The visible text of an e-authenticated copy (bản điện tử được xác thực, 001 §II.2.c
    Bước 1; chứng thực từ bản chính at the counter, 001 §III.1 case 2)."""
    local = when.astimezone(VN_TZ)
    return f"ĐÃ XÁC THỰC ĐIỆN TỬ\n{agency_name}\nThời gian ký: {local:%d/%m/%Y %H:%M:%S}"


def stamp(
    source: Path,
    output: BinaryIO,
    identity: Identity,
    *,
    text: str,
    reason: str,
    location: str,
    field_name: str,
) -> None:
    """A visible, image-free signature with `text` at the top right of page 1, added as an
    incremental update (the signatures already there stay valid)."""
    with open(source, "rb") as handle:
        box = PdfReader(handle, strict=False).pages[0].mediabox
    right, top = float(box.right), float(box.top)
    rect = (right - MARGIN - STAMP_WIDTH, top - MARGIN - STAMP_HEIGHT, right - MARGIN, top - MARGIN)
    style = TextStampStyle(
        stamp_text=text,
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(stamp_font(), font_size=10)),
        border_width=0,
        background=None,
    )
    with open(source, "rb") as handle:
        writer = IncrementalPdfFileWriter(handle, strict=False)
        meta = signers.PdfSignatureMetadata(
            field_name=_unique_field(writer.prev, field_name),
            reason=reason,
            location=location,
            subfilter=fields.SigSeedSubFilter.PADES,
        )
        spec = fields.SigFieldSpec(sig_field_name=meta.field_name, on_page=0, box=rect)
        _sign_into(writer, output, meta, identity, stamp_style=style, new_field_spec=spec)


def sign_to_file(source: Path, identity: Identity, **kwargs) -> Path:  # noqa: ANN003
    """`sign` into a new temporary file (the caller stores and removes it)."""
    fd, tmp = tempfile.mkstemp(suffix=".pdf")
    with os.fdopen(fd, "wb") as out:
        sign(source, out, identity, **kwargs)
    return Path(tmp)


@dataclass(frozen=True)
class Verdict:
    field: str
    state: str  # valid | untrusted | tampered | modified | invalid | error
    signer: str
    signed_at: datetime | None
    message: str

    @property
    def ok(self) -> bool:
        return self.state == "valid"

    def as_dict(self) -> dict:
        return {
            "field": self.field,
            "state": self.state,
            "signer": self.signer,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "message": self.message,
        }


MESSAGES = {
    "valid": N_("Chữ ký hợp lệ: %(signer)s, ký lúc %(at)s; nội dung không bị thay đổi sau khi ký"),
    "untrusted": N_("Chữ ký đúng nhưng chứng thư số của %(signer)s không do tổ chức tin cậy cấp"),
    "tampered": N_("Nội dung đã bị thay đổi sau khi ký: chữ ký của %(signer)s không còn giá trị"),
    "modified": N_("Tệp đã bị sửa đổi sau khi %(signer)s ký (phần sửa không được chữ ký bảo vệ)"),
    "invalid": N_("Chữ ký của %(signer)s không hợp lệ về mật mã"),
    "error": N_("Không kiểm tra được chữ ký: %(detail)s"),
}


def _verdict(field_name: str, state: str, signer: str, at: datetime | None, detail: str = ""):
    when = f"{at.astimezone(VN_TZ):%d/%m/%Y %H:%M:%S}" if at else "—"
    message = MESSAGES[state] % {"signer": signer or "—", "at": when, "detail": detail}
    return Verdict(field_name, state, signer, at, message)


@lru_cache(maxsize=64)
def _trust_root(file_key: tuple, thread: int):  # noqa: ANN202 - an asn1crypto certificate
    # keyed by the file's identity (see pades_signer.file_key): a replaced CA file is read
    # again; and by thread, as the signers are
    return load_cert_from_pemder(file_key[0])


def verify(path: Path, trust_roots: list[Path]) -> list[Verdict]:
    """A verdict per embedded signature (an empty list: the file is not signed)."""
    context = ValidationContext(
        trust_roots=[
            _trust_root(pades_signer.file_key(p), threading.get_ident()) for p in trust_roots
        ],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    verdicts: list[Verdict] = []
    with open(path, "rb") as handle:
        try:
            reader = PdfFileReader(handle, strict=False)
            embedded = list(reader.embedded_signatures)
        except Exception as exc:  # noqa: BLE001 - any parse failure is a verdict, not a crash
            return [_verdict("", "error", "", None, str(exc)[:200])]
        for sig in embedded:
            name = sig.field_name
            try:
                signer = sig.signer_cert.subject.native.get("common_name", "")
            except Exception:  # noqa: BLE001
                signer = ""
            try:
                status = validate_pdf_signature(sig, context)
            except Exception as exc:  # noqa: BLE001
                verdicts.append(_verdict(name, "error", signer, None, str(exc)[:200]))
                continue
            at = status.signer_reported_dt
            if not status.intact:
                state = "tampered"
            elif not status.valid:
                state = "invalid"
            elif status.coverage != SignatureCoverageLevel.ENTIRE_FILE and not status.docmdp_ok:
                state = "modified"
            elif not status.trusted:
                state = "untrusted"
            else:
                state = "valid"
            verdicts.append(_verdict(name, state, signer, at))
    return verdicts

"""PAdES signatures from the demo CA: sign, verify, tamper, certified e-copy (sao y)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, StreamObject
from reportlab.pdfgen import canvas

from app.documents import signing
from app.documents.pki import DemoPKI


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> DemoPKI:
    return DemoPKI(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def source(tmp_path):
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pageCompression=0, invariant=1)
    sheet.drawString(100, 700, "So tien phi: 2000000 dong")
    sheet.showPage()
    sheet.save()
    path = tmp_path / "source.pdf"
    path.write_bytes(buffer.getvalue())
    return path


def signed(source, pki: DemoPKI, tmp_path):
    officer = pki.identity("officer", "tiepnhan", "Trần Thị Tiếp Nhận", "UBND phường Ba Đình")
    path = tmp_path / "signed.pdf"
    with open(path, "wb") as out:
        signing.sign(source, out, officer, reason="Số hoá", location="Hà Nội")
    return path


def test_sign_then_verify_says_valid_with_the_signer(source, pki, tmp_path):
    path = signed(source, pki, tmp_path)
    [verdict] = signing.verify(path, [pki.ca_cert_path])
    assert verdict.state == "valid" and verdict.ok
    assert verdict.signer == "Trần Thị Tiếp Nhận"
    assert "không bị thay đổi" in verdict.message


def test_a_tampered_file_is_detected(source, pki, tmp_path):
    path = signed(source, pki, tmp_path)
    content = path.read_bytes()
    # The whole phrase, so a run of digits inside the signature's hex cannot match too.
    phrase = b"(So tien phi: 2000000 dong)"
    assert content.count(phrase) == 1
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(content.replace(phrase, b"(So tien phi: 9000000 dong)"))
    [verdict] = signing.verify(tampered, [pki.ca_cert_path])
    assert verdict.state == "tampered" and not verdict.ok
    assert "bị thay đổi sau khi ký" in verdict.message


def test_content_changed_in_a_later_update_is_reported(source, pki, tmp_path):
    path = signed(source, pki, tmp_path)
    writer = PdfWriter(str(path), incremental=True)
    stream = StreamObject()
    stream.set_data(b"BT /F1 24 Tf 100 500 Td (Da sua) Tj ET")
    writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)
    changed = tmp_path / "changed.pdf"
    with open(changed, "wb") as out:
        writer.write(out)
    [verdict] = signing.verify(changed, [pki.ca_cert_path])
    assert verdict.state in {"modified", "tampered"}
    assert not verdict.ok


def test_a_signature_from_an_unknown_authority_is_not_trusted(source, pki, tmp_path):
    path = signed(source, pki, tmp_path)
    other = DemoPKI(tmp_path / "other-ca")
    [verdict] = signing.verify(path, [other.ca_cert_path])
    assert verdict.state == "untrusted"


def test_an_unsigned_file_has_no_verdicts(source, pki):
    assert signing.verify(source, [pki.ca_cert_path]) == []


def test_the_certified_copy_carries_the_sao_y_block_top_right_of_page_one(source, pki, tmp_path):
    agency = pki.identity("agency", "000.00.12.H31", "Sở Tư pháp", "000.00.12.H31")
    first = signed(source, pki, tmp_path)
    copy = tmp_path / "sao-y.pdf"
    when = datetime(2026, 11, 24, 3, 15, 42, tzinfo=UTC)
    with open(copy, "wb") as out:
        signing.certify_copy(first, out, agency, "Sở Tư pháp", when)
    verdicts = signing.verify(copy, [pki.ca_cert_path])
    assert [v.state for v in verdicts] == ["valid", "valid"]  # the officer's stays valid
    assert verdicts[1].signer == "Sở Tư pháp"
    page = PdfReader(copy).pages[0]
    [widget] = [a.get_object() for a in page["/Annots"] if a.get_object()["/T"] == "SaoY"]
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert x1 > width / 2 and y1 > height * 0.8 and x2 <= width and y2 <= height
    appearance = widget["/AP"]["/N"].get_object()
    text = _actual_text(appearance)
    assert "SAO Y" in text
    assert "Sở Tư pháp" in text
    assert "Thời gian ký: 24/11/2026 10:15:42" in text
    # no image in the stamp
    assert not _has_image(appearance)


def _actual_text(xobject) -> str:
    import re

    from pypdf.generic import TextStringObject

    found = []
    data = xobject.get_data()
    for raw in re.findall(rb"/ActualText \((.*?)\)\s*>>", data, re.S):
        unescaped = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), raw)
        unescaped = unescaped.replace(b"\\(", b"(").replace(b"\\)", b")")
        if unescaped.startswith(b"\xfe\xff"):
            found.append(unescaped[2:].decode("utf-16-be"))
        else:
            found.append(str(TextStringObject(unescaped.decode("latin-1"))))
    for inner in (xobject.get("/Resources", {}).get("/XObject") or {}).values():
        found.append(_actual_text(inner.get_object()))
    return "\n".join(found)


def _has_image(xobject) -> bool:
    if xobject.get("/Subtype") == "/Image":
        return True
    inner = (xobject.get("/Resources", {}).get("/XObject") or {}).values()
    return any(_has_image(x.get_object()) for x in inner)


def test_a_replaced_key_and_certificate_are_used_from_the_next_signature_on(
    source, tmp_path_factory, tmp_path
):
    # signers are kept per process; a renewed certificate at the same path must not be ignored
    pki = DemoPKI(tmp_path_factory.mktemp("renewed"))
    old = pki.identity("officer", "lanhdao", "Lê Văn Cũ", "UBND phường Ba Đình")
    first = tmp_path / "first.pdf"
    with open(first, "wb") as out:
        signing.sign(source, out, old)
    renewed = DemoPKI(tmp_path_factory.mktemp("elsewhere")).identity(
        "officer", "lanhdao", "Lê Văn Mới", "UBND phường Ba Đình"
    )
    old.key_path.write_bytes(renewed.key_path.read_bytes())
    old.cert_path.write_bytes(renewed.cert_path.read_bytes())
    second = tmp_path / "second.pdf"
    with open(second, "wb") as out:
        signing.sign(source, out, old)
    assert [v.signer for v in signing.verify(first, [pki.ca_cert_path])] == ["Lê Văn Cũ"]
    [verdict] = signing.verify(second, [renewed.ca_path])
    assert verdict.signer == "Lê Văn Mới" and verdict.state == "valid"


def test_two_signatures_in_a_row_by_the_same_signer_both_fit_and_verify(source, pki, tmp_path):
    officer = pki.identity("officer", "tiepnhan", "Trần Thị Tiếp Nhận", "UBND phường Ba Đình")
    once = tmp_path / "once.pdf"
    with open(once, "wb") as out:
        signing.sign(source, out, officer, field_name="A")
    twice = tmp_path / "twice.pdf"
    with open(twice, "wb") as out:
        signing.sign(once, out, officer, field_name="A")
    assert [v.state for v in signing.verify(twice, [pki.ca_cert_path])] == ["valid", "valid"]

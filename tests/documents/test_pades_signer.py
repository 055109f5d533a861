"""The signer that encodes the constant parts of a PAdES container once: the same bytes as
pyHanko's own signer, a fraction of the encoding work, one signer per thread."""

from __future__ import annotations

import asyncio
import io
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import cms, core
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from reportlab.pdfgen import canvas

from app.documents import pades_signer, signing
from app.documents.pki import DemoPKI

DIGEST = bytes(range(32))


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> DemoPKI:
    return DemoPKI(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def officer(pki):
    return pki.identity("officer", "lanhdao", "Nguyễn Văn Lãnh Đạo", "Sở Tư pháp")


@pytest.fixture
def source(tmp_path):
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    sheet.drawString(100, 700, "Ket qua giai quyet")
    sheet.acroForm.textfield(name="CoQuan", x=100, y=600)  # a form field already named so
    sheet.showPage()
    sheet.save()
    path = tmp_path / "source.pdf"
    path.write_bytes(buffer.getvalue())
    return path


def _plain(identity) -> signers.SimpleSigner:
    return signers.SimpleSigner.load(
        str(identity.key_path), str(identity.cert_path), ca_chain_files=(str(identity.ca_path),)
    )


def _signed_attrs(signer, **settings):
    attrs = PdfCMSSignedAttributes(signing_time=datetime.now(UTC), **settings)
    return asyncio.run(
        signer.signed_attrs(DIGEST, "sha256", attr_settings=attrs, use_pades=True)
    ).dump()


def test_the_signed_attributes_and_signer_info_are_pyhankos_byte_for_byte(officer):
    fast, plain = pades_signer.loaded(officer).signer, _plain(officer)
    attrs = _signed_attrs(fast)
    assert attrs == _signed_attrs(plain)
    types = {a["type"].native for a in cms.CMSAttributes.load(attrs)}  # no signing time
    assert types == {"content_type", "message_digest", "signing_certificate_v2"}
    signature = plain.sign_raw(attrs, "sha256")
    parsed = cms.CMSAttributes.load(attrs)
    fast_info = fast.signer_info("sha256", parsed, signature)
    assert fast_info.dump() == plain.signer_info("sha256", parsed, signature).dump()


def test_cades_attributes_it_does_not_make_itself_go_through_pyhankos_path(officer):
    from pyhanko.sign.ades.api import CAdESSignedAttrSpec, GenericCommitment

    commitment = GenericCommitment.PROOF_OF_APPROVAL.asn1
    extra = {"cades_signed_attrs": CAdESSignedAttrSpec(commitment_type=commitment)}
    fast = pades_signer.loaded(officer).signer
    assert _signed_attrs(fast, **extra) == _signed_attrs(_plain(officer), **extra)


def test_a_signature_encodes_the_container_a_bounded_number_of_times(
    officer, source, monkeypatch, tmp_path
):
    pades_signer.loaded(officer)  # loading sizes the container with a dry run: not counted
    encoded = Counter()
    original = core.Sequence._set_contents

    def counting(self, force=False):  # noqa: ANN001, ANN202, FBT002
        encoded[type(self).__name__] += 1
        return original(self, force)

    monkeypatch.setattr(core.Sequence, "_set_contents", counting)
    with open(tmp_path / "signed.pdf", "wb") as out:
        signing.sign(source, out, officer, field_name="LanhDao")
    # ~35 here; pyHanko's own signer: ~2,300 (the signing-certificate attribute over and over)
    assert sum(encoded.values()) < 100, encoded


def test_the_signature_is_pades_with_the_chain_the_reason_and_the_time(officer, source, pki):
    out = io.BytesIO()
    before = datetime.now(UTC).replace(microsecond=0)
    signing.sign(source, out, officer, field_name="LanhDao", reason="Phê duyệt", location="HN")
    [embedded] = PdfFileReader(io.BytesIO(out.getvalue()), strict=False).embedded_signatures
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert embedded.sig_object["/Reason"] == "Phê duyệt"
    assert embedded.sig_object["/Location"] == "HN"
    signed_at = embedded.self_reported_timestamp
    assert before - timedelta(seconds=1) <= signed_at <= datetime.now(UTC) + timedelta(seconds=1)
    certificates = {
        c.chosen.subject.native["common_name"] for c in embedded.signed_data["certificates"]
    }
    assert certificates == {"Nguyễn Văn Lãnh Đạo", "GQTTHC Demo Root CA"}
    types = {a["type"].native for a in embedded.signer_info["signed_attrs"]}
    assert types == {"content_type", "message_digest", "signing_certificate_v2"}


def test_a_name_taken_by_any_form_field_is_numbered(officer, source, pki, tmp_path):
    once = tmp_path / "once.pdf"
    with open(once, "wb") as out:
        signing.sign(source, out, officer, field_name="CoQuan")  # a text field has the name
    twice = tmp_path / "twice.pdf"
    with open(twice, "wb") as out:
        signing.sign(once, out, officer, field_name="CoQuan")
    verdicts = signing.verify(twice, [pki.ca_cert_path])
    assert [(v.field, v.state) for v in verdicts] == [("CoQuan2", "valid"), ("CoQuan3", "valid")]


def test_each_thread_signs_with_a_signer_of_its_own(officer, source, pki, tmp_path):
    def sign_three(n: int):
        mine = pades_signer.loaded(officer).signer
        for i in range(3):
            with open(tmp_path / f"t{n}-{i}.pdf", "wb") as out:
                signing.sign(source, out, officer)
        assert pades_signer.loaded(officer).signer is mine
        return id(mine), threading.get_ident()

    with ThreadPoolExecutor(max_workers=6) as pool:
        used = list(pool.map(sign_three, range(6)))
    assert len({signer for signer, _ in used}) == len({thread for _, thread in used})
    states = {
        v.state for p in tmp_path.glob("t*.pdf") for v in signing.verify(p, [pki.ca_cert_path])
    }
    assert states == {"valid"}


def test_signatures_in_turn_each_cover_the_one_before_and_only_the_last_file_is_written(
    officer, pki, source, tmp_path
):
    seal = pki.identity("agency", "000.00.12.H31", "Sở Tư pháp", "000.00.12.H31")
    out = tmp_path / "result.pdf"
    with open(out, "wb") as handle:
        signing.sign_in_turn(
            source,
            handle,
            [
                signing.Signature(officer, "LanhDao", "Phê duyệt kết quả"),
                signing.Signature(seal, "ConDau", "Ban hành kết quả", "Sở Tư pháp"),
            ],
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.pdf", "source.pdf"]
    verdicts = signing.verify(out, [pki.ca_cert_path])
    assert [(v.field, v.signer, v.state) for v in verdicts] == [
        ("LanhDao", "Nguyễn Văn Lãnh Đạo", "valid"),
        ("ConDau", "Sở Tư pháp", "valid"),
    ]
    reader = PdfFileReader(io.BytesIO(out.read_bytes()), strict=False)
    first, second = reader.embedded_signatures
    assert (
        first.sig_object["/Reason"] == "Phê duyệt kết quả" and "/Location" not in first.sig_object
    )
    assert (second.sig_object["/Reason"], second.sig_object["/Location"]) == (
        "Ban hành kết quả",
        "Sở Tư pháp",
    )


def test_an_issued_result_stores_the_unsigned_and_the_signed_file_only(tmp_path):
    from types import SimpleNamespace

    from app.services.documents.results import _sign
    from app.storage.files import FileStore

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    sheet.drawString(100, 700, "Ket qua")
    sheet.showPage()
    sheet.save()
    store = FileStore(tmp_path / "files")
    leader = SimpleNamespace(username="lanhdao-t", full_name="Lê Lãnh Đạo")
    agency = SimpleNamespace(code="T.01", name="UBND phường Thử")
    unsigned = store.put_bytes(buffer.getvalue()).sha256  # as the approved draft is
    files = _sign(store, unsigned, leader, agency)
    assert files.unsigned == unsigned
    # no leader-only copy in between, and no signing file left behind in the store's folder
    assert {p.name for p in (tmp_path / "files").rglob("*")} == {
        unsigned[:2],
        files.signed[:2],
        unsigned,
        files.signed,
    }
    assert [v.field for v in signing.verify(store.path(files.signed), [])] == ["LanhDao", "CoQuan"]

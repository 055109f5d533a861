"""`flask init-pki`: set-up makes the demo CA and every agency's and officer's certificate."""

from __future__ import annotations

from cryptography import x509
from cryptography.x509.oid import NameOID

from app.documents.pki import demo_pki


def test_init_pki_makes_a_certificate_per_agency_and_officer_chained_to_the_ca(app, actors):
    result = app.test_cli_runner().invoke(args=["init-pki"])
    assert result.exit_code == 0, result.output
    assert "Chứng thư số demo" in result.output
    pki = demo_pki()
    ca = pki.ca_certificate()
    officer = pki.identity("officer", "tiepnhan", "x", "y")
    cert = x509.load_pem_x509_certificate(officer.cert_path.read_bytes())
    # made by init-pki with the officer's real name (not by the lookup above)
    common_name = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert common_name == actors["tiepnhan"].name
    assert cert.issuer == ca.subject
    cert.verify_directly_issued_by(ca)
    # running it again changes nothing (same certificate)
    again = app.test_cli_runner().invoke(args=["init-pki"])
    assert again.exit_code == 0
    assert pki.identity("officer", "tiepnhan", "x", "y").cert_path.read_bytes() == (
        officer.cert_path.read_bytes()
    )

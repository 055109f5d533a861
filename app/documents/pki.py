"""A demo certification authority for officer and agency signatures (set-up generates it).

Production signs with the agencies' real certificates (Ban Cơ yếu Chính phủ); the demo CA
stands in for it with the same shape: a root, one certificate per agency (the agency's
signature, used for issued results and certified copies) and one per officer. Keys are EC
P-256. Each file set is written to a temporary directory and renamed into place, so processes
racing to create the same certificate end up using one of them, whole.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT_NAME = "GQTTHC Demo Root CA"
VALIDITY = timedelta(days=3650)


@dataclass(frozen=True)
class Identity:
    key_path: Path
    cert_path: Path
    ca_path: Path


def _name(common: str, organisation: str | None = None) -> x509.Name:
    parts = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.COMMON_NAME, common),
    ]
    if organisation:
        parts.insert(1, x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    return x509.Name(parts)


def _write(directory: Path, stem: str, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate):
    (directory / f"{stem}.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (directory / f"{stem}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    os.chmod(directory / f"{stem}.key", 0o600)


def _atomic_dir(target: Path, build) -> None:  # noqa: ANN001
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".new-"))
    try:
        build(tmp)
        try:
            os.rename(tmp, target)
        except OSError:
            if not target.exists():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


class DemoPKI:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    @property
    def ca_dir(self) -> Path:
        return self.root / "ca"

    @property
    def ca_cert_path(self) -> Path:
        self.ensure_ca()
        return self.ca_dir / "ca.pem"

    def ca_certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.ca_cert_path.read_bytes())

    def ensure_ca(self) -> None:
        def build(directory: Path) -> None:
            key = ec.generate_private_key(ec.SECP256R1())
            now = datetime.now(UTC) - timedelta(days=1)
            name = _name(ROOT_NAME, "GQTTHC")
            cert = (
                x509.CertificateBuilder()
                .subject_name(name)
                .issuer_name(name)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now)
                .not_valid_after(now + VALIDITY)
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(
                    x509.KeyUsage(
                        digital_signature=True,
                        content_commitment=False,
                        key_encipherment=False,
                        data_encipherment=False,
                        key_agreement=False,
                        key_cert_sign=True,
                        crl_sign=True,
                        encipher_only=False,
                        decipher_only=False,
                    ),
                    critical=True,
                )
                .add_extension(
                    x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
                )
                .sign(key, hashes.SHA256())
            )
            _write(directory, "ca", key, cert)

        _atomic_dir(self.ca_dir, build)

    def identity(self, kind: str, code: str, common_name: str, organisation: str) -> Identity:
        """The key and certificate of an agency (`kind="agency"`) or officer, made on first use."""
        self.ensure_ca()
        slug = re.sub(r"[^A-Za-z0-9._-]", "_", code)
        directory = self.root / f"{kind}-{slug}"

        def build(target: Path) -> None:
            ca_key = serialization.load_pem_private_key(
                (self.ca_dir / "ca.key").read_bytes(), password=None
            )
            ca_cert = self.ca_certificate()
            key = ec.generate_private_key(ec.SECP256R1())
            now = datetime.now(UTC) - timedelta(days=1)
            cert = (
                x509.CertificateBuilder()
                .subject_name(_name(common_name, organisation))
                .issuer_name(ca_cert.subject)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now)
                .not_valid_after(now + VALIDITY)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(
                    x509.KeyUsage(
                        digital_signature=True,
                        content_commitment=True,
                        key_encipherment=False,
                        data_encipherment=False,
                        key_agreement=False,
                        key_cert_sign=False,
                        crl_sign=False,
                        encipher_only=False,
                        decipher_only=False,
                    ),
                    critical=True,
                )
                .add_extension(
                    x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),
                    critical=False,
                )
                .sign(ca_key, hashes.SHA256())
            )
            _write(target, "signer", key, cert)

        _atomic_dir(directory, build)
        return Identity(directory / "signer.key", directory / "signer.pem", self.ca_cert_path)


def demo_pki() -> DemoPKI:
    from app import settings

    return DemoPKI(settings.current.PKI_DIR)

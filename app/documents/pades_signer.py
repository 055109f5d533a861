"""The signer of each identity for PAdES signatures with pyHanko, loaded once per process and
thread, with the parts of the signature container that stay the same from one signature to
the next encoded once.

Why: asn1crypto encodes a value it built (as opposed to one it parsed) again every time its
encoding is asked for, and a parent asks for each child's twice, so the container pyHanko
builds, a dozen levels deep, encoded the signing-certificate attribute thousands of times: 30
ms of CPU per signature, most of it. Parsed values keep their encoding: the attribute is built
once per signer, and the signed attributes and the signer info of each signature are parsed
back once built. The bytes are those pyHanko builds (DER has one encoding per value; the tests
compare them); only how often they are produced changes.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from asn1crypto import cms
from pyhanko.sign import signers
from pyhanko.sign.general import as_signing_certificate_v2, simple_cms_attribute
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

from app.documents.pki import Identity


class PreEncodedSigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner with the signing-certificate attribute encoded once, and the
    signed attributes and signer info of each signature parsed back once built, so that
    assembling the container does not encode them again and again (see the module's
    docstring). The attributes are PAdES B-B's (ETSI EN 319 142-1 §5.2.2), those pyHanko
    itself signs for PAdES: content type, message digest and signing certificate v2, no signing
    time (PAdES puts it in the signature dictionary's /M)."""

    def __init__(self, loaded: signers.SimpleSigner) -> None:
        super().__init__(
            signing_cert=loaded.signing_cert,
            signing_key=loaded.signing_key,
            cert_registry=loaded.cert_registry,
            signature_mechanism=loaded.signature_mechanism,
            prefer_pss=loaded.prefer_pss,
            embed_roots=loaded.embed_roots,
        )
        self._signing_certificate = simple_cms_attribute(
            "signing_certificate_v2", as_signing_certificate_v2(loaded.signing_cert)
        ).dump()

    async def signed_attrs(  # noqa: PLR0913 - pyHanko's signature
        self,
        data_digest: bytes,
        digest_algorithm: str,
        attr_settings: PdfCMSSignedAttributes | None = None,
        content_type: str = "data",
        use_pades: bool = False,
        timestamper=None,  # noqa: ANN001
        dry_run: bool = False,
        is_pdf_sig: bool = True,
    ) -> cms.CMSAttributes:
        extra = attr_settings is not None and attr_settings.cades_signed_attrs is not None
        if not (use_pades and is_pdf_sig) or extra or self.signed_attr_prov_spec is not None:
            # not the plain PAdES signature this module makes: pyHanko's own way
            return await super().signed_attrs(
                data_digest,
                digest_algorithm,
                attr_settings=attr_settings,
                content_type=content_type,
                use_pades=use_pades,
                timestamper=timestamper,
                dry_run=dry_run,
                is_pdf_sig=is_pdf_sig,
            )
        built = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", content_type),
                simple_cms_attribute("message_digest", data_digest),
                # a fresh copy, not yet parsed: its encoding is reused as it is
                cms.CMSAttribute.load(self._signing_certificate),
            ]
        )
        return cms.CMSAttributes.load(built.dump())

    def signer_info(self, digest_algorithm: str, signed_attrs, signature) -> cms.SignerInfo:  # noqa: ANN001
        built = super().signer_info(digest_algorithm, signed_attrs, signature)
        return cms.SignerInfo.load(built.dump())


@dataclass(frozen=True)
class Loaded:
    signer: PreEncodedSigner
    reserved: int  # bytes kept in the file for the signature container (hex), sized once


# The signer of each identity, loaded once per process: reading the key and certificates and
# sizing the signature container (a dry-run signature) cost as much as the signature itself.
# Keyed by the files' identity (path, inode, size, mtime): a replaced key or certificate is
# read again on its next use. And by thread: asn1crypto values encode themselves lazily and
# are not safe to share between threads signing at once (twenty results issued in threads
# broke a shared certificate's encoding); the values encoded once above belong to their signer,
# so to one thread too.
_SIGNERS: dict[tuple, Loaded] = {}
_SIGNERS_MAX = 256


def file_key(path: Path) -> tuple:
    """A file's identity: its path, inode, size and modification time."""
    info = path.stat()
    return (str(path), info.st_ino, info.st_size, info.st_mtime_ns)


def loaded(identity: Identity) -> Loaded:
    """The signer of `identity` for this thread, loaded on first use and when its files
    change."""
    files = (identity.key_path, identity.cert_path, identity.ca_path)
    key = (threading.get_ident(), *(file_key(p) for p in files))
    found = _SIGNERS.get(key)
    if found is None:
        signer = signers.SimpleSigner.load(
            str(identity.key_path),
            str(identity.cert_path),
            ca_chain_files=(str(identity.ca_path),),
        )
        if signer is None:
            raise ValueError(f"cannot load the signing key of {identity.cert_path}")
        fast = PreEncodedSigner(signer)
        found = Loaded(fast, _reserve(fast))
        if len(_SIGNERS) >= _SIGNERS_MAX:
            _SIGNERS.pop(next(iter(_SIGNERS)))
        _SIGNERS[key] = found
    return found


def _reserve(signer: signers.SimpleSigner) -> int:
    """The room a signature container of `signer` needs in the file, as pyHanko would size it
    for each signature: a dry run, its DER size in hex plus half again (an even number)."""
    dry = asyncio.run(
        signer.async_sign(
            bytes(32),
            "sha256",
            dry_run=True,
            use_pades=True,
            signed_attr_settings=PdfCMSSignedAttributes(signing_time=datetime.now(UTC)),
        )
    )
    size = len(dry.dump()) * 2
    return size + 2 * (size // 4)

"""A reused document's file fetched from its source (Kho DL or a national database) and checked
before anything keeps it (001 §II.1 Bước 3: reused data goes "into the e-dossier", so the file
itself, not a reference): the bytes must hash to the SHA-256 the source declares for them, be a
PDF, stay under a size limit, and belong to the owner they were asked for."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Protocol

from app.integrations.errors import IntegrationError

PDF = "application/pdf"
# The header a source sends the file's SHA-256 in (hex), beside the one in its metadata.
HASH_HEADER = "X-Content-SHA256"


@dataclass(frozen=True)
class FetchedFile:
    """A file as its source served it, checked: its bytes, their SHA-256, and the metadata the
    source keeps with it."""

    content: bytes
    sha256: str
    metadata: dict[str, Any]


class FileSource(Protocol):
    def fetch_file(self, ref: str, owner_id: str, max_bytes: int) -> FetchedFile: ...


def checked(
    where: str, metadata: dict[str, Any], content: bytes, headers: dict[str, str], owner_id: str
) -> FetchedFile:
    """The file once it is shown to be the one the source describes; IntegrationError
    otherwise (a damaged transfer may be retried, another owner's or a non-PDF file not)."""
    if str(metadata.get("owner_id") or "") != owner_id:
        raise IntegrationError(f"{where}: the source names another owner", retryable=False)
    declared = str(metadata.get("sha256") or "").lower()
    if len(declared) != 64:
        raise IntegrationError(f"{where}: the source declares no SHA-256", retryable=False)
    actual = hashlib.sha256(content).hexdigest()
    sent = headers.get(HASH_HEADER, declared).lower()
    if actual != declared or sent != declared:
        raise IntegrationError(
            f"{where}: SHA-256 {actual[:12]}… differs from the source's {declared[:12]}…",
            retryable=True,
        )
    if not content.startswith(b"%PDF-"):
        raise IntegrationError(f"{where}: the file is not a PDF", retryable=False)
    return FetchedFile(content, actual, metadata)

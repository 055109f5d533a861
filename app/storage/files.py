"""The file store: immutable, content-addressed files under FILE_STORE (sha256/ab/abcdef…).

Files are streamed in chunks (hashed and size-checked on the way), written to a temporary
name and renamed into place, so a file is either absent or whole, and the same content is
stored once. Stored files are read-only; nothing here ever rewrites one.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.i18n import _l

CHUNK = 1024 * 1024


class TooLarge(ValueError):
    def __init__(self, limit: int) -> None:
        super().__init__(_l("Tệp vượt quá giới hạn %(most)s MB", most=limit // (1024 * 1024)))
        self.limit = limit


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    path: Path


class FileStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put_stream(self, source: BinaryIO, limit: int | None = None) -> Stored:
        """Copy `source` in chunks; TooLarge (and nothing kept) past `limit` bytes."""

        def copy(out: BinaryIO) -> tuple[str, int]:
            digest = hashlib.sha256()
            size = 0
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if limit is not None and size > limit:
                    raise TooLarge(limit)
                digest.update(chunk)
                out.write(chunk)
            return digest.hexdigest(), size

        return self._new_file(copy)

    def put_written(self, write: Callable[[BinaryIO], None]) -> Stored:
        """Let `write` fill a new file of the store (it may seek back and overwrite, as a
        signature's reserved place is filled in), then name it by its hash: the bytes are
        written once, where they stay, not written elsewhere and copied in."""

        def written(out: BinaryIO) -> tuple[str, int]:
            write(out)
            out.seek(0)
            return _digest(out)

        return self._new_file(written)

    def _new_file(self, fill: Callable[[BinaryIO], tuple[str, int]]) -> Stored:
        """A temporary file in the store's folder, filled by `fill` (which returns the bytes'
        sha256 and size), flushed to disk and renamed to its hash; removed if anything fails."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "w+b") as out:
                sha256, size = fill(out)
                out.flush()
                os.fsync(out.fileno())
            return self._place(tmp, sha256, size)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def put_file(self, path: str | os.PathLike[str], limit: int | None = None) -> Stored:
        with open(path, "rb") as source:
            return self.put_stream(source, limit)

    def put_bytes(self, content: bytes) -> Stored:
        import io

        return self.put_stream(io.BytesIO(content))

    def _place(self, tmp: str, sha256: str, size: int) -> Stored:
        target = self.path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)
        return Stored(sha256, size, target)

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path(sha256), "rb")

    def verify(self, sha256: str) -> bool:
        """True when the stored bytes still hash to their name (integrity in transfer/storage)."""
        with self.open(sha256) as source:
            return _digest(source)[0] == sha256


def _digest(source: BinaryIO) -> tuple[str, int]:
    """The sha256 (hex) and size of what is left to read of `source`, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(CHUNK):
        size += len(chunk)
        digest.update(chunk)
    return digest.hexdigest(), size


def file_store() -> FileStore:
    from app import settings

    return FileStore(settings.current.FILE_STORE)

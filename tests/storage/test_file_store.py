"""The content-addressed file store: a file written in place is named by its final bytes, and
a write that fails leaves nothing behind."""

from __future__ import annotations

import hashlib

import pytest

from app.storage.files import FileStore


def test_a_file_written_in_place_is_named_by_its_final_bytes(tmp_path):
    store = FileStore(tmp_path / "files")

    def write(out) -> None:  # noqa: ANN001 - as a signer fills a reserved place afterwards
        out.write(b"%PDF head <00000000> tail")
        out.seek(10)
        out.write(b"<deadbeef>")
        out.seek(0, 2)
        out.write(b" end")

    stored = store.put_written(write)
    final = b"%PDF head <deadbeef> tail end"
    assert stored.sha256 == hashlib.sha256(final).hexdigest()
    assert stored.size == len(final)
    assert store.path(stored.sha256).read_bytes() == final
    again = store.put_written(lambda out: out.write(final))  # the same bytes: stored once
    assert again.sha256 == stored.sha256
    assert [p.name for p in (tmp_path / "files").rglob("*") if p.is_file()] == [stored.sha256]


def test_a_write_that_fails_half_way_leaves_nothing_in_the_store(tmp_path):
    store = FileStore(tmp_path / "files")

    def write(out) -> None:  # noqa: ANN001
        out.write(b"half a signature")
        raise RuntimeError("the signer stopped")

    with pytest.raises(RuntimeError, match="the signer stopped"):
        store.put_written(write)
    assert list((tmp_path / "files").rglob("*")) == []

"""Restoring a backup (app/storage/backup.py) into an installation.

The backup is checked against its manifest before anything is touched. An installation that
holds data (tables in its database, files in its store or PKI directory) is refused unless the
operator forces it; forced, its database, file store and PKI directory are replaced whole.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from app.i18n import _, _l
from app.storage.backup import (
    BackupError,
    Installation,
    copy_tree,
    libpq_url,
    read_manifest,
    sqlite_path,
)


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def _has_files(root: Path) -> bool:
    return root.is_dir() and any(p.is_file() for p in root.rglob("*"))


def what_is_there(place: Installation) -> list[str]:
    """What the installation already holds (empty: a new installation)."""
    found = []
    if place.kind == "sqlite" and not sqlite_path(place.database_url).exists():
        pass
    elif _tables(place.database_url):
        found.append(_("bảng trong cơ sở dữ liệu"))
    if _has_files(place.file_store):
        found.append(_("tệp trong %(dir)s", dir=place.file_store))
    if _has_files(place.pki_dir):
        found.append(_("tệp trong %(dir)s", dir=place.pki_dir))
    return found


def _restore_sqlite(place: Installation, source: Path) -> None:
    path = sqlite_path(place.database_url)
    path.parent.mkdir(parents=True, exist_ok=True)
    backup = sqlite3.connect(source)
    target = sqlite3.connect(path)
    try:
        backup.backup(target)  # replaces every page of the target, under its own lock
    finally:
        target.close()
        backup.close()


def _restore_postgres(place: Installation, source: Path) -> None:
    engine = create_engine(place.database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    done = subprocess.run(  # nosec B603 # pg_restore, fixed arguments, the settings' database URL
        ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "-d"]
        + [libpq_url(place.database_url), str(source)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(_l("pg_restore lỗi: %(error)s", error=done.stderr.strip()[:500]))


def _replace_tree(source: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    copy_tree(source, target)


def restore(place: Installation, source: Path, *, force: bool = False) -> dict:
    """Restore the backup in `source` into `place`; returns its manifest. Refuses a backup that
    does not match its manifest, one of the other database kind, and (unless `force`) an
    installation that already holds data."""
    manifest = read_manifest(source)
    database = manifest["database"]
    if database["kind"] != place.kind:
        raise BackupError(
            _l(
                "Bản sao lưu là của cơ sở dữ liệu %(kind)s; hệ thống này dùng %(here)s",
                kind=database["kind"],
                here=place.kind,
            )
        )
    there = what_is_there(place)
    if there and not force:
        raise BackupError(
            _l(
                "Hệ thống này không trống (%(what)s): hãy khôi phục vào một hệ thống mới, "
                "hoặc thêm --force để thay toàn bộ dữ liệu của nó",
                what=", ".join(there),
            )
        )
    if place.kind == "sqlite":
        _restore_sqlite(place, source / database["file"])
    else:
        _restore_postgres(place, source / database["file"])
    _replace_tree(source / "files", place.file_store)
    _replace_tree(source / "pki", place.pki_dir)
    place.pki_dir.chmod(0o700)
    return manifest

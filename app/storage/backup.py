"""Backups of one installation: the database, the file store and the PKI directory.

A backup is a directory holding `database.sqlite3` (SQLite's online backup API) or
`database.dump` (`pg_dump -Fc`), `files/` (a copy of FILE_STORE), `pki/` (a copy of PKI_DIR) and
`manifest.json` (format, time, database kind, Alembic head, and each file's sha256 and size).
The database is copied first: stored files are immutable and written before the rows naming
them commit, so every file the copied database names is already in the store when it is copied.
The backup is built in a hidden sibling directory and renamed into place at the end: a backup
cut short is never found under the name asked for.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.i18n import _, _l

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"


class BackupError(Exception):
    """A backup or a restore refused or failed; the message says why, for the operator."""


@dataclass(frozen=True)
class Installation:
    """Where one installation keeps its data."""

    database_url: str
    file_store: Path
    pki_dir: Path

    @property
    def kind(self) -> str:
        return (
            "sqlite" if make_url(self.database_url).get_backend_name() == "sqlite" else "postgresql"
        )


def sqlite_path(url: str) -> Path:
    """The file of a SQLite URL."""
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(_l("Không sao lưu được cơ sở dữ liệu SQLite trong bộ nhớ"))
    return Path(database)


def libpq_url(url: str) -> str:
    """The URL pg_dump and pg_restore take (without SQLAlchemy's driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def alembic_head(url: str) -> str | None:
    """The schema revision the database is at (None without one)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 - no table: an empty database
        return None
    finally:
        engine.dispose()


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def listing(root: Path) -> list[dict[str, object]]:
    """Every regular file under `root` (relative path, sha256, size), in path order."""
    entries = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        entries.append({"path": rel, "sha256": sha256_of(path), "size": path.stat().st_size})
    return entries


def copy_tree(source: Path, target: Path) -> None:
    """Copy the files under `source` into `target` (uploads in progress left out)."""
    target.mkdir(parents=True, exist_ok=True)
    if not source.is_dir():
        return
    for path in sorted(source.rglob("*")):
        if path.name.startswith(".incoming-"):
            continue  # a file store upload in progress: not a stored file yet
        dest = target / path.relative_to(source)
        if path.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
        elif path.is_file():
            shutil.copy2(path, dest)


def _dump_database(place: Installation, into: Path) -> str:
    if place.kind == "sqlite":
        source = sqlite3.connect(sqlite_path(place.database_url))
        target = sqlite3.connect(into / SQLITE_FILE)
        try:
            source.backup(target)  # a consistent copy while others write
        finally:
            target.close()
            source.close()
        return SQLITE_FILE
    done = subprocess.run(  # nosec B603 # pg_dump, fixed arguments, the settings' database URL
        ["pg_dump", "-Fc", "--no-owner", "--no-acl", "-f", str(into / PG_FILE)]
        + ["-d", libpq_url(place.database_url)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(_l("pg_dump lỗi: %(error)s", error=done.stderr.strip()[:500]))
    return PG_FILE


def _fsync_tree(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            with path.open("rb") as f:
                os.fsync(f.fileno())


def backup(place: Installation, target: Path, *, now: datetime | None = None) -> dict:
    """Write a backup of `place` to the new directory `target`; returns its manifest.
    Refuses a target that exists and is not empty (it may hold an earlier backup)."""
    target = target.resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(_l("%(dir)s đã có và không trống: hãy chọn một thư mục mới", dir=target))
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        os.chmod(work, 0o700)  # the signing keys are inside
        database = _dump_database(place, work)
        head = alembic_head(place.database_url)
        copy_tree(place.file_store, work / "files")
        copy_tree(place.pki_dir, work / "pki")
        manifest = {
            "format": FORMAT,
            "created_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
            "database": {"kind": place.kind, "file": database, "alembic_head": head},
            "files": listing(work),
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        _fsync_tree(work)
        if target.exists():
            target.rmdir()  # empty, checked above
        work.rename(target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def read_manifest(source: Path) -> dict:
    """The manifest of the backup in `source`, after checking every file against it: a file
    missing, changed, or not listed is refused (a partial or tampered backup)."""
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(
            _l("%(dir)s không chứa bản sao lưu (thiếu %(file)s)", dir=source, file=MANIFEST)
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        listed = {entry["path"]: entry for entry in manifest["files"]}
        kind = manifest["database"]["kind"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(_l("%(file)s không phải bản kê sao lưu", file=MANIFEST)) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _l("Định dạng sao lưu không đọc được: %(format)s", format=manifest.get("format"))
        )
    present = {e["path"]: e for e in listing(source) if e["path"] != MANIFEST}
    problems = []
    for name in sorted(set(listed) | set(present)):
        if name not in present:
            problems.append(_("thiếu: %(file)s", file=name))
        elif name not in listed:
            problems.append(_("không có trong bản kê: %(file)s", file=name))
        elif (present[name]["sha256"], present[name]["size"]) != (
            listed[name]["sha256"],
            listed[name]["size"],
        ):
            problems.append(_("bị thay đổi: %(file)s", file=name))
    if problems:
        shown = "; ".join(problems[:10]) + ("; …" if len(problems) > 10 else "")
        raise BackupError(_l("Bản sao lưu không khớp bản kê (%(problems)s)", problems=shown))
    if kind not in ("sqlite", "postgresql"):
        raise BackupError(_l("Loại cơ sở dữ liệu không rõ: %(kind)s", kind=kind))
    return manifest

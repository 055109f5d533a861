"""`flask ops backup DIR | restore DIR | check DIR`: backups of the database, the file store and
the PKI directory together (app/storage/backup.py, app/storage/restore.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app import settings
from app.i18n import _
from app.storage import backup as backups
from app.storage import restore as restores
from app.storage.db import db

ops = AppGroup("ops", help="Operations: backup, restore and check a backup.")


def _installation() -> backups.Installation:
    cfg = settings.current
    return backups.Installation(cfg.DATABASE_URL, Path(cfg.FILE_STORE), Path(cfg.PKI_DIR))


def _fail(exc: backups.BackupError) -> None:
    click.echo(_("Lỗi: %(error)s", error=str(exc)), err=True)
    sys.exit(1)


@ops.command("backup")
@click.argument("directory", type=click.Path(path_type=Path))
def ops_backup(directory: Path) -> None:
    """Write a backup (database, file store, PKI directory, manifest) to a new DIRECTORY."""
    try:
        manifest = backups.backup(_installation(), directory)
    except backups.BackupError as exc:
        _fail(exc)
        return
    click.echo(
        _(
            "Đã sao lưu vào %(dir)s: %(count)s tệp, lược đồ %(head)s",
            dir=directory,
            count=len(manifest["files"]),
            head=manifest["database"]["alembic_head"],
        )
    )


@ops.command("check")
@click.argument("directory", type=click.Path(path_type=Path))
def ops_check(directory: Path) -> None:
    """Check a backup against its manifest (every file present, unchanged, listed)."""
    try:
        manifest = backups.read_manifest(directory)
    except backups.BackupError as exc:
        _fail(exc)
        return
    click.echo(
        _(
            "Bản sao lưu %(dir)s khớp bản kê: %(count)s tệp, tạo lúc %(time)s",
            dir=directory,
            count=len(manifest["files"]),
            time=manifest["created_at"],
        )
    )


@ops.command("restore")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="replace the data of a non-empty installation")
def ops_restore(directory: Path, force: bool) -> None:
    """Restore the backup in DIRECTORY into this (empty) installation; stop every web, worker
    and scheduler process first."""
    if db.engine is not None:
        db.engine.dispose()  # no pooled connection may hold the old database open
    try:
        manifest = restores.restore(_installation(), directory, force=force)
    except backups.BackupError as exc:
        _fail(exc)
        return
    click.echo(
        _(
            "Đã khôi phục %(dir)s (tạo lúc %(time)s, lược đồ %(head)s); chạy `flask db-upgrade` "
            "nếu phiên bản mới hơn",
            dir=directory,
            time=manifest["created_at"],
            head=manifest["database"]["alembic_head"],
        )
    )

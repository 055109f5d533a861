"""`flask catalogs sync`: the national catalogue's differences printed (a dry run), then, with
`--apply <diff id or version>`, applied exactly as printed (003 §III.2.b Bước 1–3)."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.i18n import _
from app.services.catalogs import national_sync
from app.services.catalogs.national_catalogue import CatalogueRefused
from app.services.catalogs.national_diff import CATALOG_LABELS, FIELD_LABELS, CatalogDiff, shown
from app.services.core.actors import SYSTEM
from app.services.core.errors import ServiceError

catalogs = AppGroup("catalogs", help="National catalogues from the portal: diff, apply.")
MARKS = {"added": "+", "changed": "~", "gone": "-"}


@catalogs.command("sync")
@click.option("--apply", "shown_id", default=None, help="the diff id (or version) printed")
def catalogs_sync(shown_id: str | None) -> None:
    """Print what the portal's national catalogue changes; apply it with --apply ID."""
    try:
        if shown_id:
            applied = national_sync.apply_sync(shown_id, SYSTEM)
            _print(applied)
            click.echo(_("Đã áp dụng %(count)s thay đổi", count=len(applied.changes)))
            return
        diff = national_sync.diff_with_portal()
        _print(diff)
        if not diff.empty:
            click.echo(
                _(
                    "Chạy thử: chưa áp dụng gì. Áp dụng: flask catalogs sync --apply %(id)s",
                    id=diff.fingerprint,
                )
            )
    except CatalogueRefused as exc:
        click.echo(_("Lỗi: %(error)s", error=exc.message), err=True)
        for problem in exc.problems:
            click.echo(f"  - {problem}", err=True)
        sys.exit(1)
    except ServiceError as exc:
        click.echo(_("Lỗi: %(error)s", error=exc.message), err=True)
        sys.exit(1)


def _print(diff: CatalogDiff) -> None:
    click.echo(
        _(
            "Danh mục quốc gia phiên bản %(version)s, mã thay đổi %(id)s",
            version=diff.version,
            id=diff.fingerprint,
        )
    )
    if diff.empty:
        click.echo(_("Danh mục đã khớp với Cổng DVCQG"))
    for catalog, label in CATALOG_LABELS.items():
        changes = diff.of(catalog)
        if changes:
            click.echo(f"[{label}]")
        for change in changes:
            note = _(" (không còn trên Cổng: đánh dấu, không xoá)") if change.kind == "gone" else ""
            click.echo(f"{MARKS[change.kind]} {change.code} {change.name}{note}")
            if change.kind == "changed":
                for field in change.fields:
                    label = FIELD_LABELS.get(f"{catalog}.{field.field}") or FIELD_LABELS.get(
                        field.field, field.field
                    )
                    click.echo(f"    {label}: {shown(field.old)} → {shown(field.new)}")

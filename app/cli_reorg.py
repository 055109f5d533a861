"""`flask units …` (administrative units from the portal) and `flask reorg …` (reorganisation
plans: check, dry run, record, apply, report)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app import settings
from app.domain.reorganisation import PlanError, plan_from_text
from app.i18n import _
from app.services.core.actors import SYSTEM
from app.services.core.errors import ServiceError
from app.services.reorganisation import admin_units, cutover, moves, reports

units = AppGroup("units", help="Administrative units: diff with the portal's catalog, sync.")
reorg = AppGroup("reorg", help="Reorganisation plans: check, dry-run, record, apply, report.")


def _fail(message: str, problems: list[str] | None = None) -> None:
    click.echo(_("Lỗi: %(error)s", error=message), err=True)
    for problem in problems or []:
        click.echo(f"  - {problem}", err=True)
    sys.exit(1)


@units.command("sync")
@click.option("--apply", "apply_", is_flag=True, help="apply the changes shown")
def units_sync(apply_: bool) -> None:
    """Print what the portal's catalog changes (added / renamed / merged / abolished)."""
    try:
        diff = admin_units.diff_with_portal()
        for row in diff.added:
            click.echo(f"+ {row['code']} {row['name']}")
        for row, old in diff.renamed:
            click.echo(f"~ {row['code']} {old} → {row['name']}")
        for row in diff.merged:
            click.echo(
                _(
                    "> %(code)s %(name)s sáp nhập vào %(successor)s",
                    code=row["code"],
                    name=row["name"],
                    successor=row["successor_code"],
                )
            )
        for row in diff.abolished:
            click.echo(_("- %(code)s %(name)s bị bãi bỏ", code=row["code"], name=row["name"]))
        if diff.empty:
            click.echo(_("Danh mục đã khớp với Cổng DVCQG"))
        elif apply_:
            admin_units.apply_sync(diff.fingerprint, SYSTEM)
            click.echo(_("Đã cập nhật %(count)s đơn vị", count=len(diff.rows())))
    except ServiceError as exc:
        _fail(exc.message)


def _read(path: str, name: str, cutover_at: str | None):  # noqa: ANN202
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(_("không đọc được %(path)s: %(exc)s", path=path, exc=exc))
    try:
        return plan_from_text(text, name=name, cutover_at=cutover_at)
    except PlanError as exc:
        _fail(_("phương án không hợp lệ"), exc.problems)


_plan_options = [
    click.argument("path"),
    click.option("--name", default="", help="plan name (CSV plans)"),
    click.option(
        "--cutover", "cutover_at", default=None, help="cut-over time, ISO 8601 (CSV plans)"
    ),
]


def plan_file(f):  # noqa: ANN001, ANN201
    for option in reversed(_plan_options):
        f = option(f)
    return f


@reorg.command("dry-run")
@plan_file
def reorg_dry_run(path: str, name: str, cutover_at: str | None) -> None:
    """Check the plan, then print what would happen to each pending dossier."""
    plan = _read(path, name, cutover_at)
    problems, entries = moves.dry_run(plan)
    if problems:
        _fail(_("phương án chưa áp dụng được"), problems)
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.outcome] = counts.get(entry.outcome, 0) + 1
        click.echo(f"{entry.code}: {entry.outcome} {entry.source} → {entry.target} {entry.reason}")
        for step in entry.steps:
            held = (
                _(" (trả về nhóm, đang do %(assignee)s)", assignee=step.assignee)
                if step.released
                else ""
            )
            click.echo(f"    «{step.title}» [{step.role}] {step.source} → {step.target}{held}")
        if entry.timer_at:
            click.echo(_("    hẹn giờ giữ nguyên: %(timer_at)s", timer_at=entry.timer_at))
    click.echo(" ".join(f"{k}={v}" for k, v in sorted(counts.items())) or _("không có hồ sơ nào"))


@reorg.command("record")
@plan_file
def reorg_record(path: str, name: str, cutover_at: str | None) -> None:
    """Store a plan that passes every check; prints its number."""
    plan = _read(path, name, cutover_at)
    try:
        plan_id = cutover.record_plan(plan, SYSTEM)
    except cutover.PlanRefused as exc:
        _fail(_("phương án chưa áp dụng được"), exc.problems)
    click.echo(plan_id)


@reorg.command("apply")
@click.argument("plan_id", type=int)
@click.option(
    "--workers", default=None, type=click.IntRange(1, 32), help="processes at once (REORG_WORKERS)"
)
def reorg_apply(plan_id: int, workers: int | None) -> None:
    """Cut over and transfer every pending dossier; run it again to resume."""
    try:
        report = cutover.apply_in_parallel(plan_id, workers or settings.current.REORG_WORKERS)
    except cutover.PlanRefused as exc:
        _fail(_("phương án chưa áp dụng được"), exc.problems)
    except ServiceError as exc:
        _fail(exc.message)
    _print(report)


@reorg.command("report")
@click.argument("plan_id", type=int)
def reorg_report(plan_id: int) -> None:
    try:
        _print(reports.report(plan_id))
    except ServiceError as exc:
        _fail(exc.message)


def _print(report: reports.Report) -> None:
    click.echo(
        _(
            "phương án %(plan_id)s (%(state)s): trước %(before)s = chuyển "
            "%(moved)s + đã xong %(finished)s + từ chối %(refused)s + còn chờ "
            "%(pending)s",
            plan_id=report.plan_id,
            state=report.state,
            before=report.before,
            moved=report.moved,
            finished=report.finished,
            refused=report.refused,
            pending=report.pending,
        )
    )
    for code, reason in report.refusals:
        click.echo(f"  {code}: {reason}")

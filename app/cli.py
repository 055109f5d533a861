"""Command-line entry points: `flask --app app db-upgrade | seed-demo | models ...`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from app import settings
from app.cli_catalogs import catalogs
from app.cli_ops import ops
from app.cli_reorg import reorg, units
from app.engine import ModelError
from app.engine.validation import blocking
from app.i18n import _, _l
from app.models import ModelDraft, ModelVersion
from app.services.core.errors import InvalidModel, ServiceError
from app.services.process_models.demo import seed_demo
from app.services.process_models.deploy import (
    check_bundle,
    deploy,
    problem_dicts,
    processes_in,
    read_bundle,
    run_model_tests,
)
from app.services.process_models.models_repo import bundle_zip
from app.storage.db import db
from app.storage.migrate import upgrade

# The project's own process, checked when a bundle holds several and none is named.
DEFAULT_PROCESS = "counter_dossier"
models = AppGroup("models", help="Validate and deploy the process models in bpmn/.")


@click.command("db-upgrade")
def db_upgrade() -> None:
    """Bring the schema to the newest Alembic revision."""
    upgrade(settings.current.DATABASE_URL)
    click.echo(_("Lược đồ cơ sở dữ liệu đã mới nhất"))


@click.command("seed-demo")
@click.option("--officers", default=0, help="extra officers with every role (for load tests)")
def seed_demo_command(officers: int) -> None:
    """Create the demo agencies, officers and procedure, and print the demo logins.
    Refused where DEMO_DATA is off (production): every demo officer has the published password."""
    if not settings.current.DEMO_DATA:
        raise click.ClickException(
            _l(
                "Dữ liệu demo bị tắt ở môi trường này (DEMO_DATA): tài khoản demo dùng "
                "mật khẩu công khai"
            )
        )
    logins = seed_demo(settings.current.BPMN_DIR, extra_officers=officers)
    click.echo(_("Tài khoản demo (mật khẩu: %(password)s):", password=logins[0].password))
    for login in [x for x in logins if not x.username.startswith("canbo")]:
        click.echo(f"  {login.username:<12} {login.full_name:<20} {login.roles}")


@click.command("recount-tasks")
def recount_tasks_command() -> None:
    """Rebuild the task lists' kept counts from the open tasks (after a repair by hand)."""
    from app.services.dossiers.task_counts import recount

    keys = recount()
    click.echo(_("Đã đếm lại công việc đang mở: %(keys)s nhóm", keys=keys))


@click.command("init-pki")
def init_pki_command() -> None:
    """Generate the demo CA and the agencies' and officers' signing certificates."""
    from app.services.documents.signing import ensure_demo_certificates

    made = ensure_demo_certificates()
    click.echo(_("Chứng thư số demo: %(count)s", count=len(made)))
    click.echo(f"  {made[0]}")


def _bundle(path: str | None) -> dict[str, str]:
    """The bundle at `path` (default BPMN_DIR): a folder (its .bpmn, .dmn, .json) or one file."""
    target = Path(path or settings.current.BPMN_DIR)
    if target.is_file():
        return {target.name: target.read_text(encoding="utf-8")}
    if not target.is_dir():
        raise click.ClickException(_("Không có tệp hay thư mục %(path)s", path=target))
    return read_bundle(target)


def _process(files: dict[str, str], asked: str | None) -> str:
    """The process to check: the one asked for; else the bundle's only one; else the
    project's (counter_dossier) when the bundle has it; else a usage error naming them."""
    if asked:
        return asked
    found = processes_in(files)
    if len(found) == 1:
        return next(iter(found))
    if DEFAULT_PROCESS in found:
        return DEFAULT_PROCESS
    if not found:
        raise click.ClickException(_("Không tìm thấy quy trình nào trong gói"))
    listed = ", ".join(f"{pid} «{name}»" if name else pid for pid, name in found.items())
    raise click.UsageError(
        _("Gói có nhiều quy trình: %(found)s. Chọn một bằng --process", found=listed)
    )


def _echo_problems(problems: list[dict], indent: str = "") -> None:
    """Every problem on its own line: file:line:element «label» [code] message; the engine's
    own words and the knock-on problems indented under it."""
    labels = {"warning": _("cảnh báo"), "info": _("lưu ý")}
    for p in problems:
        where = f"{p['file'] or '-'}:{p['line'] or '-'}:{p['element_id'] or '-'}"
        name = f" «{p['name']}»" if p["name"] else ""
        severity = f"{labels[p['severity']]}: " if p["severity"] in labels else ""
        click.echo(f"{indent}{where}{name}: [{p['code']}] {severity}{p['message']}", err=True)
        if p["detail"]:
            engine_said = _("máy quy trình: %(detail)s", detail=p["detail"])
            click.echo(f"{indent.replace('↳', ' ')}    {engine_said}", err=True)
        _echo_problems(p["consequences"], indent + "    ↳ ")


@models.command("validate")
@click.argument("path", required=False)
@click.option("--process", "process_id", default=None, help="default: the bundle's only one")
@click.option("--dir", "directory", default=None, help="the bundle's folder (default BPMN_DIR)")
@click.option("--json", "as_json", is_flag=True, help="the problems as JSON on stdout")
def models_validate(
    path: str | None, process_id: str | None, directory: str | None, as_json: bool
) -> None:
    """Check a bundle (a folder, or one .bpmn file); print every problem, located."""
    files = _bundle(path or directory)
    process_id = _process(files, process_id)
    problems = check_bundle(files, process_id)
    shown = problem_dicts(problems)
    if as_json:
        click.echo(json.dumps({"process": process_id, "problems": shown}, ensure_ascii=False))
    else:
        _echo_problems(shown)
    if blocking(problems):
        sys.exit(1)
    if not as_json:
        click.echo(_("%(process)s: hợp lệ", process=process_id))


@models.command("test")
@click.option("--process", "process_id", default=None, help="default: the bundle's only one")
@click.option("--dir", "directory", default=None)
def models_test(process_id: str | None, directory: str | None) -> None:
    """Run the bundle's model tests (*.test.json); exit 1 when one fails."""
    files = _bundle(directory)
    process_id = _process(files, process_id)
    problems = blocking(check_bundle(files, process_id))
    if problems:
        click.echo(_("Gói có %(count)s lỗi; chạy `models validate`", count=len(problems)), err=True)
        sys.exit(1)
    results = run_model_tests(files, process_id)
    for result in results:
        label = _("ĐẠT") if result.passed else _("LỖI")
        click.echo(f"{label:<4} {result.file}: {result.name}")
        for failure in result.failures:
            click.echo(f"      {failure}", err=True)
    if not results:
        click.echo(_("Gói không có kiểm thử mô hình (*.test.json)"))
    if any(not r.passed for r in results):
        sys.exit(1)


@models.command("deploy")
@click.option("--process", "process_id", default=None, help="default: the bundle's only one")
@click.option("--dir", "directory", default=None)
@click.option("--comment", default="")
def models_deploy(process_id: str | None, directory: str | None, comment: str) -> None:
    """Deploy the bundle as an immutable version (the same content gives the same version)."""
    files = _bundle(directory)
    process_id = _process(files, process_id)
    try:
        with db.transaction() as session:
            version = deploy(
                session,
                files,
                process_id=process_id,
                name=process_id,
                deployed_by="cli",
                comment=comment,
            )
            click.echo(
                _(
                    "Đã triển khai %(process_id)s thành phiên bản %(version)s (%(hash)s)",
                    process_id=process_id,
                    version=version.id,
                    hash=version.content_hash[:12],
                )
            )
    except (ServiceError, ModelError) as exc:
        click.echo(_("Lỗi: %(error)s", error=exc), err=True)
        if isinstance(exc, InvalidModel):
            _echo_problems(exc.problems)
        sys.exit(1)


@models.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", default=None, help="a .zip, or a folder, for the transformed bundle")
@click.option("--role", "roles", multiple=True, help="LANE_OR_GROUP=role_code, confirmed")
def models_import(path: str, out: str | None, roles: tuple[str, ...]) -> None:
    """Import a BPMN file made with another tool; print the report element by element."""
    from app.services.process_models.importing import DECIDE, import_foreign

    mapping = dict(r.split("=", 1) for r in roles if "=" in r)
    try:
        report = import_foreign(Path(path).read_bytes(), Path(path).name, None, mapping)
    except ServiceError as exc:
        for where, message in (getattr(exc, "fields", None) or {}).items():
            click.echo(f"{where}: {message}", err=True)
        raise click.ClickException(str(exc.message)) from exc
    imported = report.imported
    click.echo(
        _("Quy trình: %(id)s (%(all)s)", id=imported.process_id, all=", ".join(imported.processes))
    )
    for f in report.findings:
        click.echo(
            f"{f.line or '-'}:{f.element_id or '-'} [{f.status}] {f.name or ''}: {f.message}"
        )
    decide = len(report.by_status(DECIDE))
    click.echo(
        _(
            "%(n)s phần tử: %(kept)s chạy nguyên trạng, %(changed)s đã đổi, "
            "%(decide)s cần quyết định",
            n=len(report.elements),
            kept=sum(e.status == "kept" for e in report.elements),
            changed=sum(e.status == "changed" for e in report.elements),
            decide=sum(e.status == "decide" for e in report.elements),
        )
    )
    if out:
        if out.endswith(".zip"):
            Path(out).write_bytes(bundle_zip(imported.files))
        else:
            for name, text in imported.files.items():
                target = Path(out) / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
        click.echo(_("Đã ghi %(out)s", out=out))
    if decide:
        sys.exit(1)


@models.command("export")
@click.option("--process", "process_id", default="counter_dossier")
@click.option("--out", "out", default=None, type=click.Path(dir_okay=False, writable=True))
@click.option(
    "--dir", "directory", default=None, type=click.Path(file_okay=False), help="write files here"
)
@click.option("--draft", is_flag=True, help="the newest draft revision instead of a version")
def models_export(process_id: str, out: str | None, directory: str | None, draft: bool) -> None:
    """Write the newest deployed version (or draft) of a process as a .zip or into a folder
    (e.g. `--dir bpmn` puts browser edits back into the repository)."""
    if bool(out) == bool(directory):
        click.echo(_("Lỗi: cần đúng một trong --out TỆP.zip hoặc --dir THƯ_MỤC"), err=True)
        sys.exit(2)
    with db.transaction() as session:
        if draft:
            row = session.scalar(
                select(ModelDraft)
                .where(ModelDraft.process_id == process_id)
                .order_by(ModelDraft.revision.desc())
                .limit(1)
            )
            label = _("bản nháp số %(revision)s", revision=row.revision) if row else ""
        else:
            row = session.scalar(
                select(ModelVersion)
                .where(ModelVersion.process_id == process_id)
                .order_by(ModelVersion.id.desc())
                .limit(1)
            )
            label = (
                _("phiên bản %(version)s (%(hash)s)", version=row.id, hash=row.content_hash[:12])
                if row
                else ""
            )
        if row is None:
            missing = (
                _("Lỗi: %(process_id)s chưa có bản nháp", process_id=process_id)
                if draft
                else _("Lỗi: %(process_id)s chưa có phiên bản đã triển khai", process_id=process_id)
            )
            click.echo(missing, err=True)
            sys.exit(1)
        files = dict(row.files)
    if out:
        Path(out).write_bytes(bundle_zip(files))
        click.echo(_("Đã xuất %(label)s vào %(out)s", label=label, out=out))
        return
    root = Path(directory).resolve()
    for name, text in sorted(files.items()):
        target = (root / name).resolve()
        if root not in target.parents:
            click.echo(_("Lỗi: đường dẫn không an toàn %(name)s", name=name), err=True)
            sys.exit(1)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    click.echo(
        _(
            "Đã xuất %(label)s: %(count)s tệp vào %(root)s",
            label=label,
            count=len(files),
            root=root,
        )
    )


@models.command("migrate")
@click.option("--from", "source", type=int, required=True, help="version id instances are on")
@click.option("--to", "target", type=int, required=True, help="version id to move them to")
@click.option("--apply", "do_apply", is_flag=True, help="move them (without: a dry run)")
@click.option("--update-timers", is_flag=True, help="recompute waiting timers on the new version")
def models_migrate(source: int, target: int, do_apply: bool, update_timers: bool) -> None:
    """Move running dossiers to a newer version; blocked ones stay, with the reason."""
    from app.services.core.actors import Actor
    from app.services.process_models import migrations

    actor = Actor(None, "CLI", None, frozenset({("admin", 0)}))
    try:
        preview = migrations.preview(source, target, actor)
        if preview.blocked_all:
            for reason in preview.blocked_all:
                click.echo(reason.message, err=True)
                click.echo("  → " + reason.advice, err=True)
            sys.exit(1)
        for reason in preview.elements:
            click.echo(f"{reason.element_id}: {reason.message}")
            click.echo("  → " + reason.advice)
        if do_apply:
            report = migrations.apply(source, target, actor, update_timers=update_timers)
            click.echo(
                _(
                    "Đã chuyển %(moved)s, bị chặn %(blocked)s",
                    moved=len(report.moved),
                    blocked=len(report.blocked),
                )
            )
            blocked = report.blocked
        else:
            blocked = [p for p in preview.plans if not p.movable]
            click.echo(_("Chạy thử: chưa chuyển gì"))
    except ServiceError as exc:
        click.echo(_("Lỗi: %(error)s", error=exc.message), err=True)
        sys.exit(1)
    for item in blocked:
        click.echo(f"  {item.dossier_code}: {'; '.join(item.reasons)}")
        for reason in item.details:
            click.echo("    → " + reason.advice)


def register(app: Flask) -> None:
    app.cli.add_command(db_upgrade)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(init_pki_command)
    app.cli.add_command(recount_tasks_command)
    app.cli.add_command(models)
    app.cli.add_command(units)
    app.cli.add_command(reorg)
    app.cli.add_command(catalogs)
    app.cli.add_command(ops)

"""`flask ops backup` / `flask ops restore` (app/storage/backup.py, restore.py), on SQLite and
PostgreSQL: backup → a new, empty installation → restore → the same dossiers, documents (their
signatures verify), files and open tasks, and a dossier goes on from where it waited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from app import create_app
from app.documents import signing
from app.documents.pki import demo_pki
from app.models import Document, Dossier, HumanTask, User
from app.services.core.actors import Actor
from app.storage import backup as backups
from app.storage.db import db
from app.storage.files import file_store
from tests.conftest import _config
from tests.services.helpers import complete, deliver, receive
from tests.support.databases import database_url  # noqa: F401 - a fixture: both databases

RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}
ACCEPT = {"decision": "accept", "appraisal_note": "Đủ"}
APPROVE = {"approval_decision": "approve", "result_name": "Phiếu lý lịch tư pháp số 1"}


def empty_database_like(url: str, tmp_path: Path, request) -> str:  # noqa: ANN001
    """A database of the same kind with nothing in it (a new installation)."""
    if url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored.db'}"
    server = request.getfixturevalue("pg_server")
    server.run("CREATE DATABASE restored_here")
    return server.url("restored_here")


def snapshot() -> dict:
    """What must survive: every table's row count, the dossiers, documents and open tasks."""
    with db.transaction() as session:
        tables = inspect(session.connection()).get_table_names()
        counts = {t: session.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}
        dossiers = sorted(
            (d.code, d.status, d.owner_name) for d in session.scalars(select(Dossier))
        )
        documents = sorted(
            (d.id, d.file_sha256, d.source, d.storage_key)
            for d in session.scalars(select(Document))
        )
        open_tasks = sorted(
            (t.id, t.element_id, t.role, t.due_at)
            for t in session.scalars(select(HumanTask).where(HumanTask.state == "open"))
        )
    return {"counts": counts, "dossiers": dossiers, "documents": documents, "tasks": open_tasks}


def result_of(code: str) -> Document:
    with db.transaction() as session:
        document = session.scalar(
            select(Document)
            .join(Dossier, Dossier.id == Document.dossier_id)
            .where(Document.source == "result", Dossier.code == code)
        )
        session.expunge_all()
        return document


def verdicts(document: Document) -> list[str]:
    path = file_store().path(document.file_sha256)
    return [v.state for v in signing.verify(path, [demo_pki().ca_cert_path])]


def officers() -> dict[str, Actor]:
    with db.transaction() as session:
        return {u.username: Actor.of(u) for u in session.scalars(select(User))}


def test_backup_wipe_restore_gives_the_same_installation_and_a_dossier_goes_on(
    app,
    actors,
    database_url,  # noqa: F811 - the imported fixture itself
    redis_server,
    tmp_path,
    request,
):
    issued = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(issued, "reception", actors["tiepnhan"], RECEPTION)
    complete(issued, "appraisal", actors["chuyenvien"], ACCEPT)
    complete(issued, "approval", actors["lanhdao"], APPROVE)
    waiting = receive(actors["tiepnhan"])
    deliver("portal.check_account", {"exists": True})
    complete(waiting, "reception", actors["tiepnhan"], RECEPTION)
    complete(waiting, "appraisal", actors["chuyenvien"], ACCEPT)
    before = snapshot()
    signed = result_of(issued)
    assert verdicts(signed) == ["valid", "valid"]

    made = app.test_cli_runner().invoke(args=["ops", "backup", str(tmp_path / "backup")])
    assert made.exit_code == 0, made.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["database"]["alembic_head"] and manifest["files"]
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]
    db.engine.dispose()

    # a new, empty installation: another database, file store and PKI directory
    config = type(
        "RestoredConfig",
        (_config(empty_database_like(database_url, tmp_path, request), redis_server.url, "", ""),),
        {"FILE_STORE": str(tmp_path / "files"), "PKI_DIR": str(tmp_path / "pki")},
    )
    restored_app = create_app(config)
    done = restored_app.test_cli_runner().invoke(args=["ops", "restore", str(tmp_path / "backup")])
    assert done.exit_code == 0, done.output

    assert snapshot() == before
    assert verdicts(result_of(issued)) == ["valid", "valid"]  # with the restored CA and files
    assert Path(file_store().root) == tmp_path / "files"
    # the dossier that waited for its approval goes on, signed with the restored keys
    complete(waiting, "approval", officers()["lanhdao"], APPROVE)
    assert verdicts(result_of(waiting)) == ["valid", "valid"]


def test_a_restore_into_an_installation_with_data_is_refused_without_force(app, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["ops", "backup", str(tmp_path / "b")]).exit_code == 0
    refused = runner.invoke(args=["ops", "restore", str(tmp_path / "b")])
    assert refused.exit_code == 1
    assert "không trống" in refused.output and "--force" in refused.output


def test_a_backup_is_never_written_over_another(app, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["ops", "backup", str(tmp_path / "b")]).exit_code == 0
    first = (tmp_path / "b" / "manifest.json").read_text()
    again = runner.invoke(args=["ops", "backup", str(tmp_path / "b")])
    assert again.exit_code == 1 and "không trống" in again.output
    assert (tmp_path / "b" / "manifest.json").read_text() == first


@pytest.mark.parametrize("harm", ["changed", "missing", "added", "no manifest", "bad manifest"])
def test_a_tampered_or_partial_backup_is_refused_with_what_is_wrong(app, tmp_path, harm):
    runner = app.test_cli_runner()
    place = tmp_path / "b"
    assert runner.invoke(args=["ops", "backup", str(place)]).exit_code == 0
    some_file = next(p for p in (place / "files").rglob("*") if p.is_file())
    if harm == "changed":
        some_file.chmod(0o600)
        some_file.write_bytes(some_file.read_bytes() + b"x")
    elif harm == "missing":
        some_file.unlink()
    elif harm == "added":
        (place / "pki" / "extra.pem").write_text("x")
    elif harm == "no manifest":
        (place / "manifest.json").unlink()
    else:
        (place / "manifest.json").write_text("{not json")
    checked = runner.invoke(args=["ops", "check", str(place)])
    assert checked.exit_code == 1 and "Lỗi:" in checked.output
    forced = runner.invoke(args=["ops", "restore", "--force", str(place)])
    assert forced.exit_code == 1 and checked.output.splitlines()[0] in forced.output
    assert "Traceback" not in forced.output


def test_a_backup_cut_short_leaves_nothing_under_its_name(app, tmp_path, monkeypatch):
    def disk_full(source: Path, target: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backups, "copy_tree", disk_full)
    result = app.test_cli_runner().invoke(args=["ops", "backup", str(tmp_path / "b")])
    assert result.exit_code != 0
    assert list(tmp_path.iterdir()) == [p for p in tmp_path.iterdir() if p.name != "b"]
    assert not (tmp_path / "b").exists()
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_a_good_backup_checks_clean(app, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["ops", "backup", str(tmp_path / "b")]).exit_code == 0
    checked = runner.invoke(args=["ops", "check", str(tmp_path / "b")])
    assert checked.exit_code == 0 and "khớp bản kê" in checked.output

"""What deploying the editor's bundle would do, shown before the analyst confirms (xem trước
khi triển khai): its problems, what changed against the newest deployed version of the
process, and the model tests' verdicts. Nothing is written."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.engine import bundle_hash, parse_bundle
from app.engine.migration import spec_changes
from app.models import ModelVersion
from app.services.core import runtime
from app.services.core.actors import Actor
from app.services.process_models.deploy import check_bundle, run_model_tests
from app.services.process_models.modeler import _process_id, check_files, problem_dicts
from app.services.process_models.models_repo import _require_modeller
from app.storage.db import db


def deploy_preview(process_id: str, files: Any, actor: Actor) -> dict[str, Any]:
    """The bundle's problems, its changes against the deployed version and its tests' results."""
    _require_modeller(actor)
    process_id = _process_id(process_id)
    files = check_files(files)
    problems = problem_dicts(check_bundle(files, process_id))
    with db.transaction() as session:
        base = session.scalar(
            select(ModelVersion)
            .where(ModelVersion.process_id == process_id)
            .order_by(ModelVersion.id.desc())
            .limit(1)
        )
        same = session.scalar(
            select(ModelVersion.id).where(ModelVersion.content_hash == bundle_hash(files))
        )
        base_info = base and {"id": base.id, "deployed_at": base.deployed_at.isoformat()}
        old = runtime.definition_by_id(session, base.id) if base and not problems else None
    if problems:
        return {"problems": problems, "base": base_info, "same_as": same}
    return {
        "problems": [],
        "base": base_info,
        "same_as": same,
        "changes": _changes(old, parse_bundle(files, process_id)) if old else None,
        "tests": [
            {"name": r.name, "file": r.file, "passed": r.passed, "failures": r.failures}
            for r in run_model_tests(files, process_id)
        ],
    }


def _changes(old, new) -> dict[str, list[dict[str, Any]]]:  # noqa: ANN001
    changes = spec_changes(old, new)
    return {
        "added": [{"id": i, "name": name} for i, name in changes.added],
        "removed": [{"id": i, "name": name} for i, name in changes.removed],
        "changed": [
            {"id": i, "name": name, "new_name": new_name, "attributes": attrs}
            for i, name, attrs, new_name in changes.changed
        ],
    }

"""The analyst's editor: draft revisions of a bundle, validation and model tests on demand,
and deploying a draft. Analysts and administrators only; reads are open to them too.

A draft is saved as a new revision every time (nothing is overwritten), with the number of
problems it had; deploying goes through the same gate as every deploy (validation, model tests,
an administrator's audited override), then records which version the revision became.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

import jsonschema
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.domain.roles import ROLE_LABELS_VI
from app.engine import bundle_hash, bundle_variables, check_expression, check_script
from app.engine.validation import blocking
from app.i18n import _, _l
from app.integrations.operators import OPERATORS
from app.models import ModelDraft, ModelVersion, Procedure
from app.services.core import audit
from app.services.core.actors import Actor
from app.services.core.errors import Conflict, InvalidInput, InvalidModel, NotFound
from app.services.dossiers.local_operators import LOCAL_OPERATORS
from app.services.process_models.deploy import check_bundle, problem_dicts, run_model_tests
from app.services.process_models.models_repo import (
    MAX_FILES,
    MAX_TOTAL_BYTES,
    SUFFIXES,
    _require_modeller,
)
from app.services.process_models.models_repo import import_files as deploy_files
from app.storage.db import db

PROCESS_ID_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")


@dataclass(frozen=True)
class Bundle:
    process_id: str
    files: dict[str, str]
    revision: int | None  # the draft revision shown, or None for a deployed version
    version_id: int | None  # the deployed version it is (or started from)
    saved_by: str
    saved_at: datetime | None


@dataclass(frozen=True)
class DraftInfo:
    revision: int
    author: str
    created_at: datetime
    problems: int
    comment: str
    deployed_version_id: int | None


def check_files(files: Any) -> dict[str, str]:
    """The submitted bundle as {path: text}; InvalidInput when it is unsafe or malformed."""
    if not isinstance(files, dict) or not files:
        raise InvalidInput(_l("Gói trống"))
    if len(files) > MAX_FILES:
        raise InvalidInput(_l("Quá nhiều tệp trong gói (> %(most)s)", most=MAX_FILES))
    total = 0
    clean: dict[str, str] = {}
    for name, text in files.items():
        path = PurePosixPath(str(name))
        if path.is_absolute() or ".." in path.parts or "\\" in str(name) or not path.name:
            raise InvalidInput(_l("Đường dẫn không an toàn: %(name)s", name=name))
        if path.suffix not in SUFFIXES:
            raise InvalidInput(
                _l("Loại tệp không nhận: %(name)s (chỉ .bpmn, .dmn, .json)", name=name)
            )
        if not isinstance(text, str):
            raise InvalidInput(_l("Nội dung %(name)s phải là văn bản", name=name))
        total += len(text.encode("utf-8"))
        clean[str(path)] = text
    if total > MAX_TOTAL_BYTES:
        raise InvalidInput(_l("Gói quá lớn"))
    if not any(name.endswith(".bpmn") for name in clean):
        raise InvalidInput(_l("Gói không có tệp .bpmn"))
    return clean


def _process_id(process_id: str) -> str:
    if not process_id or not set(process_id) <= PROCESS_ID_CHARS or len(process_id) > 128:
        raise InvalidInput(_l("Mã quy trình không hợp lệ"))
    return process_id


def load(process_id: str, actor: Actor, revision: int | None = None) -> Bundle:
    """The newest draft revision (or the one asked for), else the newest deployed version."""
    _require_modeller(actor)
    with db.transaction() as session:
        query = select(ModelDraft).where(ModelDraft.process_id == process_id)
        if revision is not None:
            query = query.where(ModelDraft.revision == revision)
        draft = session.scalar(query.order_by(ModelDraft.revision.desc()).limit(1))
        if draft is not None:
            return Bundle(
                process_id,
                dict(draft.files),
                draft.revision,
                draft.deployed_version_id or draft.base_version_id,
                draft.author_name,
                draft.created_at,
            )
        if revision is not None:
            raise NotFound(_l("Không có bản nháp số %(revision)s", revision=revision))
        version = session.scalar(
            select(ModelVersion)
            .where(ModelVersion.process_id == process_id)
            .order_by(ModelVersion.id.desc())
            .limit(1)
        )
        if version is None:
            raise NotFound(_l("Không có quy trình %(process_id)s", process_id=process_id))
        return Bundle(
            process_id,
            dict(version.files),
            None,
            version.id,
            version.deployed_by,
            version.deployed_at,
        )


def drafts(process_id: str, actor: Actor) -> list[DraftInfo]:
    """List the saved drafts of a process model, newest first."""
    _require_modeller(actor)
    with db.transaction() as session:
        rows = session.scalars(
            select(ModelDraft)
            .where(ModelDraft.process_id == process_id)
            .order_by(ModelDraft.revision.desc())
        )
        return [
            DraftInfo(
                d.revision,
                d.author_name,
                d.created_at,
                d.problems,
                d.comment,
                d.deployed_version_id,
            )
            for d in rows
        ]


def validate(process_id: str, files: Any, actor: Actor) -> list[dict[str, Any]]:
    """An analyst checks a model bundle in the editor and gets its located problems."""
    _require_modeller(actor)
    return problem_dicts(check_bundle(check_files(files), _process_id(process_id)))


def save_draft(
    process_id: str, files: Any, comment: str, actor: Actor, base_version_id: int | None = None
) -> tuple[int, list[dict[str, Any]]]:
    """Save a new revision (even with problems: a draft may be unfinished); returns the
    revision number and the located problems."""
    _require_modeller(actor)
    process_id = _process_id(process_id)
    files = check_files(files)
    found = check_bundle(files, process_id)
    problems = problem_dicts(found)
    with db.transaction() as session:
        last = session.scalar(
            select(func.coalesce(func.max(ModelDraft.revision), 0)).where(
                ModelDraft.process_id == process_id
            )
        )
        draft = ModelDraft(
            process_id=process_id,
            revision=(last or 0) + 1,
            files=files,
            content_hash=bundle_hash(files),
            problems=len(blocking(found)),
            comment=(comment or "").strip()[:500],
            author_id=actor.id,
            author_name=actor.name,
            base_version_id=base_version_id,
        )
        session.add(draft)
        try:
            session.flush()
        except IntegrityError as exc:
            raise Conflict(_l("Người khác vừa lưu bản nháp: tải lại rồi lưu lần nữa")) from exc
        audit.record(
            session,
            "model_draft_saved",
            actor,
            dossier_id=None,
            process=process_id,
            revision=draft.revision,
            problems=len(blocking(found)),
        )
        return draft.revision, problems


def run_tests(process_id: str, files: Any, actor: Actor) -> list[dict[str, Any]]:
    """The bundle's model tests, each with pass/fail, failures and the path it took."""
    _require_modeller(actor)
    files = check_files(files)
    problems = check_bundle(files, _process_id(process_id))
    if blocking(problems):
        fields: dict[str, str] = {}
        for p in problems:
            where = p.element_id or p.file or "-"
            fields[where] = "; ".join(filter(None, (fields.get(where), str(p.message))))
        raise InvalidModel(
            _l("Mô hình còn lỗi, chưa chạy được kiểm thử"), problem_dicts(problems), fields=fields
        )
    return [
        {
            "name": r.name,
            "file": r.file,
            "passed": r.passed,
            "failures": r.failures,
            "path": r.path,
        }
        for r in run_model_tests(files, process_id)
    ]


def deploy_draft(
    process_id: str,
    files: Any,
    comment: str,
    actor: Actor,
    override_reason: str = "",
    revision: int | None = None,
) -> int:
    """Deploy the bundle (after the same checks as every deploy); marks the revision."""
    files = check_files(files)
    version_id = deploy_files(files, _process_id(process_id), comment, actor, override_reason)
    if revision is not None:
        with db.transaction() as session:
            draft = session.scalar(
                select(ModelDraft).where(
                    ModelDraft.process_id == process_id, ModelDraft.revision == revision
                )
            )
            if draft is not None and draft.content_hash == bundle_hash(files):
                draft.deployed_version_id = version_id
    return version_id


def check_code(kind: str, source: str, files: Any = None) -> list[str]:
    """Problems the sandbox finds in a script or an expression (for the editor, as typed):
    the same verdicts as validation when the bundle's `files` come with it; without them,
    unknown lower-case names pass (they may be fields of a form not saved yet)."""
    if kind not in ("script", "expression"):
        raise InvalidInput("kind must be script or expression")
    if len(source) > 20_000:
        raise InvalidInput(_l("Mã quá dài"))
    if not source.strip():
        return [_("Chưa nhập mã") if kind == "script" else _("Chưa nhập biểu thức")]
    known = bundle_variables(check_files(files)) if files is not None else None
    return (check_script if kind == "script" else check_expression)(source, known)


def check_form(text: str) -> dict[str, Any]:
    """A form schema as typed: parsed and checked against JSON Schema; InvalidInput if not."""
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            _l("JSON không hợp lệ (dòng %(lineno)s): %(msg)s", lineno=exc.lineno, msg=exc.msg)
        ) from exc
    if not isinstance(schema, dict):
        raise InvalidInput(_l("Biểu mẫu phải là một đối tượng JSON Schema"))
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise InvalidInput(_l("JSON Schema không hợp lệ: %(detail)s", detail=exc.message)) from exc
    return schema


def catalog() -> dict[str, Any]:
    """What the editor's panel offers: roles, operators with typed parameters, statuses."""
    from app.domain.status import DossierStatus

    with db.transaction() as session:
        procedures = session.execute(
            select(Procedure.code, Procedure.name, ModelVersion.process_id).join(
                ModelVersion, ModelVersion.id == Procedure.model_version_id, isouter=True
            )
        ).all()
    return {
        "roles": [{"code": code, "label": label} for code, label in ROLE_LABELS_VI.items()],
        "operators": [
            {
                "name": op.name,
                "description": str(op.description),
                "params": [{"name": n, "type": t.__name__} for n, t in op.params.items()],
            }
            for op in [*OPERATORS.values(), *LOCAL_OPERATORS.values()]
        ],
        "statuses": [{"code": int(s), "label": s.label_vi} for s in DossierStatus],
        "procedures": [{"code": c, "name": n, "process_id": p} for c, n, p in procedures],
    }

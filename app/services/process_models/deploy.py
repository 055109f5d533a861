"""Deploying a model bundle as an immutable version (triển khai quy trình)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import settings
from app.domain.roles import role_for_lane
from app.engine import Problem, bundle_hash, model_tests, parse_bundle, safe_xml
from app.engine.isolation import Bounds, IsolatedRunFailed, run_bounded
from app.engine.validation import Catalogs, blocking, validate
from app.i18n import _, _l
from app.integrations.operators import OPERATORS
from app.models import ModelVersion, ProcessModel
from app.services.core.errors import InvalidInput, InvalidModel
from app.services.dossiers.local_operators import LOCAL_OPERATORS


def read_bundle(directory: str | Path) -> dict[str, str]:
    """Every .bpmn, .dmn and .json file under `directory`, keyed by relative path."""
    root = Path(directory)
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*"))
        if path.suffix in {".bpmn", ".dmn", ".json"} and path.is_file()
    }


def catalogs() -> Catalogs:
    """The roles and operators models may name, as the validator needs them."""
    operators = {name: dict(op.params) for name, op in OPERATORS.items()}
    operators |= {name: dict(op.params) for name, op in LOCAL_OPERATORS.items()}
    return Catalogs(role_for_lane, operators)


def run_model_tests(files: dict[str, str], process_id: str) -> list[model_tests.CaseResult]:
    """Run the bundle's `*.test.json` cases in memory (the bundle must be valid), in a child
    process bounded in CPU, memory and time (MODEL_TESTS_*): whatever the bundle does, the
    process that asked (a web worker) goes on. A run a bound stopped is one failing case."""
    cfg = settings.current
    bounds = Bounds(cfg.MODEL_TESTS_CPU_SECONDS, cfg.MODEL_TESTS_MEMORY_MB, cfg.MODEL_TESTS_TIMEOUT)
    try:
        return run_bounded(_run_in_memory, (files, process_id), bounds)
    except IsolatedRunFailed as exc:
        failure = _("Kiểm thử mô hình bị dừng: %(exc)s", exc=exc)
        return [model_tests.CaseResult("(kiểm thử mô hình)", "-", False, [failure])]


def _run_in_memory(files: dict[str, str], process_id: str) -> list[model_tests.CaseResult]:
    return model_tests.run_all(parse_bundle(files, process_id), files)


def processes_in(files: dict[str, str]) -> dict[str, str]:
    """The processes a bundle's BPMN files define: id → name ("" when unnamed); a file that
    cannot be read safely is left out (validation says why)."""
    found: dict[str, str] = {}
    for name, text in sorted(files.items()):
        if not name.endswith(".bpmn") or safe_xml.declares_entities(text):
            continue
        try:
            root = safe_xml.parse(text)
        except etree.XMLSyntaxError:
            continue
        for process in root.iterfind("{http://www.omg.org/spec/BPMN/20100524/MODEL}process"):
            if process.get("id"):
                found[process.get("id")] = process.get("name") or ""
    return found


def check_bundle(files: dict[str, str], process_id: str) -> list[Problem]:
    """Everything wrong with a bundle, located (errors stop it running here; warnings and
    notes do not: `blocking`)."""
    return validate(files, process_id, catalogs())


def problem_dicts(problems: list[Problem]) -> list[dict[str, Any]]:
    """Model problems as JSON-ready dicts, in order, every one kept, messages as text in the
    reader's language: message, code, severity, file, line, element_id, name (the element's
    label), detail (the engine's own words, or null) and consequences (the same shape)."""
    return [
        {
            "message": str(p.message),
            "code": p.code,
            "severity": p.severity,
            "file": p.file,
            "line": p.line,
            "element_id": p.element_id,
            "name": p.name,
            "detail": p.detail,
            "consequences": problem_dicts(list(p.consequences)),
        }
        for p in problems
    ]


def refuse_problems(problems: list[Problem]) -> None:
    """Raise InvalidModel listing every problem when one of them blocks a deploy."""
    if not blocking(problems):
        return
    fields: dict[str, str] = {}
    for p in problems:
        where = f"{p.file or '-'}:{p.line or '-'}:{p.element_id or '-'}"
        fields[where] = "; ".join(filter(None, (fields.get(where), str(p.message))))
    count = len(blocking(problems))
    raise InvalidModel(
        _l("Gói có %(count)s lỗi", count=count), problem_dicts(problems), fields=fields
    )


def deploy(
    session: Session,
    files: dict[str, str],
    *,
    process_id: str,
    name: str,
    deployed_by: str,
    comment: str = "",
    override_reason: str | None = None,
) -> ModelVersion:
    """Deploy (idempotently: the same content gives the same version) after validation and the
    bundle's model tests. Failing tests block it unless an override reason is given (the caller
    checks that an administrator gives it, and audits it)."""
    refuse_problems(check_bundle(files, process_id))
    failed = [r for r in run_model_tests(files, process_id) if not r.passed]
    if failed and not (override_reason or "").strip():
        raise InvalidInput(
            _l("%(count)s kiểm thử mô hình không đạt", count=len(failed)),
            fields={f"{r.file}": "; ".join(r.failures) for r in failed},
        )
    content_hash = bundle_hash(files)
    existing = session.scalar(select(ModelVersion).where(ModelVersion.content_hash == content_hash))
    if existing is not None:
        if existing.process_id != process_id:
            raise InvalidInput(
                _l(
                    "Gói này đã được triển khai cho quy trình %(process_id)s",
                    process_id=existing.process_id,
                )
            )
        return existing
    model = session.scalar(select(ProcessModel).where(ProcessModel.key == process_id))
    if model is None:
        model = ProcessModel(key=process_id, name=name)
        session.add(model)
        session.flush()
    version = ModelVersion(
        model_id=model.id,
        content_hash=content_hash,
        process_id=process_id,
        files=files,
        deployed_by=deployed_by,
        comment=comment,
    )
    session.add(version)
    session.flush()
    return version

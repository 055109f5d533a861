"""Importing a model made with another tool (nhập mô hình từ công cụ khác): the engine's
transformation, then this project's validation on the result, every remaining problem added to
the report as a located decision; and the result opened in the editor as a draft."""

from __future__ import annotations

from dataclasses import dataclass, replace

from app.domain.roles import ROLE_LABELS_VI
from app.engine.errors import ModelError, Problem
from app.engine.importing import CHANGED, DECIDE, KEPT, Element, Finding, Imported, import_model
from app.i18n import _l
from app.services.core.actors import Actor
from app.services.core.errors import InvalidInput
from app.services.process_models import modeler
from app.services.process_models.deploy import check_bundle
from app.services.process_models.models_repo import _require_modeller

__all__ = ["CHANGED", "DECIDE", "KEPT", "ImportReport", "import_foreign", "open_as_draft"]


@dataclass(frozen=True)
class ImportReport:
    """The import's result: the transformed bundle, the report and whether it now validates."""

    imported: Imported
    findings: list[Finding]
    elements: list[Element]
    problems: list[Problem]

    @property
    def validates(self) -> bool:
        """Whether the transformed bundle passes this project's validation as it is."""
        return not self.problems

    def by_status(self, status: str) -> list[Finding]:
        """The report's lines of one kind (kept, changed, decide)."""
        return [f for f in self.findings if f.status == status]

    def rows(self) -> list[tuple[Element | None, list[Finding]]]:
        """The report element by element in the file's order, each with its findings; what
        concerns the whole file or a process first (element None or not listed)."""
        listed = {e.element_id for e in self.elements}
        loose = [f for f in self.findings if f.element_id not in listed]
        rows: list[tuple[Element | None, list[Finding]]] = [(None, [f]) for f in loose]
        for element in sorted(self.elements, key=lambda e: e.line or 0):
            rows.append((element, [f for f in self.findings if f.element_id == element.element_id]))
        return rows


def import_foreign(
    data: bytes, file_name: str, actor: Actor | None, roles: dict[str, str] | None = None
) -> ImportReport:
    """An analyst brings in a BPMN file made with another tool: the transformed bundle and a
    report of what runs as is, what changed, and what they must still decide."""
    if actor is not None:
        _require_modeller(actor)
    unknown = sorted(code for code in (roles or {}).values() if code not in ROLE_LABELS_VI)
    if unknown:
        raise InvalidInput(_l("Vai trò không có: %(codes)s", codes=", ".join(unknown)))
    try:
        imported = import_model(data, file_name, roles)
    except ModelError as exc:
        raise InvalidInput(
            _l("Không nhập được tệp %(name)s", name=file_name),
            fields={f"{p.file or '-'}:{p.line or '-'}": p.message for p in exc.problems},
        ) from exc
    problems = check_bundle(imported.files, imported.process_id)
    findings = list(imported.findings)
    located = {e.element_id: e for e in imported.elements}
    decided = {f.element_id for f in findings if f.status == DECIDE}
    for problem in problems:
        element = located.get(problem.element_id or "")
        if problem.element_id and problem.element_id in decided:
            continue
        if not problem.element_id and not problem.line and decided:
            continue  # an engine sentence without a place: a knock-on of a located decision
        findings.append(
            Finding(
                DECIDE,
                problem.message,
                problem.element_id,
                element.name if element else None,
                element.kind if element else None,
                element.line if element else problem.line,
            )
        )
    findings.sort(key=lambda f: (f.line or 0, f.status != CHANGED))
    left = {f.element_id for f in findings if f.status == DECIDE}
    elements = [replace(e, status=DECIDE) if e.element_id in left else e for e in imported.elements]
    return ImportReport(imported, findings, elements, problems)


def open_as_draft(process_id: str, files: object, source_name: str, actor: Actor) -> int:
    """Saves the imported bundle as the first draft revision of its process (or the next one),
    ready to open in the editor; returns the revision."""
    revision, _problems = modeler.save_draft(
        process_id, files, str(_l("Nhập từ %(name)s", name=source_name))[:500], actor
    )
    return revision

"""The import of models made with other tools, measured on the public corpus in
tests/data/foreign_models (SOURCES.md): no file crashes it; each either imports with nothing
left to decide, and then validates and runs, or gives a list of located decisions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.engine import ProcessRun, parse_bundle
from app.services.process_models.deploy import check_bundle
from app.services.process_models.importing import DECIDE, import_foreign

CORPUS = Path(__file__).parent.parent / "data" / "foreign_models"
FILES = sorted(
    p for p in CORPUS.glob("*/*") if p.suffix in (".bpmn", ".xml", ".bpmn2") and p.is_file()
)
# Imported with nothing left to decide, each run from start to end below.
RUNS = [
    "camunda-bpm-examples/react-example.bpmn",
    "camunda-bpm-examples/task-camunda-forms-invoiceApproval.bpmn",
    "flowable-engine/Expense_process.bpmn20.xml",
    "flowable-engine/ReceiveTaskTest.waitTimer.bpmn20.xml",
    "bpmn-miwg/signavio-A.4.0.bpmn",
]


def test_the_corpus_has_at_least_thirty_models_from_other_tools():
    assert len(FILES) >= 30
    assert len({p.parent.name for p in FILES}) >= 4
    assert (CORPUS / "SOURCES.md").read_text(encoding="utf-8").count("| ") > 30


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_model_imports_clean_or_with_located_decisions(path: Path):
    report = import_foreign(path.read_bytes(), path.name, None)
    decisions = report.by_status(DECIDE)
    if not decisions:
        assert check_bundle(report.imported.files, report.imported.process_id) == []
        assert report.validates
    else:
        for finding in decisions:
            assert finding.element_id or finding.line, finding
            assert str(finding.message).strip()
    assert len(report.elements) > 0


def _answers(form: dict[str, Any] | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, spec in ((form or {}).get("properties") or {}).items():
        kind = spec.get("type")
        if "enum" in spec:
            values[name] = spec["enum"][0]
        elif kind == "boolean":
            values[name] = True
        elif kind in ("integer", "number"):
            values[name] = 1
        elif spec.get("format") == "date":
            values[name] = "2026-01-05"
        else:
            values[name] = "x"
    return values


@pytest.mark.parametrize("name", RUNS)
def test_an_imported_model_runs_from_start_to_end(name: str, clock):
    clock.freeze()
    report = import_foreign((CORPUS / name).read_bytes(), Path(name).name, None)
    assert report.validates and not report.by_status(DECIDE)
    definition = parse_bundle(report.imported.files, report.imported.process_id)
    run, changes = ProcessRun.start(definition, {})
    for _ in range(50):
        if run.finished:
            break
        ready = run.ready_user_tasks()
        if ready:
            task = ready[0]
            assert task.form is not None and task.lane  # a form stub and a role's lane
            run.complete_user_task(task.id, _answers(task.form))
        else:
            clock.advance(40 * 24 * 3600)
            run.fire_timers()
    assert run.finished

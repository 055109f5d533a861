"""Benchmark: the import of models made with other tools, over the public corpus in
tests/data/foreign_models (see its SOURCES.md).

Prints one row per file: its source, how many BPMN elements the report lists, how many were
changed to run here, how many the analyst must still decide, and whether the transformed
bundle passes this project's validation as it is (y/n); then the totals: files that import
with nothing left to decide, files with a list of located decisions, crashes (an exception
other than a clear refusal), and the mean time per import.
Usage: .venv/bin/python bench/import_corpus.py [--markdown]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.services.process_models.importing import CHANGED, DECIDE, import_foreign  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "foreign_models"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    files = sorted(
        p for p in CORPUS.glob("*/*") if p.suffix in (".bpmn", ".xml", ".bpmn2") and p.is_file()
    )
    rows, crashes, clean, listed, seconds = [], [], 0, 0, 0.0
    for path in files:
        started = time.perf_counter()
        try:
            report = import_foreign(path.read_bytes(), path.name, None)
        except Exception as exc:  # noqa: BLE001 (the bench counts crashes, it does not stop)
            crashes.append(f"{path.name}: {exc!r}")
            continue
        seconds += time.perf_counter() - started
        changed = sum(e.status == CHANGED for e in report.elements)
        decide = len(report.by_status(DECIDE))
        clean += not decide and report.validates
        listed += bool(decide)
        rows.append(
            (
                path.name,
                path.parent.name,
                len(report.elements),
                changed,
                decide,
                "y" if report.validates else "n",
            )
        )
    head = ("file", "source", "elements", "changed", "to decide", "validates")
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + " --- |" * len(head))
        for row in rows:
            print("| " + " | ".join(str(c) for c in row) + " |")
    else:
        print(f"{head[0]:<58} {head[1]:<22} {head[2]:>8} {head[3]:>8} {head[4]:>9} {head[5]:>9}")
        for name, source, elements, changed, decide, valid in rows:
            print(f"{name:<58} {source:<22} {elements:>8} {changed:>8} {decide:>9} {valid:>9}")
    total = len(files)
    print()
    print(f"files: {total}; sources: {len({p.parent.name for p in files})}")
    print(f"imported with nothing left to decide (and validating): {clean}")
    print(f"imported with a list of located decisions: {listed}")
    print(f"crashes: {len(crashes)}")
    for crash in crashes:
        print(f"  {crash}")
    print(
        f"elements: {sum(r[2] for r in rows)}; changed: {sum(r[3] for r in rows)}; "
        f"decisions: {sum(r[4] for r in rows)}"
    )
    print(f"mean import time: {1000 * seconds / max(1, len(rows)):.1f} ms (with validation)")


if __name__ == "__main__":
    main()

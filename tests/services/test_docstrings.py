"""Every public service function says, on its docstring's first line, the use case it serves:
a newcomer reads what a module offers without reading its bodies."""

from __future__ import annotations

import ast
from pathlib import Path

import app.services

SERVICES = Path(app.services.__file__).parent


def _public_functions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Module-level functions and methods of module-level classes, not starting with `_`."""
    found = []
    for node in tree.body:
        members = node.body if isinstance(node, ast.ClassDef) else [node]
        if isinstance(node, ast.ClassDef) and node.name.startswith("_"):
            continue
        found += [
            f
            for f in members
            if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef) and not f.name.startswith("_")
        ]
    return found


def undocumented(root: Path = SERVICES) -> list[str]:
    """`path:line name` of each public function under `root`, at any depth, whose docstring
    is missing or starts with a blank line."""
    missing = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for function in _public_functions(tree):
            doc = ast.get_docstring(function)
            if not doc or not doc.strip().splitlines()[0].strip():
                where = path.relative_to(root.parent.parent)
                missing.append(f"{where}:{function.lineno} {function.name}")
    return missing


def test_every_public_service_function_states_its_use_case_on_its_first_docstring_line():
    assert undocumented() == []


def test_the_walk_finds_functions_in_packages_too(tmp_path):
    """The rule keeps holding once the services are grouped into packages."""
    package = tmp_path / "app" / "services" / "dossiers"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""Dossiers."""\n')
    (package / "intake.py").write_text(
        'def receive():\n    """Receive a dossier."""\n\n\ndef silent():\n    pass\n\n\n'
        "class Box:\n    def open(self):\n        pass\n\n    def _hidden(self):\n        pass\n"
    )
    assert undocumented(package.parent) == [
        "app/services/dossiers/intake.py:5 silent",
        "app/services/dossiers/intake.py:10 open",
    ]

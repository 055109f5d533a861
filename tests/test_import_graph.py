"""The shape of the code, read from its imports: no circle, nothing imports upwards, no module
over 400 lines.

Every module under `app/` and `worker/` is parsed (imports at the top and inside functions;
those under `if TYPE_CHECKING:` are for the type checker only and do not count). The layers,
lowest first, are those of docs/architecture.md; inside the services, the packages follow
their own order (a module may import its own package or a lower one).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("app", "worker")
MAX_LINES = 400

# Layer of each module, by the longest matching name prefix; lowest rank first.
LAYER_RANK = {
    "foundation": 0,  # the configuration in force, the translation layer: used by all
    "domain": 1,  # pure rules, no I/O
    "storage": 2,  # SQLAlchemy models, database and file store
    "adapters": 3,  # the engine (SpiffWorkflow), documents (PDF, OCR, signing), integrations
    "bootstrap": 4,  # setting up one process from its configuration
    "services": 5,  # use cases
    "entry": 6,  # web blueprints, worker jobs, command line
    "factory": 7,  # create_app: assembles the entry points
}
LAYER_OF_PREFIX = {
    "config": "foundation",
    "app.settings": "foundation",
    "app.i18n": "foundation",
    "app.installation": "foundation",
    "app.logs": "foundation",
    "app.metrics": "foundation",
    "app.domain": "domain",
    "app.models": "storage",
    "app.storage": "storage",
    "app.engine": "adapters",
    "app.documents": "adapters",
    "app.integrations": "adapters",
    "app.bootstrap": "bootstrap",
    "app.services": "services",
    "app.web": "entry",
    "app.cli": "entry",
    "app.cli_reorg": "entry",
    "app.cli_catalogs": "entry",
    "app.cli_ops": "entry",
    "worker": "entry",
    "app": "factory",
}

# Services packages, lowest first: each may import only its own package or a lower one.
# `wiring` (the package's __init__ and the module registering the core's extension points) sits
# above all: it is the one place that names every package.
SERVICES_PACKAGES = (
    "core",
    "accounts",
    "documents",
    "catalogs",
    "dossiers",
    "citizens",
    "deadlines",
    "process_models",
    "reorganisation",
    "wiring",
)
# The package of each module lying directly in app/services/ (every other module's package is
# the folder it lives in, app/services/<package>/<module>.py): only the package's own __init__
# and the wiring of the core's extension points sit above the packages.
PACKAGE_OF = {
    "__init__": "wiring",
    "wiring": "wiring",
}

Graph = dict[str, set[str]]


# --- reading the code --------------------------------------------------------------------


def module_files() -> dict[str, Path]:
    """Every module of the application by its dotted name (a package by its own name)."""
    files = {"config": ROOT / "config.py"}
    for source in SOURCES:
        for path in sorted((ROOT / source).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            files[name] = path
    return files


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth, except those only the type checker runs."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            for other in node.orelse:
                yield from _import_nodes(ast.Module(body=[other], type_ignores=[]))
        else:
            yield from _import_nodes(node)


def _imported(node: ast.Import | ast.ImportFrom, importer: str, is_package: bool) -> list[str]:
    """The dotted names one statement imports (`from x import y` gives x.y)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = importer.split(".") if is_package else importer.split(".")[:-1]
        anchor = package[: len(package) - node.level + 1]
        base = ".".join([*anchor, base] if base else anchor)
    return [f"{base}.{alias.name}" for alias in node.names]


def _resolve(name: str, known: Iterable[str]) -> str | None:
    """The application module `name` names (itself or the longest known prefix)."""
    known = set(known)
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return None


def build_graph(files: dict[str, Path]) -> Graph:
    """Module -> the application modules it imports (a package's own modules are not implied:
    `from app.services import audit` imports `app.services.core.audit`)."""
    graph: Graph = {}
    for module, path in files.items():
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            # `from x import y` names the module x.y when there is one, else (an attribute) x
            names = _imported(node, module, is_package)
            targets |= {t for n in names if (t := _resolve(n, files)) and t != module}
        graph[module] = targets
    return graph


# --- the rules, over any graph -----------------------------------------------------------


def circles(graph: Graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def upward(graph: Graph, rank: Callable[[str], int]) -> list[str]:
    """Each import from a module to one of a higher rank, as 'importer -> imported'."""
    return sorted(
        f"{source} -> {target}"
        for source, targets in graph.items()
        for target in targets
        if rank(target) > rank(source)
    )


def layer_of(module: str) -> str:
    """The layer of a module by the longest prefix of its name; unplaced modules fail."""
    prefix = _resolve(module, LAYER_OF_PREFIX)
    if prefix is None:
        raise AssertionError(f"{module} is in no layer: add it to LAYER_OF_PREFIX")
    return LAYER_OF_PREFIX[prefix]


def services_package(module: str, path: Path) -> str:
    """The services package a module belongs to: its folder under app/services/, or, for a
    module lying directly in app/services/, its line in PACKAGE_OF (a missing line fails)."""
    relative = path.relative_to(ROOT / "app" / "services").parts
    if len(relative) > 1:
        return relative[0]
    stem = path.stem
    if stem not in PACKAGE_OF:
        raise AssertionError(f"{module} belongs to no services package: add it to PACKAGE_OF")
    return PACKAGE_OF[stem]


# --- the application's graph ------------------------------------------------------------

FILES = module_files()
GRAPH = build_graph(FILES)
SERVICES = {m for m in FILES if m == "app.services" or m.startswith("app.services.")}


def test_no_import_circle_between_modules() -> None:
    found = circles(GRAPH)
    assert not found, "modules importing each other in a circle:\n" + "\n".join(
        " <-> ".join(circle) for circle in found
    )


def test_every_module_is_placed_in_a_layer_and_every_services_module_in_a_package() -> None:
    unplaced = []
    for module in FILES:
        try:
            layer_of(module)
            if module in SERVICES:
                services_package(module, FILES[module])
        except AssertionError as error:
            unplaced.append(str(error))
    assert not unplaced, "\n".join(unplaced)


def test_no_import_from_a_lower_layer_to_a_higher_one() -> None:
    found = upward(GRAPH, lambda m: LAYER_RANK[layer_of(m)])
    assert not found, "imports from a lower layer to a higher one:\n" + "\n".join(found)


def test_no_services_module_imports_a_higher_services_package() -> None:
    services_graph = {m: GRAPH[m] & SERVICES for m in SERVICES}

    def rank(module: str) -> int:
        return SERVICES_PACKAGES.index(services_package(module, FILES[module]))

    found = upward(services_graph, rank)
    assert not found, "imports of a higher services package:\n" + "\n".join(found)


def test_the_core_package_imports_no_other_services_package() -> None:
    core = {m for m in SERVICES if services_package(m, FILES[m]) == "core"}
    outside = sorted(f"{m} -> {t}" for m in core for t in GRAPH[m] & SERVICES if t not in core)
    assert not outside, "the core imports other packages:\n" + "\n".join(outside)


def test_no_module_is_over_400_lines() -> None:
    long = {
        m: n
        for m, path in FILES.items()
        if m != "config" and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, "modules over 400 lines: " + ", ".join(f"{m} ({n})" for m, n in long.items())


# --- the rules bite ----------------------------------------------------------------------


def test_a_circle_of_three_modules_is_found_and_named() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"d"}}
    assert circles(graph) == [["a", "b", "c"]]


def test_two_modules_importing_each_other_are_a_circle() -> None:
    assert circles({"x": {"y"}, "y": {"x"}}) == [["x", "y"]]


def test_a_tree_of_imports_has_no_circle() -> None:
    assert circles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_an_import_from_the_domain_into_the_services_is_upward() -> None:
    graph = {"app.domain.codes": {"app.services.core.runtime"}, "app.services.core.runtime": set()}
    assert upward(graph, lambda m: LAYER_RANK[layer_of(m)]) == [
        "app.domain.codes -> app.services.core.runtime"
    ]


def test_an_import_from_the_core_into_deadlines_is_upward() -> None:
    graph = {
        "app.services.core.projection": {
            "app.services.deadlines.escalation",
            "app.services.core.audit",
        },
        "app.services.deadlines.escalation": {"app.services.core.audit"},
        "app.services.core.audit": set(),
    }

    def rank(module: str) -> int:
        path = ROOT.joinpath(*module.split(".")).with_suffix(".py")
        return SERVICES_PACKAGES.index(services_package(module, path))

    assert upward(graph, rank) == [
        "app.services.core.projection -> app.services.deadlines.escalation"
    ]


def test_a_module_in_a_services_package_folder_takes_the_folder_as_its_package() -> None:
    path = ROOT / "app" / "services" / "deadlines" / "escalation.py"
    assert services_package("app.services.deadlines.escalation", path) == "deadlines"


def test_a_services_module_missing_from_the_map_fails() -> None:
    path = ROOT / "app" / "services" / "brand_new.py"
    with pytest.raises(AssertionError, match="app.services.brand_new belongs to no"):
        services_package("app.services.brand_new", path)


def test_imports_only_for_the_type_checker_do_not_count(tmp_path: Path) -> None:
    source = tmp_path / "probe.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from app.services.core.runtime import Loaded\n"
        "def later():\n"
        "    from app.services.deadlines import escalation\n"
    )
    files = {"probe": source, **FILES}
    assert build_graph(files)["probe"] == {"app.services.deadlines.escalation"}

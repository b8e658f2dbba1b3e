"""The packages depend downward only, and no module imports itself back round a cycle.

`cmo_cio` (shared, Dagster-free) is at the bottom; `report`, `expectations` and `synthetic`
use it; the Dagster code location `orchestration` is at the top. Imports inside functions
count too: they are how the packages keep heavy libraries out of import time.
"""

from __future__ import annotations

import ast
from pathlib import Path

from cmo_cio.settings import PROJECT_DIR

PACKAGES = ("cmo_cio", "report", "expectations", "synthetic", "orchestration")
# package -> the other project packages it may import
ALLOWED = {
    "cmo_cio": set(),
    "report": {"cmo_cio"},
    "expectations": {"cmo_cio"},
    "synthetic": {"cmo_cio"},
    "orchestration": {"cmo_cio", "report", "expectations"},
}
# Libraries that must stay out of the shared package.
FORBIDDEN_IN_SHARED = ("dagster", "dagster_dbt", "dbt", "great_expectations")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_DIR).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in sorted((PROJECT_DIR / package).rglob("*.py"))
    }


def imports_of(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = module.split(".")[: -node.level or None]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


def graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {
        module: {name for name in imports_of(path, module) if name in modules}
        for module, path in modules.items()
    }


def test_packages_import_downward_only():
    upward = [
        f"{module} imports {target}"
        for module, targets in graph().items()
        for target in targets
        if (source := module.split(".")[0]) != (dest := target.split(".")[0])
        and dest not in ALLOWED[source]
    ]
    assert upward == []


def test_the_shared_package_imports_no_dagster_dbt_or_gx():
    heavy = [
        f"{module} imports {name}"
        for module, path in project_modules().items()
        if module.startswith("cmo_cio")
        for name in imports_of(path, module)
        if name.split(".")[0] in FORBIDDEN_IN_SHARED
    ]
    assert heavy == []


def test_no_module_imports_itself_back_round_a_cycle():
    edges = graph()
    cycles = []

    def visit(module: str, path: list[str], on_path: set[str], done: set[str]) -> None:
        for target in sorted(edges[module]):
            if target in on_path:
                cycles.append(" -> ".join(path[path.index(target) :] + [target]))
            elif target not in done:
                on_path.add(target)
                visit(target, path + [target], on_path, done)
                on_path.discard(target)
        done.add(module)

    done: set[str] = set()
    for module in sorted(edges):
        if module not in done:
            visit(module, [module], {module}, done)
    # A package importing its own __init__ is not a cycle worth reporting.
    cycles = [cycle for cycle in cycles if len(set(cycle.split(" -> "))) > 1]
    assert cycles == []

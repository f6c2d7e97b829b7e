"""Imports point down the layers of docs/architecture.md, never up: every `import` and
`from ... import` in launchgate/ (inside functions and TYPE_CHECKING blocks too), read with
`ast`, goes to its own unit or to a unit of the same or a lower layer. A unit is a top-level
module or package of launchgate (`http`, `report`, `cli`, ...); each one must be placed."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "launchgate"

# Top to bottom, as docs/architecture.md draws them.
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("faces", frozenset({"__main__", "cli", "action", "demo"})),
    ("runner", frozenset({"runner"})),
    ("checks", frozenset({"checks"})),
    (
        "building blocks",
        frozenset({"http", "load", "secrets", "dns", "repo", "handover", "github", "watch"}),
    ),
    ("render", frozenset({"render"})),
    ("model", frozenset({"config", "report", "findings", "comparison"})),
    (
        "foundation",
        frozenset({"__init__", "errors", "names", "redact", "address", "git", "progress"}),
    ),
)
RANK = {unit: len(LAYERS) - i for i, (_, units) in enumerate(LAYERS) for unit in units}
LAYER_OF = {unit: name for name, units in LAYERS for unit in units}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _unit(module: str) -> str:
    """launchgate.http.pages -> http; launchgate -> __init__."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _is_package(module: str) -> bool:
    return (ROOT / module.replace(".", "/") / "__init__.py").is_file()


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, launchgate module) for every import in the file at PATH."""
    here = _module_name(path)
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                package = here.split(".") if _is_package(here) else here.split(".")[:-1]
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # `from launchgate import x` imports the submodule x when there is one.
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                is_sub = (ROOT / sub.replace(".", "/")).with_suffix(".py").is_file() or _is_package(
                    sub
                )
                found.append((node.lineno, sub if is_sub else module))
    return [
        (line, name)
        for line, name in found
        if name == "launchgate" or name.startswith("launchgate.")
    ]


def test_every_unit_is_placed_in_a_layer():
    units = {_unit(_module_name(p)) for p in PACKAGE.rglob("*.py")}
    assert {"cli", "runner", "checks", "report", "render", "http"} <= units  # the walk works
    unplaced = sorted(units - set(RANK))
    assert unplaced == [], f"place these in LAYERS and in docs/architecture.md: {unplaced}"


def test_imports_point_down():
    upward: set[str] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        source = _unit(_module_name(path))
        for line, module in imported_modules(path):
            target = _unit(module)
            if target != source and RANK.get(target, 0) > RANK.get(source, 0):
                upward.add(
                    f"{path.relative_to(ROOT)}:{line}: {LAYER_OF.get(source)} "
                    f"'{source}' imports {module} ({LAYER_OF.get(target)})"
                )
    assert not upward, "imports pointing up a layer:\n" + "\n".join(sorted(upward))


def test_render_imports_only_the_report_and_the_foundation():
    allowed = {"render", "report", *dict(LAYERS)["foundation"]}
    wrong = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in sorted((PACKAGE / "render").rglob("*.py"))
        for line, module in imported_modules(path)
        if _unit(module) not in allowed
    ]
    assert wrong == [], "render imports more than report and foundation:\n" + "\n".join(wrong)


def test_the_walk_sees_every_kind_of_import():
    """The walk itself: a TYPE_CHECKING import, an import inside a function and
    `from launchgate import <submodule>` are all seen."""
    in_base = {module for _, module in imported_modules(PACKAGE / "checks" / "base.py")}
    assert "launchgate.config" in in_base  # under TYPE_CHECKING
    in_runner = {module for _, module in imported_modules(PACKAGE / "runner.py")}
    assert "launchgate.http.transport" in in_runner  # inside run_gate
    assert "launchgate.checks" in in_runner  # `from launchgate import checks as registry`

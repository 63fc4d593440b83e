"""Dependencies point inward: events imports nothing of ours, reports only events."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {"events": {"events"}, "reports": {"events", "reports"},
           "tracker": {"events", "reports", "tracker"}}
OURS = set(ALLOWED)


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & OURS


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_point_inward(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no modules found in {package}/"
    wrong = {str(f.relative_to(ROOT)): imported_packages(f) - ALLOWED[package] for f in files}
    assert {f: bad for f, bad in wrong.items() if bad} == {}




SQLITE_MODULES = {"sqlite3", "sqlite_utils", "events.sqlite_store"}
ADAPTERS = {"tracker/cli.py", "tracker/sqlite_archive.py"}  # the composition root, the adapter


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_nothing_in_tracker_or_reports_depends_on_sqlite_but_the_adapters() -> None:
    files = [*(ROOT / "tracker").rglob("*.py"), *(ROOT / "reports").rglob("*.py")]
    users = {str(f.relative_to(ROOT)): imported_modules(f) & SQLITE_MODULES for f in files}
    assert {f: mods for f, mods in users.items() if mods and f not in ADAPTERS} == {}

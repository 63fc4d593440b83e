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


def test_only_the_composition_root_and_events_touch_sqlite_events() -> None:
    users = [f for f in (ROOT / "reports").rglob("*.py") if "sqlite_store" in f.read_text()]
    assert users == []

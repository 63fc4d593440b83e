"""Dependencies point inward: between packages, and between the stages inside tracker/.

events imports nothing of ours, reports only events; inside tracker, the shared types
(model, errors, text) import no stage, feeds and extract know nothing of the jobs or
the command line, and only the command line (the composition root) and the SQLite
archive adapter touch SQLite, and only it and the PostgreSQL adapters touch psycopg.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {"events": {"events"}, "reports": {"events", "reports"},
           "tracker": {"events", "reports", "tracker"}}
OURS = set(ALLOWED)

SHARED = {"tracker", "tracker.model", "tracker.errors", "tracker.text"}
#: what each part of tracker/ may import of tracker/ (`tracker` alone: __version__)
STAGES: dict[str, set[str]] = {
    "tracker.model": set(),
    "tracker.errors": set(),
    "tracker.text": set(),
    "tracker.config": SHARED,
    "tracker.config_edit": SHARED | {"tracker.config"},
    "tracker.feeds": SHARED | {"tracker.feeds"},
    "tracker.extract": SHARED | {"tracker.extract"},
    "tracker.archive": SHARED | {"tracker.archive"},
    "tracker.jobs": SHARED | {"tracker.config", "tracker.feeds", "tracker.extract",
                              "tracker.archive", "tracker.jobs"},
    "tracker.cli": SHARED | {"tracker.config", "tracker.config_edit", "tracker.feeds",
                             "tracker.extract", "tracker.archive", "tracker.jobs", "tracker.cli"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def imported_packages(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(path)} & OURS


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_point_inward(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no modules found in {package}/"
    wrong = {str(f.relative_to(ROOT)): imported_packages(f) - ALLOWED[package] for f in files}
    assert {f: bad for f, bad in wrong.items() if bad} == {}


def module_name(path: Path) -> str:
    """tracker/feeds/http.py -> tracker.feeds.http; a package's __init__ is the package."""
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def stage_of(module: str) -> str | None:
    """The part of tracker/ a module belongs to: tracker.feeds for tracker.feeds.http."""
    parts = module.split(".")
    if parts[0] != "tracker" or len(parts) == 1:
        return "tracker" if parts == ["tracker"] else None
    return ".".join(parts[:2])


def test_stages_inside_tracker_import_only_what_they_may() -> None:
    wrong = {}
    for path in sorted((ROOT / "tracker").rglob("*.py")):
        own = stage_of(module_name(path))
        if own not in STAGES:
            continue  # tracker/__init__.py, tracker/__main__.py
        used = {stage_of(name) for name in imported_modules(path)} - {None}
        bad = used - STAGES[own] - {own}
        if bad:
            wrong[str(path.relative_to(ROOT))] = bad
    assert wrong == {}


def test_every_part_of_tracker_has_a_rule() -> None:
    parts = {stage_of(module_name(path)) for path in (ROOT / "tracker").rglob("*.py")}
    assert parts - set(STAGES) <= {"tracker", "tracker.__main__"}


def test_the_stage_rule_fails_on_a_wrong_arrow(tmp_path: Path) -> None:
    # the rule is only worth something if it can fail: feeds importing the jobs
    wrong = tmp_path / "bad.py"
    wrong.write_text("from tracker.jobs.poll import poll_feeds\n", encoding="utf-8")
    used = {stage_of(name) for name in imported_modules(wrong)}
    assert used - STAGES["tracker.feeds"] - {"tracker.feeds"} == {"tracker.jobs"}


SQLITE_MODULES = {"sqlite3", "sqlite_utils", "events.sqlite_store", "events.sqlite_errors"}
ADAPTERS = {"tracker/cli/app.py", "tracker/archive/sqlite_archive.py"}


def test_nothing_in_tracker_or_reports_depends_on_sqlite_but_the_adapters() -> None:
    files = [*(ROOT / "tracker").rglob("*.py"), *(ROOT / "reports").rglob("*.py")]
    users = {str(f.relative_to(ROOT)): imported_modules(f) & SQLITE_MODULES for f in files}
    assert {f: mods for f, mods in users.items() if mods and f not in ADAPTERS} == {}


POSTGRES_MODULES = {"psycopg", "events.postgres_store", "events.postgres_errors"}
POSTGRES_ADAPTERS = {"tracker/cli/app.py", "tracker/archive/postgres_archive.py",
                     "tracker/archive/migration.py"}


def test_nothing_in_tracker_or_reports_depends_on_postgresql_but_the_adapters() -> None:
    # psycopg is an optional extra: anything else importing it would fail without it
    files = [*(ROOT / "tracker").rglob("*.py"), *(ROOT / "reports").rglob("*.py")]
    users = {str(f.relative_to(ROOT)): imported_modules(f) & POSTGRES_MODULES for f in files}
    assert {f: mods for f, mods in users.items() if mods and f not in POSTGRES_ADAPTERS} == {}

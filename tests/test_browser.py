"""The demo report opened in headless Chromium: no console errors, every deal's status shown.

Skips when Chromium is absent (`.ci/run` installs Debian's `chromium`). A screenshot of
the demo report, at phone width, is saved for people to look at; the test prints where.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from reports.formatting import stage_label
from tracker.cli import cli

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs chromium")
PHONE = "412,2400"


def chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium on a local page, with console messages logged to stderr."""
    assert CHROMIUM is not None
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update",
               "--no-first-run", "--disable-sync", "--hide-scrollbars",
               f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
               *extra, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


class _Deals(HTMLParser):
    """deal id -> (data-status, text of its status badge), from the rendered DOM."""

    def __init__(self) -> None:
        super().__init__()
        self.deals: dict[str, list[str]] = {}
        self.current: str | None = None
        self.in_status = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "article" and found.get("data-deal"):
            self.current = found["data-deal"]
            self.deals[self.current] = [found.get("data-status") or "", ""]
        self.in_status = tag == "span" and "status" in (found.get("class") or "").split()

    def handle_data(self, data: str) -> None:
        if self.in_status and self.current:
            self.deals[self.current][1] += data

    def handle_endtag(self, tag: str) -> None:
        self.in_status = False


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["demo", "--dir", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def test_console_messages_can_be_seen(tmp_path: Path) -> None:
    probe = tmp_path / "probe.html"
    probe.write_text("<!DOCTYPE html><p>x</p><script>console.error('probe'); nope();</script>")
    seen = console_lines(chromium(probe, tmp_path / "profile", "--dump-dom").stderr)
    if not seen:
        pytest.skip("this Chromium does not log console messages to stderr")
    assert any("probe" in line for line in seen) and any("Uncaught" in line for line in seen)


def test_the_demo_report_loads_cleanly_and_shows_every_status(demo: Path, tmp_path: Path) -> None:
    page = demo / "reports" / "2020-09-15.html"
    done = chromium(page, tmp_path / "profile", "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    assert console_lines(done.stderr) == []
    parser = _Deals()
    parser.feed(done.stdout)
    replayed = CliRunner().invoke(cli, ["--config", str(demo / "tracker.toml"), "replay",
                                        "--as-of", "2020-09-15", "--format", "json"])
    expected = {d["id"]: d["status"] for d in json.loads(replayed.output)["deals"]}
    assert {deal: status for deal, (status, _) in parser.deals.items()} == expected
    for deal, (status, shown) in parser.deals.items():
        assert shown.strip() == stage_label(status), deal
    assert re.search(r"Deals on Tuesday 15 September 2020", done.stdout)


def test_a_screenshot_of_the_demo_report(demo: Path, tmp_path_factory: pytest.TempPathFactory,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    shots = tmp_path_factory.mktemp("screenshots")
    for name, size in (("demo-report-phone.png", PHONE), ("demo-report-desktop.png", "1200,2000")):
        target = shots / name
        done = chromium(demo / "reports" / "index.html", shots / "profile",
                        f"--window-size={size}", f"--screenshot={target}")
        assert done.returncode == 0 and target.stat().st_size > 10_000, done.stderr[-2000:]
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        with capsys.disabled():
            print(f"\nscreenshot of the demo report: {target}")


def test_the_demo_report_prints(demo: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    done = chromium(demo / "reports" / "2020-09-15.html", tmp_path / "profile",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000
    assert console_lines(done.stderr) == []

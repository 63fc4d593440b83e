"""The demo report opened in headless Chromium: no console errors, every deal's status shown.

Skips when Chromium is absent (`.ci/run` installs Debian's `chromium`). A screenshot of
the demo report, at phone width, is saved for people to look at; the test prints where.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from events.sqlite_store import SQLiteEventStore
from reports.formatting import stage_label
from tests.conftest import CONFIG_TEXT, deadline, negotiation
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


# --- the timeline's text on a phone ------------------------------------------------------

#: Opens the page in an iframe of the given width (a phone's viewport: headless Chromium
#: will not make its window narrower than 500 px) and measures, from outside the page so
#: that the page itself runs unchanged under its Content-Security-Policy, every label of
#: every timeline: its size on screen in px (font size times the picture's scale), its
#: box, and the box of the band it is printed in.
MEASURE = """<!DOCTYPE html><html><body style="margin:0"><pre id="measure">waiting</pre>
<iframe id="page" src="PAGE" style="width:WIDTHpx;height:6000px;border:0"></iframe>
<script>
document.getElementById('page').addEventListener('load', () => {
  const doc = document.getElementById('page').contentDocument, view = doc.defaultView;
  const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.right]; };
  const out = {width: view.innerWidth, labels: []};
  const svgs = [...doc.querySelectorAll('svg.timeline')];
  for (const t of doc.querySelectorAll('svg.timeline text')) {
    const shown = view.getComputedStyle(t).display !== 'none';
    const band = t.previousElementSibling;
    out.labels.push({text: t.textContent, kind: t.classList.contains('axis') ? 'axis' : 'band',
      shown, px: parseFloat(view.getComputedStyle(t).fontSize) * t.getScreenCTM().a,
      box: box(t), band: band && band.tagName === 'rect' ? box(band) : null,
      svg: svgs.indexOf(t.ownerSVGElement), frame: box(t.ownerSVGElement)});
  }
  document.getElementById('measure').textContent = JSON.stringify(out);
});
</script></body></html>"""


def measure_labels(page: Path, tmp_path: Path, width: int) -> dict[str, object]:
    """What MEASURE finds in `page` at `width` CSS pixels."""
    probe = tmp_path / f"measure-{width}.html"
    probe.write_text(MEASURE.replace("PAGE", page.as_uri()).replace("WIDTH", str(width)))
    done = chromium(probe, tmp_path / "profile", "--allow-file-access-from-files",
                    "--window-size=1200,2000", "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'<pre id="measure">(.*?)</pre>', done.stdout, re.S)
    assert found and found.group(1) != "waiting", done.stdout[-2000:]
    measured: dict[str, object] = json.loads(html.unescape(found.group(1)))
    assert measured["width"] == width
    return measured


@pytest.fixture(scope="module")
def long_story(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of a deal through every stage over ten months, with a deadline ahead."""
    folder = tmp_path_factory.mktemp("story")
    config = folder / "tracker.toml"
    config.write_text(CONFIG_TEXT, encoding="utf-8")
    # a picture from March to January: the last month's label meets the right edge
    steps = [("rumored", "2020-03-20"), ("negotiating", "2020-03-24"), ("agreed", "2020-05-10"),
             ("under_review", "2020-06-01"), ("blocked", "2020-06-04"),
             ("approved", "2020-09-01")]
    with SQLiteEventStore(folder / "tracker.db") as store:
        store.append([negotiation(stage, day) for stage, day in steps]
                     + [deadline("2021-01-20", "2020-09-01")])
    result = CliRunner().invoke(cli, ["--config", str(config), "report", "--date", "2020-09-10"])
    assert result.exit_code == 0, result.output
    return folder / "reports" / "2020-09-10.html"


def test_timeline_labels_are_at_least_11px_on_a_390px_phone(long_story: Path,
                                                             tmp_path: Path) -> None:
    phone = measure_labels(long_story, tmp_path, 390)
    labels = phone["labels"]
    assert isinstance(labels, list)
    shown = [label for label in labels if label["shown"]]
    assert {label["kind"] for label in shown} == {"axis", "band"}
    for label in shown:
        assert label["px"] >= 11, label
        # within the picture: it clips whatever runs past its edges
        assert label["frame"][0] <= label["box"][0] and label["box"][1] <= label["frame"][1]
        if label["band"]:  # printed inside its band, not across the next one
            assert label["box"][1] <= label["band"][1] + 0.5, label
    for svg in {label["svg"] for label in shown}:  # month names do not run into each other
        axis = sorted(label["box"] for label in shown
                      if label["kind"] == "axis" and label["svg"] == svg)
        assert all(left[1] <= right[0] for left, right in itertools.pairwise(axis)), axis
    # the labels a phone has no room for are the ones hidden, and only on a phone
    wide = measure_labels(long_story, tmp_path, 900)["labels"]
    assert isinstance(wide, list)
    assert len([label for label in wide if label["shown"]]) > len(shown)
    for label in wide:
        if label["shown"]:
            assert label["px"] >= 11 and label["box"][1] <= label["frame"][1], label
